// A Git repository read through the system `git`: a private bare cache that is fetched with a
// forced refspec, so a force-pushed branch is simply followed.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface GitSourceOptions {
  url: string;
  branch: string;
  cacheDir?: string;
  /** For https URLs: sent as HTTP basic auth (x-access-token), through the environment, never argv. */
  token?: string;
  /** For ssh URLs. */
  sshKeyFile?: string;
  timeoutMs?: number;
}

export interface TreeFile {
  path: string;
  blob: string;
  size: number;
}

/** Removes credentials from a URL so it can be logged and recorded. */
export function redactUrl(url: string): string {
  return url.replace(/^(https?:\/\/)[^@/]+@/i, '$1');
}

export function normalizeRepoUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^:]+:/.test(url)) return url;
  return isAbsolute(url) ? url : resolve(url);
}

export class GitError extends Error {
  override readonly name = 'GitError';
}

export class GitSource {
  readonly url: string;
  readonly branch: string;
  private readonly cache: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(opts: GitSourceOptions) {
    this.url = normalizeRepoUrl(opts.url);
    this.branch = opts.branch;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    const id = createHash('sha256').update(`${this.url}\n${this.branch}`).digest('hex').slice(0, 16);
    this.cache = join(opts.cacheDir ?? join(tmpdir(), 'plane-gitops-sync'), id);
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
    let n = 0;
    if (opts.token) {
      const basic = Buffer.from(`x-access-token:${opts.token}`).toString('base64');
      env[`GIT_CONFIG_KEY_${n}`] = 'http.extraHeader';
      env[`GIT_CONFIG_VALUE_${n}`] = `Authorization: Basic ${basic}`;
      n++;
    }
    if (n > 0) env.GIT_CONFIG_COUNT = String(n);
    if (opts.sshKeyFile) env.GIT_SSH_COMMAND = `ssh -i ${JSON.stringify(opts.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes`;
    this.env = env;
  }

  private run(args: string[], maxBuffer = 64 * 1024 * 1024): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      execFile('git', ['--git-dir', this.cache, ...args], { env: this.env, timeout: this.timeoutMs, maxBuffer, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new GitError(`git ${args[0]} failed: ${redactUrl(String(stderr || err.message).trim().split('\n').slice(-3).join(' / '))}`));
        else resolvePromise(stdout);
      });
    });
  }

  /** Fetches the branch and returns the commit at its head. */
  async fetch(): Promise<string> {
    if (!existsSync(join(this.cache, 'HEAD'))) {
      mkdirSync(this.cache, { recursive: true });
      await this.run(['init', '--bare', '-q']);
    }
    const ref = `refs/remotes/origin/${this.branch}`;
    await this.run(['fetch', '--quiet', '--force', '--no-tags', '--prune', this.url, `+refs/heads/${this.branch}:${ref}`]);
    return (await this.run(['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  }

  /** Files under `dir` at a commit, with their blob ids and sizes (nothing is read yet). */
  async listTree(commit: string, dir: string): Promise<TreeFile[]> {
    const prefix = dir.replace(/^\/+|\/+$/g, '');
    const out = await this.run(['ls-tree', '-r', '-z', '--long', '--full-tree', commit, '--', prefix === '' ? '.' : `${prefix}/`]);
    const files: TreeFile[] = [];
    for (const entry of out.split('\0')) {
      if (!entry) continue;
      const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t(.*)$/s.exec(entry);
      if (!m || m[2] !== 'blob') continue;
      const full = m[5]!;
      files.push({ path: prefix === '' ? full : full.slice(prefix.length + 1), blob: m[3]!, size: m[4] === '-' ? 0 : Number(m[4]) });
    }
    return files;
  }

  /** Reads blobs through one `git cat-file --batch` process. */
  readBlobs(blobs: string[]): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    if (blobs.length === 0) return Promise.resolve(result);
    return new Promise((resolvePromise, reject) => {
      const child = spawn('git', ['--git-dir', this.cache, 'cat-file', '--batch'], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => chunks.push(b));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) return reject(new GitError(`git cat-file failed: ${stderr.trim()}`));
        const buf = Buffer.concat(chunks);
        let off = 0;
        for (const id of blobs) {
          const nl = buf.indexOf(10, off);
          const header = buf.subarray(off, nl).toString();
          const [, type, size] = header.split(' ');
          if (type === undefined || size === undefined) return reject(new GitError(`git cat-file: missing object ${id}`));
          const len = Number(size);
          result.set(id, buf.subarray(nl + 1, nl + 1 + len));
          off = nl + 1 + len + 1;
        }
        resolvePromise(result);
      });
      child.stdin.end(blobs.join('\n') + '\n');
    });
  }
}

/** Reads one file at a commit (undefined when it does not exist there). */
export async function readFileAt(source: GitSource, commit: string, path: string): Promise<Buffer | undefined> {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const files = await source.listTree(commit, dir);
  const name = dir ? path.slice(dir.length + 1) : path;
  const f = files.find((x) => x.path === name);
  if (!f) return undefined;
  return (await source.readBlobs([f.blob])).get(f.blob);
}
