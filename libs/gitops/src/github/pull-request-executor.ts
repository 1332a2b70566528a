// pull_request mode: a git-commit command becomes one branch and one pull request on GitHub,
// through @octokit/rest. Every step finds what an earlier attempt left (the branch, the commit on
// it, the pull request), so a redelivered command opens nothing twice and returns the same
// pull request number.
import { Octokit } from '@octokit/rest';
import { InvalidCommandError, parseGitCommitCommand, type GitCommitCommand, type GitCommitOutcome } from '../command.js';
import { silentLogger, type ExecutorLogger } from '../logger.js';
import { DEFAULT_AUTOSCALER_IDENTITY, type GitIdentity } from '../push/push-executor.js';
import { backoffDelayMs, realSleep, retryPolicy, type RetryPolicy, type Sleep } from '../retry.js';
import { editNodeCount, NodeCountError, readNodeCount } from '../tfvars.js';
import { commitMessage } from '../trailers.js';
import { GitHubApiError, gitHubMessage, httpStatus, isHttpError, toGitHubApiError } from './errors.js';
import { parseMarker, pullRequestBody, pullRequestBranch, type PullRequestMarker } from './marker.js';

export type AutoMergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';

export interface PullRequestExecutorOptions {
  /** A GitHub token (PAT or installation token), passed by the caller; never logged. */
  token: string;
  /** API root (default https://api.github.com); point it at a stand-in or a GHES `/api/v3`. */
  baseUrl?: string;
  /** Author and committer of the file commit (default plane-autoscaler <autoscaler@plane.invalid>). */
  identity?: GitIdentity;
  /** Retries of the file write after a stale blob sha (409), default 5 attempts with backoff. */
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  /** Merge method for auto-merge (default: the repository's default). */
  mergeMethod?: AutoMergeMethod;
  logger?: ExecutorLogger;
  /** Milliseconds per HTTP request (default 30 s). */
  timeoutMs?: number;
}

interface PullSummary {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
  merged_at: string | null;
  head: { ref: string; sha: string };
  body: string | null;
  auto_merge: unknown;
}

interface RepoRef {
  owner: string;
  repo: string;
}

interface FileAt {
  text: string;
  sha: string;
}

export interface ClosedPullRequest {
  number: number;
  url: string;
  decision_id: string;
  decision_seq: number;
}

/** A result the PR flow ends with early; everything else is an outcome built at the end. */
class Done extends Error {
  constructor(readonly outcome: GitCommitOutcome) {
    super(outcome.reason);
  }
}

const AUTO_MERGE_MUTATION = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

export function parseRepository(repository: string): RepoRef {
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) throw new InvalidCommandError([`"repository" must be owner/name, got "${repository}"`]);
  return { owner, repo };
}

export class PullRequestExecutor {
  readonly octokit: Octokit;
  private readonly identity: GitIdentity;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly log: ExecutorLogger;

