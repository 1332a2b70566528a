// A local stand-in for the parts of GitHub's API that the autoscaler's pull-request flow uses,
// which @octokit/rest talks to unmodified via `baseUrl`: contents (read, write with the blob-sha
// precondition), refs, pull requests, issue comments, and the GraphQL enablePullRequestAutoMerge
// mutation. State lives in memory; tests seed it, push to it as someone else would, merge pull
// requests, read it back, read the request log and inject failures (rate limits, 5xx).
import type { Server } from 'node:http';
import { pullJson } from './rest.js';
import { listen, type InjectedFailure, type RateLimit, type RequestMatch, type ServerParts, type StandInRequest } from './server.js';
import { nowIso, StandInRepo, StandInState, type Identity, type StandInComment, type StandInPull } from './state.js';

export type { InjectedFailure, RateLimit, RequestMatch, StandInRequest };

export interface SeedRepository {
  /** `owner/name`. */
  fullName: string;
  defaultBranch?: string;
  /** Files of the first commit on the default branch. */
  files?: Record<string, string | Buffer>;
  /** Whether the repository allows auto-merge (GitHub's default: false). */
  allowAutoMerge?: boolean;
}

export interface GitHubStandInOptions {
  /** Accepted tokens -> the login they act as (default `{ 'test-token': 'plane-bot' }`). */
  tokens?: Record<string, string>;
  repositories?: SeedRepository[];
  /** Primary limit per token (default 5,000 per hour). */
  rateLimit?: RateLimit;
}

/** A pull request as the tests see it. */
export interface PullRequestView {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  merged: boolean;
  head: string;
  base: string;
  headSha: string;
  nodeId: string;
  autoMerge: { mergeMethod: string; enabledBy: string } | null;
  url: string;
}

export interface CommitView {
  sha: string;
  message: string;
  parents: string[];
  author: Identity;
  committer: Identity;
}

export interface GitHubStandIn {
  /** For Octokit's `baseUrl`. */
  readonly url: string;
  /** The first accepted token. */
  readonly token: string;
  createRepository(seed: SeedRepository): void;
  setAllowAutoMerge(repository: string, allow: boolean): void;
  /** Commits files on a branch as someone else would (null deletes); creates the branch from the default one when missing. Returns the commit sha. */
  commitFiles(repository: string, branch: string, files: Record<string, string | Buffer | null>, message?: string): string;
  /** Files at a branch or commit, as UTF-8 text. */
  files(repository: string, ref: string): Record<string, string>;
  file(repository: string, ref: string, path: string): string | undefined;
  /** Branch -> head commit sha. */
  branches(repository: string): Record<string, string>;
  /** First-parent history of a ref, newest first. */
  commits(repository: string, ref: string): CommitView[];
  pullRequests(repository: string): PullRequestView[];
  comments(repository: string, number?: number): StandInComment[];
  /** Merges a pull request like the merge button (a merge commit on the base); returns the merge commit sha. */
  mergePullRequest(repository: string, number: number): string;
  /** Every request received, in order. */
  readonly requests: readonly StandInRequest[];
  /** Requests that were not reads. */
  writes(): StandInRequest[];
  clearRequests(): void;
  /** The next `count` requests (that match, when `match` is given) answer with this failure instead of being served. */
  failNext(count: number, failure: InjectedFailure, match?: RequestMatch): void;
  /** Runs `effect` when the next `times` matching requests arrive, before they are served (a concurrent writer, ...). */
  onRequest(match: RequestMatch, effect: (request: { method: string; path: string }) => void, times?: number): void;
  resetRateLimit(): void;
  stop(): Promise<void>;
}

