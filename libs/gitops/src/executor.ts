// One face for the autoscaler's git-commit executor: a command goes to the push or the pull
// request executor by its mode. Either may be left out when the deployment never uses it.
import type { GitCommitCommand, GitCommitOutcome } from './command.js';
import { PullRequestExecutor, type PullRequestExecutorOptions } from './github/pull-request-executor.js';
import { PushExecutor, type PushExecutorOptions } from './push/push-executor.js';

export interface GitCommitExecutorOptions {
  push?: PushExecutorOptions;
  github?: PullRequestExecutorOptions;
}

export interface GitCommitExecutor {
  readonly push?: PushExecutor;
  readonly pullRequests?: PullRequestExecutor;
  execute(command: GitCommitCommand): Promise<GitCommitOutcome>;
}

export function createGitCommitExecutor(opts: GitCommitExecutorOptions): GitCommitExecutor {
  const push = opts.push ? new PushExecutor(opts.push) : undefined;
  const pullRequests = opts.github ? new PullRequestExecutor(opts.github) : undefined;
  return {
    ...(push ? { push } : {}),
    ...(pullRequests ? { pullRequests } : {}),
    async execute(command) {
      const executor = command.mode === 'push' ? push : command.mode === 'pull_request' ? pullRequests : undefined;
      if (!executor) {
        return { status: 'failed', decision_id: command.decision_id, reason: `no executor is configured for mode "${String(command.mode)}" (push needs a git URL, pull_request a GitHub token)`, attempts: 0 };
      }
      return executor.execute(command);
    },
  };
}
