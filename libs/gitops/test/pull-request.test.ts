// pull_request mode through the real @octokit/rest against the local GitHub stand-in.
import { createHash } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../standins/src/github/index.js';
import type { GitCommitCommand } from '../src/command.js';
import { GitHubApiError } from '../src/github/errors.js';
import { pullRequestBranch } from '../src/github/marker.js';
import { PullRequestExecutor, type PullRequestExecutorOptions } from '../src/github/pull-request-executor.js';

const REPO = 'acme/platform';
const JP = 'infra/node-pool/jp.tfvars';
const SG = 'infra/node-pool/sg.tfvars';
const JP_TEXT = '# jp pool\nregion     = "jp"\nnode_count = 2 # autoscaler\n';
const SG_TEXT = 'region = "sg"\nnode_count = 1\n';

let gh: GitHubStandIn;
let delays: number[];

function command(overrides: Partial<GitCommitCommand> = {}): GitCommitCommand {
  return {
    decision_id: 'c0ffee00112233445566778899aabbcc',
    service: 'svc-plus',
    region: 'jp',
    file: JP,
    from: 2,
    to: 3,
    message: 'autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)',
    mode: 'pull_request',
    branch: 'main',
    repository: REPO,
    auto_merge: false,
    explanation: '### Why\njp CPU **0.82** over 5m > scale_up_cpu 0.7: 2 -> 3 nodes.',
    decision_seq: 100,
    ...overrides,
  };
}