export async function startGitHubStandIn(opts: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const tokens = new Map(Object.entries(opts.tokens ?? { 'test-token': 'plane-bot' }));
  if (tokens.size === 0) throw new Error('the GitHub stand-in needs at least one token');
  const state = new StandInState();
  const parts: ServerParts = { state, tokens, log: [], failures: [], effects: [], rateLimit: opts.rateLimit ?? { limit: 5000, windowS: 3600 }, usage: new Map(), base: '' };
  const someone: () => Identity = () => ({ name: 'Someone Else', email: 'someone@example.test', date: nowIso() });

  const repoOf = (fullName: string): StandInRepo => {
    const [owner, name] = fullName.split('/');
    const repo = owner && name ? state.repo(owner, name) : undefined;
    if (!repo) throw new Error(`the GitHub stand-in has no repository ${fullName}`);
    return repo;
  };
  const createRepository = (seed: SeedRepository): void => {
    const [owner, name, ...rest] = seed.fullName.split('/');
    if (!owner || !name || rest.length > 0) throw new Error(`repository must be owner/name, got ${seed.fullName}`);
    const repo = new StandInRepo(owner, name, seed.defaultBranch ?? 'main', seed.allowAutoMerge ?? false);
    const files: Record<string, Buffer> = {};
    for (const [path, content] of Object.entries(seed.files ?? { 'README.md': `# ${name}\n` })) files[path] = Buffer.isBuffer(content) ? content : Buffer.from(content);
    repo.commitOnBranch(repo.defaultBranch, files, 'Initial commit', someone());
    state.addRepo(repo);
  };
  for (const seed of opts.repositories ?? []) createRepository(seed);

  const server: Server = await listen(parts);
  const view = (repo: StandInRepo, p: StandInPull): PullRequestView => ({
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    merged: p.merged,
    head: p.head,
    base: p.base,
    headSha: repo.headSha(p),
    nodeId: p.node_id,
    autoMerge: p.auto_merge ? { mergeMethod: p.auto_merge.merge_method, enabledBy: p.auto_merge.enabled_by.login } : null,
    url: pullJson({ base: parts.base, repo }, p).html_url,
  });

  return {
    url: parts.base,
    token: [...tokens.keys()][0]!,
    createRepository,
    setAllowAutoMerge(repository, allow) {
      repoOf(repository).allowAutoMerge = allow;
    },
    commitFiles(repository, branch, files, message = 'change by someone else') {
      const repo = repoOf(repository);
      if (!repo.branches.has(branch)) repo.branches.set(branch, repo.branches.get(repo.defaultBranch)!);
      const changes: Record<string, Buffer | null> = {};
      for (const [path, content] of Object.entries(files)) changes[path] = content === null ? null : Buffer.isBuffer(content) ? content : Buffer.from(content);
      return repo.commitOnBranch(branch, changes, message, someone()).sha;
    },
    files(repository, ref) {
      const commit = repoOf(repository).resolve(ref);
      if (!commit) throw new Error(`${repository} has no ref ${ref}`);
      return Object.fromEntries([...commit.tree.entries()].map(([p, c]) => [p, c.toString('utf8')]));
    },
    file(repository, ref, path) {
      return repoOf(repository).resolve(ref)?.tree.get(path)?.toString('utf8');
    },
    branches: (repository) => Object.fromEntries(repoOf(repository).branches),
    commits(repository, ref) {
      const repo = repoOf(repository);
      const out: CommitView[] = [];
      let commit = repo.resolve(ref);
      while (commit) {
        out.push({ sha: commit.sha, message: commit.message, parents: [...commit.parents], author: { ...commit.author }, committer: { ...commit.committer } });
        commit = commit.parents[0] === undefined ? undefined : repo.commits.get(commit.parents[0]);
      }
      return out;
    },
    pullRequests(repository) {
      const repo = repoOf(repository);
      return repo.pulls.map((p) => view(repo, p));
    },
    comments(repository, number) {
      return repoOf(repository)
        .comments.filter((c) => number === undefined || c.issue_number === number)
        .map((c) => ({ ...c }));
    },
    mergePullRequest(repository, number) {
      const repo = repoOf(repository);
      const pull = repo.pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`${repository} has no pull request #${number}`);
      return repo.merge(pull, { name: 'Merge Button', email: 'noreply@example.test', date: nowIso() }).sha;
    },
    requests: parts.log,
    writes: () => parts.log.filter((r) => r.method !== 'GET'),
    clearRequests: () => {
      parts.log.length = 0;
    },
    failNext: (count, failure, match) => {
      parts.failures.push({ remaining: count, failure, ...(match ? { match } : {}) });
    },
    onRequest: (match, effect, times = 1) => {
      parts.effects.push({ remaining: times, match, effect });
    },
    resetRateLimit: () => parts.usage.clear(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