  constructor(private readonly opts: PullRequestExecutorOptions) {
    if (opts.token.trim() === '') throw new Error('a GitHub token is required for pull_request mode');
    this.octokit = new Octokit({
      auth: opts.token,
      ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
      userAgent: 'plane-autoscaler',
      request: { timeout: opts.timeoutMs ?? 30_000 },
      // Octokit's own console logging would bypass our structured logs.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    this.identity = opts.identity ?? DEFAULT_AUTOSCALER_IDENTITY;
    this.policy = retryPolicy(opts.retry);
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger ?? silentLogger;
  }

  /**
   * Opens (or finds) the pull request of the command. Returns `pr_opened` (new or found again),
   * `noop` (its PR is merged, or the base already shows the target), `superseded` (a newer
   * decision's PR is open, or this one's was closed unmerged) or `failed` (precondition, missing
   * file, a refusal from GitHub). Throws GitHubApiError when `retryable` (rate limits with
   * `retryAfterS`, 5xx, network): the caller redelivers later.
   */
  async execute(command: GitCommitCommand): Promise<GitCommitOutcome> {
    let cmd: GitCommitCommand;
    try {
      cmd = parseGitCommitCommand(command);
    } catch (e) {
      if (e instanceof InvalidCommandError) return failed(command.decision_id, e.message, 0);
      throw e;
    }
    if (cmd.mode !== 'pull_request' || cmd.repository === undefined) return failed(cmd.decision_id, `mode is ${cmd.mode}; the pull request executor needs pull_request mode and a repository`, 0);
    const repo = parseRepository(cmd.repository);
    const attempts = { writes: 0 };
    try {
      return await this.open(cmd, repo, attempts);
    } catch (e) {
      if (e instanceof Done) return e.outcome;
      if (!(e instanceof GitHubApiError) && !isHttpError(e)) throw e;
      const err = toGitHubApiError(e, `pull request for decision ${cmd.decision_id}`);
      if (err.retryable) throw err;
      return failed(cmd.decision_id, `${err.message}; nothing more done`, attempts.writes);
    }
  }

  private async open(cmd: GitCommitCommand, repo: RepoRef, attempts: { writes: number }): Promise<GitCommitOutcome> {
    const branch = pullRequestBranch(cmd);
    const fields = { decision_id: cmd.decision_id, repository: `${repo.owner}/${repo.repo}`, branch };

    // 1. An earlier delivery may have finished already.
    const existing = await this.pullForBranch(repo, branch);
    if (existing) {
      if (existing.state === 'open') {
        const autoMerge = cmd.auto_merge && existing.auto_merge === null ? await this.requestAutoMerge(existing) : '';
        return opened(cmd, existing, `pull request #${existing.number} for decision ${cmd.decision_id} is already open (found again, nothing opened twice)${autoMerge}`, 0);
      }
      if (existing.merged_at !== null) {
        return { status: 'noop', decision_id: cmd.decision_id, sha: existing.head.sha, pr_number: existing.number, pr_url: existing.html_url, reason: `pull request #${existing.number} of this decision was merged at ${existing.merged_at}`, attempts: 0 };
      }
      return { status: 'superseded', decision_id: cmd.decision_id, pr_number: existing.number, pr_url: existing.html_url, reason: `pull request #${existing.number} of this decision was closed without merging; it is not reopened`, attempts: 0 };
    }

    // 2. A newer decision for the same region already has its pull request open.
    const newer = (await this.openAutoscalePulls(repo, cmd.branch)).find(
      (p) => p.marker.service === cmd.service && p.marker.region === cmd.region && p.marker.decision_seq > cmd.decision_seq,
    );
    if (newer) {
      return { status: 'superseded', decision_id: cmd.decision_id, reason: `pull request #${newer.pull.number} of a newer decision ${newer.marker.decision_id} (sequence ${newer.marker.decision_seq} > ${cmd.decision_seq}) is open for ${cmd.service} ${cmd.region}`, attempts: 0 };
    }

    // 3. The precondition, on the base branch.
    const base = await this.readFile(repo, cmd.file, cmd.branch);
    if (!base) throw new Done(failed(cmd.decision_id, `${cmd.file} does not exist on ${cmd.branch}; nothing opened`, 0));
    const baseEdit = this.precondition(cmd, base.text, cmd.branch);
    if (!baseEdit.changed) return { status: 'noop', decision_id: cmd.decision_id, reason: `${baseEdit.reason} on ${cmd.branch}; no pull request needed`, attempts: 0 };

    // 4. The branch, at the base head (an existing one is an earlier attempt: reused).
    const baseHead = await this.call(`read ref heads/${cmd.branch}`, () => this.octokit.rest.git.getRef({ ...repo, ref: `heads/${cmd.branch}` }));
    try {
      await this.octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: baseHead.data.object.sha });
      this.log.info({ ...fields, sha: baseHead.data.object.sha }, 'branch created');
    } catch (e) {
      if (httpStatus(e) !== 422 || !/already exists/i.test(gitHubMessage(e))) throw toGitHubApiError(e, `create branch ${branch}`);
      this.log.info(fields, 'branch exists from an earlier attempt; reusing it');
    }

    // 5. The commit on the branch; a stale blob sha (409) is re-read and retried.
    const sha = await this.writeFile(cmd, repo, branch, attempts);

    // 6. The pull request (or the one an earlier attempt opened).
    let pull: PullSummary;
    try {
      const created = await this.octokit.rest.pulls.create({ ...repo, title: cmd.message.split('\n')[0]!, head: branch, base: cmd.branch, body: pullRequestBody(cmd), maintainer_can_modify: true });
      pull = created.data;
      this.log.info({ ...fields, pr_number: pull.number }, 'pull request opened');
    } catch (e) {
      if (httpStatus(e) !== 422 || !/already exists/i.test(gitHubMessage(e))) throw toGitHubApiError(e, `open pull request ${branch} -> ${cmd.branch}`);
      const found = await this.pullForBranch(repo, branch);
      if (!found || found.state !== 'open') throw toGitHubApiError(e, `open pull request ${branch} -> ${cmd.branch}`);
      pull = found;
    }

    const autoMerge = cmd.auto_merge ? await this.requestAutoMerge(pull) : '';
    return opened(cmd, pull, `pull request #${pull.number} opened: node_count ${cmd.from} -> ${cmd.to} in ${cmd.file}, ${branch} -> ${cmd.branch}, commit ${sha}${autoMerge}`, attempts.writes, sha);
  }

