import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface TestRepo {
  /** The bare repository: the "remote" the apps fetch from. */
  remote: string;
  /** A working clone used by the test to make commits. */
  work: string;
  /** Writes (string/Buffer) or deletes (null) files, commits, pushes; returns the new commit SHA. */
  commit(files: Record<string, string | Uint8Array | null>, message?: string, branch?: string): string;
  /** Rewrites the branch to an older commit (a force push). */
  forcePush(sha: string, branch?: string): void;
  head(branch?: string): string;
  dispose(): void;
}

export function createTestRepo(branch = 'main'): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'plane-git-'));
  const remote = join(root, 'remote.git');
  const work = join(root, 'work');
  execFileSync('git', ['init', '-q', '--bare', '-b', branch, remote], { env: { ...process.env, ...GIT_ENV } });
  execFileSync('git', ['init', '-q', '-b', branch, work], { env: { ...process.env, ...GIT_ENV } });
  git(work, 'remote', 'add', 'origin', remote);
  let count = 0;
  return {
    remote,
    work,
    commit(files, message, onBranch = branch) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) rmSync(full, { force: true });
        else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '--allow-empty', '-m', message ?? `change ${++count}`);
      git(work, 'push', '-q', '--force', 'origin', `HEAD:refs/heads/${onBranch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    forcePush(sha, onBranch = branch) {
      git(work, 'reset', '-q', '--hard', sha);
      git(work, 'push', '-q', '--force', 'origin', `HEAD:refs/heads/${onBranch}`);
    },
    head(onBranch = branch) {
      return git(remote, 'rev-parse', `refs/heads/${onBranch}`);
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
