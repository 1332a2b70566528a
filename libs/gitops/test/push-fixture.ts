// Shared setup of the push-mode tests: a bare remote and a work clone (testkit) seeded with two
// node pool files, a cache directory per test, and a recording sleep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestRepo, git, type TestRepo } from '../../testkit/src/git.js';
import type { GitCommitCommand } from '../src/command.js';
import { PushExecutor, type PushExecutorOptions } from '../src/push/push-executor.js';

export const JP = 'infra/node-pool/jp.tfvars';
export const SG = 'infra/node-pool/sg.tfvars';
export const JP_TEXT = `# jp node pool
region        = "jp"
instance_type = "t3.medium"
node_count    = 2   # managed by the autoscaler
disk_gb       = 40
`;
export const SG_TEXT = 'region = "sg"\r\nnode_count = 1\r\n# 新加坡 (CRLF, no final newline)\r\nzone = "a"';

export interface PushFixture {
  repo: TestRepo;
  caches: string;
  /** Backoff delays the executors asked for (they are not slept). */
  delays: number[];
  executor(opts?: Partial<PushExecutorOptions>, cache?: string): PushExecutor;
  /** testkit's commit() force-pushes its clone's HEAD: bring the clone up to the remote first, so nothing of ours is dropped. */
  commitOnTop(files: Record<string, string>, message: string): string;
  remoteFile(path: string, ref?: string): string;
  remoteLog(n?: number): string[];
  messageOf(sha: string): string;
  dispose(): void;
}

export function command(overrides: Partial<GitCommitCommand> = {}): GitCommitCommand {
  return {
    decision_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    service: 'svc-plus',
    region: 'jp',
    file: JP,
    from: 2,
    to: 3,
    message: 'autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)',
    mode: 'push',
    branch: 'main',
    auto_merge: false,
    explanation: 'cpu 0.82 > 0.7',
    decision_seq: 10,
    ...overrides,
  };
}

export const SG_COMMAND: Partial<GitCommitCommand> = { region: 'sg', file: SG, from: 1, to: 2, decision_id: 'sg-decision', decision_seq: 11, message: 'autoscale: svc-plus sg scale_out 1 -> 2' };

export function pushFixture(): PushFixture {
  const repo = createTestRepo();
  repo.commit({ [JP]: JP_TEXT, [SG]: SG_TEXT, 'README.md': 'platform\n' }, 'seed');
  const caches = mkdtempSync(join(tmpdir(), 'plane-gitops-test-'));
  const delays: number[] = [];
  return {
    repo,
    caches,
    delays,
    executor: (opts = {}, cache = 'a') => new PushExecutor({ url: repo.remote, cacheDir: join(caches, cache), sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...opts }),
    commitOnTop(files, message) {
      git(repo.work, 'fetch', '-q', 'origin', 'main');
      git(repo.work, 'reset', '-q', '--hard', 'origin/main');
      return repo.commit(files, message);
    },
    remoteFile: (path, ref = 'main') => git(repo.remote, 'show', `${ref}:${path}`),
    remoteLog: (n = 10) => git(repo.remote, 'log', `-n${n}`, '--format=%H', 'main').split('\n'),
    messageOf: (sha) => git(repo.remote, 'log', '-1', '--format=%B', sha),
    dispose() {
      repo.dispose();
      rmSync(caches, { recursive: true, force: true });
    },
  };
}