function executor(opts: Partial<PullRequestExecutorOptions> = {}): PullRequestExecutor {
  return new PullRequestExecutor({ token: gh.token, baseUrl: gh.url, sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...opts });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

beforeEach(async () => {
  gh = await startGitHubStandIn({ repositories: [{ fullName: REPO, files: { [JP]: JP_TEXT, [SG]: SG_TEXT }, allowAutoMerge: true }] });
  delays = [];
});

afterEach(async () => {
  await gh.stop();
});

describe('pull_request mode', () => {
  it('opens a pull request from a branch per decision, with the explanation as body and the trailer in the commit', async () => {
    const cmd = command();
    const outcome = await executor().execute(cmd);
    const branch = pullRequestBranch(cmd);
    expect(branch).toBe('autoscale/svc-plus-jp-c0ffee001122');
    expect(outcome).toMatchObject({ status: 'pr_opened', decision_id: cmd.decision_id, pr_number: 1, pr_url: `${gh.url}/${REPO}/pull/1`, attempts: 1 });
    const [pr] = gh.pullRequests(REPO);
    expect(pr).toMatchObject({ number: 1, state: 'open', head: branch, base: 'main', title: cmd.message, autoMerge: null });
    expect(pr!.body).toContain(cmd.explanation);
    expect(pr!.body).toContain('<!-- plane-autoscale {"decision_id":"c0ffee00112233445566778899aabbcc","decision_seq":100');
    expect(gh.file(REPO, branch, JP)).toBe(JP_TEXT.replace('= 2 ', '= 3 '));
    expect(gh.file(REPO, 'main', JP)).toBe(JP_TEXT);
    const [head] = gh.commits(REPO, branch);
    expect(head!.sha).toBe(outcome.sha);
    expect(head!.message).toBe(`${cmd.message}\n\nAutoscale-Decision: ${cmd.decision_id}\nAutoscale-Sequence: 100\n`);
    expect(head!.author).toMatchObject({ name: 'plane-autoscaler', email: 'autoscaler@plane.invalid' });
    // The executor's requests, in order: what exists, the precondition, the branch, the write, the PR.
    expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /repos/${REPO}/pulls 200`,
      `GET /repos/${REPO}/pulls 200`,
      `GET /repos/${REPO}/contents/${JP} 200`,
      `GET /repos/${REPO}/git/ref/heads/main 200`,
      `POST /repos/${REPO}/git/refs 201`,
      `GET /repos/${REPO}/contents/${JP} 200`,
      `PUT /repos/${REPO}/contents/${JP} 200`,
      `POST /repos/${REPO}/pulls 201`,
    ]);
  });

  it('a redelivered command finds its pull request: same number, nothing written', async () => {
    const first = await executor().execute(command());
    gh.clearRequests();
    const again = await executor().execute(command());
    expect(again).toMatchObject({ status: 'pr_opened', pr_number: first.pr_number, pr_url: first.pr_url, sha: first.sha, attempts: 0 });
    expect(again.reason).toContain('already open');
    expect(gh.writes()).toEqual([]);
    expect(gh.pullRequests(REPO)).toHaveLength(1);
  });

  it('a delivery that died after the write resumes: the branch is reused, the file not written twice', async () => {
    gh.failNext(1, { kind: 'status', status: 502, message: 'Server Error' }, { method: 'POST', path: '/pulls' });
    const err = await rejection(executor().execute(command()));
    expect(err).toBeInstanceOf(GitHubApiError);
    expect(err).toMatchObject({ status: 502, code: 'server_error', retryable: true });
    gh.clearRequests();
    const outcome = await executor().execute(command());
    expect(outcome).toMatchObject({ status: 'pr_opened', pr_number: 1, attempts: 0 });
    expect(gh.writes().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`POST /repos/${REPO}/git/refs 422`, `POST /repos/${REPO}/pulls 201`]);
    expect(gh.commits(REPO, pullRequestBranch(command())).filter((c) => c.message.includes('Autoscale-Decision'))).toHaveLength(1);
  });

  it('a stale blob sha (409) is read again and retried, keeping the concurrent change', async () => {
    const branch = pullRequestBranch(command());
    // Someone pushes to the PR branch between our read and our write.
    gh.onRequest({ method: 'PUT', path: '/contents/' }, () => void gh.commitFiles(REPO, branch, { [JP]: `# reviewed by ops\n${JP_TEXT}` }, 'review note'));
    const outcome = await executor().execute(command());
    expect(outcome).toMatchObject({ status: 'pr_opened', attempts: 2 });
    expect(gh.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([409, 200]);
    expect(delays).toEqual([150]);
    expect(gh.file(REPO, branch, JP)).toBe(`# reviewed by ops\n${JP_TEXT.replace('= 2 ', '= 3 ')}`);
  });

  it('closes older open pull requests of the same service and region with a comment naming the newer decision', async () => {
    const exec = executor();
    const older = await exec.execute(command());
    const otherRegion = await exec.execute(command({ decision_id: 'sg0000000000000001', region: 'sg', file: SG, from: 1, to: 2, decision_seq: 101, message: 'autoscale: svc-plus sg scale_out 1 -> 2' }));
    const newerCmd = command({ decision_id: 'beef00000000000000000002', from: 2, to: 4, decision_seq: 102, message: 'autoscale: svc-plus jp scale_out 2 -> 4 (cpu=0.95)' });
    const newer = await exec.execute(newerCmd);
    expect(newer).toMatchObject({ status: 'pr_opened', pr_number: 3 });

    const closed = await exec.closeSupersededPullRequests(newerCmd);
    expect(closed).toEqual([{ number: older.pr_number, url: older.pr_url, decision_id: command().decision_id, decision_seq: 100 }]);
    const states = Object.fromEntries(gh.pullRequests(REPO).map((p) => [p.number, p.state]));
    expect(states).toEqual({ [older.pr_number!]: 'closed', [otherRegion.pr_number!]: 'open', [newer.pr_number!]: 'open' });
    const [comment] = gh.comments(REPO, older.pr_number);
    expect(comment!.body).toContain('Superseded by decision `beef00000000000000000002` (sequence 102)');
    expect(await exec.closeSupersededPullRequests(newerCmd)).toEqual([]); // idempotent

    // The older command, redelivered, stays closed.
    const redelivered = await exec.execute(command());
    expect(redelivered).toMatchObject({ status: 'superseded', pr_number: older.pr_number });
  });

  it('an older decision arriving while a newer one has its pull request open is superseded', async () => {
    const exec = executor();
    await exec.execute(command({ decision_id: 'beef00000000000000000002', to: 4, decision_seq: 102 }));
    gh.clearRequests();
    const stale = await exec.execute(command());
    expect(stale.status).toBe('superseded');
    expect(stale.reason).toContain('sequence 102 > 100');
    expect(gh.writes()).toEqual([]);
  });

  it.each([
    [403, 'secondary_rate_limit'],
    [429, 'secondary_rate_limit'],
  ] as const)('a %i with retry-after is a typed retryable error carrying the wait', async (status, code) => {
    gh.failNext(1, { kind: 'secondary_rate_limit', status, retryAfterS: 42 });
    const err = await rejection(executor().execute(command()));
    expect(err).toBeInstanceOf(GitHubApiError);
    expect(err).toMatchObject({ status, code, retryAfterS: 42, retryable: true });
    expect(delays).toEqual([]); // not slept inside
    expect((await executor().execute(command())).status).toBe('pr_opened');
  });

  it('an exhausted primary limit (x-ratelimit-remaining 0) carries the wait until x-ratelimit-reset', async () => {
    gh.failNext(1, { kind: 'rate_limit', resetInS: 120 }, { method: 'PUT' });
    const err = await rejection(executor().execute(command()));
    expect(err).toMatchObject({ name: 'GitHubApiError', status: 403, code: 'rate_limited', retryable: true });
    expect((err as GitHubApiError).retryAfterS).toBeGreaterThanOrEqual(118);
    expect((err as GitHubApiError).retryAfterS).toBeLessThanOrEqual(121);
  });

  it('requests auto-merge when asked; a repository that does not allow it is reported, not a failure', async () => {
    const asked = await executor({ mergeMethod: 'SQUASH' }).execute(command({ auto_merge: true }));
    expect(asked.status).toBe('pr_opened');
    expect(asked.reason).toContain('auto-merge requested (squash)');
    expect(gh.pullRequests(REPO)[0]!.autoMerge).toEqual({ mergeMethod: 'squash', enabledBy: 'plane-bot' });
    expect(gh.requests.filter((r) => r.path === '/graphql').map((r) => r.status)).toEqual([200]);

    gh.setAllowAutoMerge(REPO, false);
    const refused = await executor().execute(command({ decision_id: 'sg-automerge-1', region: 'sg', file: SG, from: 1, to: 2, auto_merge: true }));
    expect(refused.status).toBe('pr_opened');
    expect(refused.reason).toContain('auto-merge not enabled: GitHub refused it (Auto merge is not allowed for this repository)');
    expect(gh.pullRequests(REPO)[1]!.autoMerge).toBeNull();
  });

  it('after the pull request is merged the base shows the new count, and a redelivery is a noop', async () => {
    const exec = executor();
    const cmd = command();
    const opened = await exec.execute(cmd);
    expect(await exec.baseShows(REPO, 'main', JP, 3)).toBe(false);
    expect(await exec.pullRequestMerged(REPO, opened.pr_number!)).toEqual({ merged: false, state: 'open' });
    gh.mergePullRequest(REPO, opened.pr_number!);
    expect(await exec.baseShows(REPO, 'main', JP, 3)).toBe(true);
    expect(await exec.pullRequestMerged(REPO, opened.pr_number!)).toEqual({ merged: true, state: 'closed' });
    expect(gh.file(REPO, 'main', JP)).toBe(JP_TEXT.replace('= 2 ', '= 3 '));
    expect(await exec.execute(cmd)).toMatchObject({ status: 'noop', pr_number: opened.pr_number });
  });

  it('a failed precondition opens nothing', async () => {
    const outcome = await executor().execute(command({ from: 5, to: 6 }));
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('node_count is 2 on line 3, but the command expects 5');
    expect(gh.writes()).toEqual([]);
    expect(Object.keys(gh.branches(REPO))).toEqual(['main']);
    const missing = await executor().execute(command({ file: 'infra/node-pool/us.tfvars' }));
    expect(missing).toMatchObject({ status: 'failed', reason: 'infra/node-pool/us.tfvars does not exist on main; nothing opened' });
  });

  it('bad credentials are a failed outcome, not a retry', async () => {
    const outcome = await new PullRequestExecutor({ token: 'wrong', baseUrl: gh.url }).execute(command());
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('GitHub answered 401: Bad credentials');
  });
});

describe('GitHub stand-in', () => {
  const raw = (token: string | null = gh.token) => new Octokit({ ...(token !== null ? { auth: token } : {}), baseUrl: gh.url, log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  const [owner, repo] = REPO.split('/') as [string, string];

  it('answers with GitHub error shapes: 401, 404, 409 stale sha, 422 missing sha, 422 existing ref', async () => {
    const body = async (p: Promise<unknown>) => ((await rejection(p)) as { status: number; response: { data: unknown } });
    const unauth = await body(raw(null).rest.repos.getContent({ owner, repo, path: JP }));
    expect(unauth.status).toBe(401);
    expect(unauth.response.data).toEqual({ message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect((await body(raw().rest.repos.getContent({ owner, repo, path: 'nope' }))).status).toBe(404);

    const file = await raw().rest.repos.getContent({ owner, repo, path: JP, ref: 'main' });
    const sha = (file.data as { sha: string }).sha;
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const put = (s: string | undefined) => raw().rest.repos.createOrUpdateFileContents({ owner, repo, path: JP, message: 'x', content: Buffer.from('node_count = 9\n').toString('base64'), ...(s !== undefined ? { sha: s } : {}), branch: 'main' });
    const stale = await body(put('0'.repeat(40)));
    expect(stale.status).toBe(409);
    expect(stale.response.data).toMatchObject({ message: `${JP} does not match ${'0'.repeat(40)}`, status: '409' });
    expect((await body(put(undefined))).response.data).toMatchObject({ message: 'Invalid request.\n\n"sha" wasn\'t supplied.', status: '422' });
    expect((await put(sha)).status).toBe(200);

    const main = await raw().rest.git.getRef({ owner, repo, ref: 'heads/main' });
    const dup = await body(raw().rest.git.createRef({ owner, repo, ref: 'refs/heads/main', sha: main.data.object.sha }));
    expect(dup.status).toBe(422);
    expect(dup.response.data).toMatchObject({ message: 'Reference already exists' });
  });

  it('computes git blob shas and serves rate-limit headers', async () => {
    const res = await raw().rest.repos.getContent({ owner, repo, path: SG });
    // What `git hash-object` says for the same bytes.
    const expected = createHash('sha1').update(`blob ${SG_TEXT.length}\0${SG_TEXT}`).digest('hex');
    expect((res.data as { sha: string }).sha).toBe(expected);
    expect(res.headers['x-ratelimit-limit']).toBe('5000');
    expect(res.headers['x-ratelimit-remaining']).toBe('4999');
  });
});
