// pull_request mode through the real @octokit/rest against the local GitHub stand-in: a rate
// limit is retried by redelivery (recorded as `retrying`, honouring retry-after), the pull
// request is opened once, and its merge moves the pending action on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAMS } from '@plane/backbone';
import { startGitHubStandIn } from '@plane/standins';
import type { ScaleActionProgressed } from '@plane/autoscale';
import { waitFor } from '@plane/testkit';
import type { GitCommitOutcome } from '../src/events.js';
import { tfvars, World, type Autoscaler, QUICK_POLICY } from './world.js';

const REPO = 'acme/platform';
const POLICY = `${QUICK_POLICY}git:
  mode: pull_request
  repository: ${REPO}
`;

let w: World;
// (@plane/standins does not export the GitHubStandIn type from its index.)
type GitHubStandIn = Awaited<ReturnType<typeof startGitHubStandIn>>;
let gh: GitHubStandIn;
let a: Autoscaler;

async function outcomes(): Promise<GitCommitOutcome['data'][]> {
  return (await w.events(STREAMS.outcomes.name, 'git.>')).map((s) => (s.event as GitCommitOutcome).data);
}

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2) });
  gh = await startGitHubStandIn({ repositories: [{ fullName: REPO, files: { 'infra/node-pool/jp.tfvars': tfvars(2) } }] });
  await w.declareWithJpNodes(POLICY);
  const tokenFile = join(w.dir, 'github-token');
  writeFileSync(tokenFile, `${gh.token}\n`);
  a = await w.spawn('a', ['--github-api-url', gh.url, '--github-token-file', tokenFile, '--pr-poll-interval', '1s']);
  await a.waitReady();
});

afterAll(async () => {
  await gh?.stop();
  await w?.dispose();
});

describe('autoscaler: pull_request mode', () => {
  it('retries a rate-limited request after retry-after, opens one pull request, and moves on when it is merged', async () => {
    gh.failNext(1, { kind: 'secondary_rate_limit', status: 403, retryAfterS: 1 }, { method: 'POST', path: '/pulls' });
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.9 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.9 });
    const opened = await waitFor('the pull request opened', async () => (await outcomes()).find((o) => o.status === 'pr_opened'), 20_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${a.dump()}`);
    });
    const retrying = (await outcomes()).filter((o) => o.status === 'retrying');
    expect(retrying).toHaveLength(1);
    expect(retrying[0]).toMatchObject({ attempt: 1, error: { name: 'GitHubApiError', status: 403, code: 'secondary_rate_limit' } });
    expect(retrying[0]!.retry_in_ms).toBeGreaterThanOrEqual(1000);
    expect(opened).toMatchObject({ attempt: 2, pr_number: 1, repository: REPO, mode: 'pull_request', from: 2, to: 3 });
    const pulls = gh.pullRequests(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.title).toBe('autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.9)');
    expect(pulls[0]!.body).toContain(`planectl explain ${opened.decision_id}`);
    expect(pulls[0]!.body).toContain('| cpu | 0.9 | 0.7 | 0.3 |');
    // Nothing pushed to the Git remote in this mode.
    expect(w.autoscaleCommits()).toHaveLength(0);

    await waitFor('phase committed', async () => (await w.events(STREAMS.decisions.name, 'autoscale.progressed.svc-plus.jp')).map((s) => s.event as ScaleActionProgressed).find((e) => e.data.phase === 'committed'));
    gh.mergePullRequest(REPO, 1);
    const merged = await waitFor('the merge seen', async () => (await outcomes()).find((o) => o.status === 'merged'), 30_000);
    expect(merged).toMatchObject({ decision_id: opened.decision_id, pr_number: 1, attempt: 0 });
    await waitFor('phase merged', async () => (await w.events(STREAMS.decisions.name, 'autoscale.progressed.svc-plus.jp')).map((s) => s.event as ScaleActionProgressed).find((e) => e.data.phase === 'merged'));
    expect(gh.pullRequests(REPO)).toHaveLength(1);
  });
});