  private precondition(cmd: GitCommitCommand, text: string, where: string): ReturnType<typeof editNodeCount> {
    try {
      return editNodeCount(text, cmd.from, cmd.to);
    } catch (e) {
      if (e instanceof NodeCountError) throw new Done(failed(cmd.decision_id, `${cmd.file} on ${where}: ${e.message}; nothing opened`, 0));
      throw e;
    }
  }

  private async writeFile(cmd: GitCommitCommand, repo: RepoRef, branch: string, attempts: { writes: number }): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.readFile(repo, cmd.file, branch);
      if (!current) throw new Done(failed(cmd.decision_id, `${cmd.file} disappeared from ${branch}; nothing opened`, attempts.writes));
      const edit = this.precondition(cmd, current.text, branch);
      if (!edit.changed) {
        // An earlier attempt wrote it already.
        const head = await this.call(`read ref heads/${branch}`, () => this.octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` }));
        return head.data.object.sha;
      }
      attempts.writes++;
      try {
        const res = await this.octokit.rest.repos.createOrUpdateFileContents({
          ...repo,
          path: cmd.file,
          branch,
          message: commitMessage(cmd),
          content: Buffer.from(edit.text, 'latin1').toString('base64'),
          sha: current.sha,
          committer: this.identity,
          author: this.identity,
        });
        const sha = res.data.commit.sha;
        if (sha === undefined) throw new GitHubApiError(`write ${cmd.file} on ${branch}: GitHub answered without a commit sha`);
        return sha;
      } catch (e) {
        if (httpStatus(e) !== 409) throw toGitHubApiError(e, `write ${cmd.file} on ${branch}`);
        if (attempt >= this.policy.maxAttempts) {
          throw new Done(failed(cmd.decision_id, `gave up after ${attempts.writes} writes of ${cmd.file} on ${branch}: its blob sha kept changing (409 ${gitHubMessage(e)})`, attempts.writes));
        }
        const delay = backoffDelayMs(this.policy, attempt, this.random);
        this.log.warn({ decision_id: cmd.decision_id, branch, attempt, delay_ms: delay }, 'stale blob sha; reading the file again');
        await this.sleep(delay);
      }
    }
  }

  /** Asks GitHub to merge once checks pass; a refusal is reported in words, never a failure of the PR. */
  private async requestAutoMerge(pull: PullSummary): Promise<string> {
    try {
      await this.octokit.graphql(AUTO_MERGE_MUTATION, { pullRequestId: pull.node_id, ...(this.opts.mergeMethod ? { mergeMethod: this.opts.mergeMethod } : {}) });
      return `; auto-merge requested${this.opts.mergeMethod ? ` (${this.opts.mergeMethod.toLowerCase()})` : ''}`;
    } catch (e) {
      const errors = graphqlErrors(e);
      if (errors) return `; auto-merge not enabled: GitHub refused it (${errors.join('; ')})`;
      const err = toGitHubApiError(e, `request auto-merge of #${pull.number}`);
      if (err.retryable) throw err; // a redelivery finds the PR open and asks again
      return `; auto-merge not enabled: ${err.message}`;
    }
  }

