// Reads a platform-config directory from disk: the files under gtm/,
// autoscale/ and regions/ (subfolders too, so misplaced files get a warning).
// Symbolic links are not followed: a declaration is a file in the tree.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KIND_DIRECTORIES } from './paths.js';
import type { SourceFile } from './types.js';
import { DEFAULT_MAX_FILE_BYTES } from './yaml-source.js';

const MAX_DEPTH = 8;

export interface ReadDirectoryOptions {
  /** At most this many bytes + 1 are read per file, so the size check still fires (default 1 MiB). */
  maxFileBytes?: number;
}

export async function readDirectory(dir: string, options: ReadDirectoryOptions = {}): Promise<SourceFile[]> {
  const limit = (options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) + 1;
  const files: SourceFile[] = [];
  for (const top of Object.keys(KIND_DIRECTORIES)) {
    await walk(join(dir, top), top, 0, limit, files);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(absolute: string, relative: string, depth: number, limit: number, out: SourceFile[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return;
    throw e;
  }
  for (const entry of entries) {
    const abs = join(absolute, entry.name);
    const rel = `${relative}/${entry.name}`;
    if (entry.isDirectory() && depth < MAX_DEPTH) await walk(abs, rel, depth + 1, limit, out);
    else if (entry.isFile()) out.push({ path: rel, content: await readHead(abs, limit) });
  }
}

async function readHead(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const { bytesRead } = await handle.read(buffer, filled, limit - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } finally {
    await handle.close();
  }
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}
