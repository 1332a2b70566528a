import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatError, readDirectory, validateTree } from '@plane/declarations';

/**
 * `planectl validate [DIR]`: one `FILE:LINE:COL: message` line per error on stdout, warnings on
 * stderr; 0 valid, 1 invalid. DIR is a platform-config folder or a repository holding one.
 */
export async function validateCommand(dirArg: string | undefined, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let dir = dirArg ?? 'platform-config';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    err(`planectl validate: ${dir} is not a folder`);
    return 2;
  }
  if (!['gtm', 'autoscale', 'regions'].some((k) => existsSync(join(dir, k))) && existsSync(join(dir, 'platform-config'))) dir = join(dir, 'platform-config');
  const files = await readDirectory(dir);
  const result = validateTree(files);
  const prefix = (file: string) => join(dir, file);
  for (const e of result.errors) out(formatError({ ...e, file: prefix(e.file) }));
  for (const w of result.warnings) err(`${formatError({ ...w, file: prefix(w.file) })} (warning)`);
  if (result.errors.length === 0) err(`${dir}: ${result.declarations.length} declaration(s) valid`);
  return result.errors.length === 0 ? 0 : 1;
}