  /**
   * Closes the open autoscale pull requests of the same service and region from older decisions,
   * each with a comment naming the newer decision. Idempotent: closed ones are no longer listed.
   */
  async closeSupersededPullRequests(newer: GitCommitCommand): Promise<ClosedPullRequest[]> {
    if (newer.repository === undefined) throw new InvalidCommandError(['"repository" is required to close pull requests']);
    const repo = parseRepository(newer.repository);
    const closed: ClosedPullRequest[] = [];
    try {
      for (const { pull, marker } of await this.openAutoscalePulls(repo, newer.branch)) {
        if (marker.service !== newer.service || marker.region !== newer.region) continue;
        if (marker.decision_id === newer.decision_id || marker.decision_seq >= newer.decision_seq) continue;
        await this.octokit.rest.issues.createComment({
          ...repo,
          issue_number: pull.number,
          body: `Superseded by decision \`${newer.decision_id}\` (sequence ${newer.decision_seq}): ${newer.message.split('\n')[0]}. This pull request (decision \`${marker.decision_id}\`, sequence ${marker.decision_seq}, node_count ${marker.from} -> ${marker.to}) is closed unmerged.`,
        });
        await this.octokit.rest.pulls.update({ ...repo, pull_number: pull.number, state: 'closed' });
        this.log.info({ decision_id: newer.decision_id, closed_pr: pull.number, closed_decision: marker.decision_id }, 'superseded pull request closed');
        closed.push({ number: pull.number, url: pull.html_url, decision_id: marker.decision_id, decision_seq: marker.decision_seq });
      }
    } catch (e) {
      throw toGitHubApiError(e, `close pull requests superseded by ${newer.decision_id}`);
    }
    return closed;
  }

  /** Whether a pull request is merged (and its state), for the caller's pending-operation guard. */
  async pullRequestMerged(repository: string, pullNumber: number): Promise<{ merged: boolean; state: 'open' | 'closed' }> {
    const repo = parseRepository(repository);
    const res = await this.call(`read pull request #${pullNumber}`, () => this.octokit.rest.pulls.get({ ...repo, pull_number: pullNumber }));
    return { merged: res.data.merged || res.data.merged_at !== null, state: res.data.state === 'open' ? 'open' : 'closed' };
  }

  /** True when the base branch's file shows node_count = `to`: the action is no longer pending. */
  async baseShows(repository: string, branch: string, file: string, to: number): Promise<boolean> {
    const found = await this.readFile(parseRepository(repository), file, branch);
    if (!found) return false;
    try {
      return readNodeCount(found.text) === to;
    } catch (e) {
      if (e instanceof NodeCountError) return false;
      throw e;
    }
  }

  private async readFile(repo: RepoRef, path: string, ref: string): Promise<FileAt | undefined> {
    let res;
    try {
      res = await this.octokit.rest.repos.getContent({ ...repo, path, ref });
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw toGitHubApiError(e, `read ${path} at ${ref}`);
    }
    const data = res.data;
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    if (data.encoding !== 'base64') throw new GitHubApiError(`read ${path} at ${ref}: content came as ${data.encoding}, not base64 (a file over 1 MB?)`);
    return { text: Buffer.from(data.content, 'base64').toString('latin1'), sha: data.sha };
  }

  /** The pull request whose head is this branch: an open one first, else the newest. */
  private async pullForBranch(repo: RepoRef, branch: string): Promise<PullSummary | undefined> {
    const pulls = await this.call(`list pull requests of ${branch}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { ...repo, head: `${repo.owner}:${branch}`, state: 'all', per_page: 100 }),
    );
    const mine = pulls.filter((p) => p.head.ref === branch).sort((a, b) => b.number - a.number);
    return mine.find((p) => p.state === 'open') ?? mine[0];
  }

  private async openAutoscalePulls(repo: RepoRef, base: string): Promise<Array<{ pull: PullSummary; marker: PullRequestMarker }>> {
    const pulls = await this.call(`list open pull requests on ${base}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { ...repo, state: 'open', base, per_page: 100 }),
    );
    const found: Array<{ pull: PullSummary; marker: PullRequestMarker }> = [];
    for (const pull of pulls) {
      const marker = parseMarker(pull.body);
      if (marker) found.push({ pull, marker });
    }
    return found;
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toGitHubApiError(e, doing);
    }
  }
}

function graphqlErrors(e: unknown): string[] | undefined {
  if (isHttpError(e) || typeof e !== 'object' || e === null) return undefined;
  const errors = (e as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((x: unknown) => (typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string' ? (x as { message: string }).message : JSON.stringify(x)));
}

function opened(cmd: GitCommitCommand, pull: PullSummary, reason: string, attempts: number, sha = pull.head.sha): GitCommitOutcome {
  return { status: 'pr_opened', decision_id: cmd.decision_id, sha, pr_number: pull.number, pr_url: pull.html_url, reason, attempts };
}

function failed(decisionId: string, reason: string, attempts: number): GitCommitOutcome {
  return { status: 'failed', decision_id: decisionId, reason, attempts };
}

