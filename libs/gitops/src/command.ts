// The git-commit command the autoscaler's decider emits, and the outcome an executor reports.
// A command carries the full desired state of what it touches (the count it starts from and the
// target), never a bare diff, so an executor can check it against the file before acting.

export type GitCommitMode = 'push' | 'pull_request';

export interface GitCommitCommand {
  /** The decision's id (a hash of its inputs); also the command's idempotency key. */
  decision_id: string;
  service: string;
  region: string;
  /** Repository-relative path of the node pool file, e.g. `infra/node-pool/jp.tfvars`. */
  file: string;
  /** The node count the decision saw. */
  from: number;
  /** The node count it wants. */
  to: number;
  /** First line (and more) of the commit message, e.g. `autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)`. */
  message: string;
  mode: GitCommitMode;
  /** The branch pushed to, or the base branch of the pull request. */
  branch: string;
  /** `owner/name` on GitHub; required in pull_request mode. */
  repository?: string;
  /** pull_request mode: ask GitHub to merge once checks pass. */
  auto_merge: boolean;
  /** Markdown for the pull request body: why, in words and numbers. */
  explanation: string;
  /** Stream sequence of the decision: a command older than one already applied to the same file is superseded. */
  decision_seq: number;
}

export type GitCommitStatus = 'committed' | 'pr_opened' | 'noop' | 'failed' | 'superseded';

export interface GitCommitOutcome {
  status: GitCommitStatus;
  decision_id: string;
  /** committed: the new commit; noop: the commit that already carries the decision, when there is one; pr_opened: the branch's commit. */
  sha?: string;
  pr_number?: number;
  pr_url?: string;
  /** Why, in words and numbers. */
  reason: string;
  /** Write attempts made (1 when nothing had to be retried; 0 when nothing was attempted). */
  attempts: number;
}

export class InvalidCommandError extends Error {
  override readonly name = 'InvalidCommandError';
  constructor(readonly problems: string[]) {
    super(`invalid git-commit command: ${problems.join('; ')}`);
  }
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
// Git's own ref-name rules, the parts a configuration can get wrong.
const BAD_BRANCH = /(^[/.-])|([/.]$)|\.\.|\/\/|@\{|[\s~^:?*[\\\x00-\x1f\x7f]|\.lock$/;

/** Checks a decoded command (from JSON) and returns it typed; throws InvalidCommandError with every problem. */
export function parseGitCommitCommand(value: unknown): GitCommitCommand {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidCommandError(['not a JSON object']);
  const v = value as Record<string, unknown>;
  const str = (key: string, optional = false): string | undefined => {
    const x = v[key];
    if (x === undefined && optional) return undefined;
    if (typeof x !== 'string' || x.trim() === '') {
      problems.push(`"${key}" must be a non-empty string`);
      return undefined;
    }
    return x;
  };
  const count = (key: string): number | undefined => {
    const x = v[key];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
      problems.push(`"${key}" must be a non-negative integer`);
      return undefined;
    }
    return x;
  };
  const decision_id = str('decision_id');
  const service = str('service');
  const region = str('region');
  const file = str('file');
  const message = str('message');
  const branch = str('branch');
  const repository = str('repository', true);
  const explanation = typeof v.explanation === 'string' ? v.explanation : (problems.push('"explanation" must be a string'), undefined);
  const from = count('from');
  const to = count('to');
  const decision_seq = count('decision_seq');
  const mode = v.mode === 'push' || v.mode === 'pull_request' ? v.mode : (problems.push('"mode" must be "push" or "pull_request"'), undefined);
  const auto_merge = v.auto_merge === undefined ? false : typeof v.auto_merge === 'boolean' ? v.auto_merge : (problems.push('"auto_merge" must be a boolean'), undefined);
  if (file !== undefined && !isSafeRepoPath(file)) problems.push(`"file" must be a relative path inside the repository, got "${file}"`);
  if (branch !== undefined && BAD_BRANCH.test(branch)) problems.push(`"branch" is not a valid branch name: "${branch}"`);
  if (repository !== undefined && !REPOSITORY.test(repository)) problems.push(`"repository" must be owner/name, got "${repository}"`);
  if (mode === 'pull_request' && repository === undefined) problems.push('"repository" is required in pull_request mode');
  if (decision_id !== undefined && /[\r\n]/.test(decision_id)) problems.push('"decision_id" must be one line');
  if (problems.length > 0) throw new InvalidCommandError(problems);
  return {
    decision_id: decision_id!,
    service: service!,
    region: region!,
    file: file!,
    from: from!,
    to: to!,
    message: message!,
    mode: mode!,
    branch: branch!,
    ...(repository !== undefined ? { repository } : {}),
    auto_merge: auto_merge!,
    explanation: explanation!,
    decision_seq: decision_seq!,
  };
}

export function isSafeRepoPath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.includes('\\') && !path.includes('\0') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
