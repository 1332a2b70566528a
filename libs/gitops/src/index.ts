// @plane/gitops: the autoscaler's git-commit executor (the effect of a scaling decision on
// `infra/node-pool/<region>.tfvars`), without the NATS wiring: push with system git, or a pull
// request through @octokit/rest. Commands are idempotent; every result is an outcome to record.
export {
  parseGitCommitCommand,
  isSafeRepoPath,
  InvalidCommandError,
  type GitCommitCommand,
  type GitCommitMode,
  type GitCommitOutcome,
  type GitCommitStatus,
} from './command.js';
export { editNodeCount, readNodeCount, findNodeCount, NodeCountError, type NodeCountEdit, type NodeCountErrorCode, type NodeCountLocation } from './tfvars.js';
export { commitMessage, parseTrailers, carriesDecision, recordedSequence, DECISION_TRAILER, SEQUENCE_TRAILER } from './trailers.js';
export { DEFAULT_RETRY, backoffDelayMs, retryPolicy, realSleep, type RetryPolicy, type Sleep } from './retry.js';
export { type ExecutorLogger, silentLogger } from './logger.js';
export { PushExecutor, DEFAULT_AUTOSCALER_IDENTITY, type PushExecutorOptions, type GitIdentity } from './push/push-executor.js';
export { GitCommandError, redact, type GitCredentials } from './push/git-cli.js';
export { PullRequestExecutor, parseRepository, type PullRequestExecutorOptions, type AutoMergeMethod, type ClosedPullRequest } from './github/pull-request-executor.js';
export { GitHubApiError, toGitHubApiError, type GitHubErrorCode } from './github/errors.js';
export { pullRequestBranch, pullRequestBody, parseMarker, shortDecisionId, BRANCH_PREFIX, type PullRequestMarker } from './github/marker.js';
export { createGitCommitExecutor, type GitCommitExecutor, type GitCommitExecutorOptions } from './executor.js';
