// The small pure pieces: subjects, outcome feedback, retry delays, policy normalization, the
// nodes bucket reader, the cache directory claim.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredDeclaration, DesiredSnapshot } from '@plane/backbone';
import type { AutoscaleSpec, RegionSpec } from '@plane/declarations';
import { parseFlags } from '@plane/runtime';
import { claimCacheDir } from '../src/cache-dir.js';
import { FLAGS, refuseSecretFlags, settingsOf } from '../src/settings.js';
import { decisionSubject, drainEventId, gitCommandSubject, gitOutcomeSubject, toCommandOutcome, type GitCommitOutcomeData } from '../src/events.js';
import { retryDelayMs } from '../src/executor/git-commit-worker.js';
import { policiesOf } from '../src/leader/evaluator.js';
import { nodeViewOf } from '../src/leader/nodes-view.js';
import { nodeHealth } from './world.js';

function outcome(status: GitCommitOutcomeData['status'], over: Partial<GitCommitOutcomeData> = {}): GitCommitOutcomeData {
  return {
    decision_id: 'd1',
    decision_seq: 7,
    service: 'svc-plus',
    region: 'jp',
    file: 'infra/node-pool/jp.tfvars',
    from: 2,
    to: 3,
    mode: 'push',
    branch: 'main',
    repository: null,
    status,
    sha: 'abc',
    pr_number: null,
    pr_url: null,
    reason: 'why',
    attempt: 1,
    writes: 1,
    retry_in_ms: null,
    error: null,
    ...over,
  };
}

describe('subjects', () => {
  it('names one kind token per decider event, and the command and outcome subjects', () => {
    expect(decisionSubject('ScaleDecided', 'svc-plus', 'jp')).toBe('autoscale.decided.svc-plus.jp');
    expect(decisionSubject('ScaleCommitRequested', 'svc-plus', 'jp')).toBe('autoscale.commit.svc-plus.jp');
    expect(decisionSubject('ScaleActionFailed', 'svc-plus', 'jp')).toBe('autoscale.failed.svc-plus.jp');
    expect(gitCommandSubject('platform')).toBe('cmd.git.platform');
    expect(gitOutcomeSubject('pr_opened', 'platform')).toBe('git.pr_opened.platform');
    expect(() => decisionSubject('ScaleHeld', 'Svc.Plus', 'jp')).toThrow(/not a valid subject token/);
    expect(drainEventId('d1', 'jp-2', true)).toBe('autoscale-drain:d1:jp-2:on');
  });
});

describe('outcome feedback', () => {
  it('maps the executor statuses to what the decider reads', () => {
    expect(toCommandOutcome(outcome('committed'), 5)).toEqual({ decision_id: 'd1', status: 'pushed', at: 5, commit: 'abc', reason: null });
    expect(toCommandOutcome(outcome('pr_opened'), 5)?.status).toBe('pull_request_opened');
    expect(toCommandOutcome(outcome('noop'), 5)?.status).toBe('no_op');
    expect(toCommandOutcome(outcome('merged'), 5)?.status).toBe('merged');
    expect(toCommandOutcome(outcome('failed', { sha: null }), 5)).toMatchObject({ status: 'failed', reason: 'why', commit: null });
    expect(toCommandOutcome(outcome('superseded'), 5)).toMatchObject({ status: 'failed', reason: 'superseded: why' });
    expect(toCommandOutcome(outcome('retrying'), 5)).toBeNull();
  });
});

describe('retry delays', () => {
  it('doubles per attempt with jitter into [half, full], capped, and never under retry-after', () => {
    expect(retryDelayMs(1, { baseMs: 1000, maxMs: 60_000, random: () => 0 })).toBe(500);
    expect(retryDelayMs(1, { baseMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(1000);
    expect(retryDelayMs(4, { baseMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(8000);
    expect(retryDelayMs(20, { baseMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(60_000);
    expect(retryDelayMs(1, { baseMs: 1000, maxMs: 60_000, retryAfterS: 42, random: () => 0 })).toBe(42_000);
  });
});

describe('policies', () => {
  it('resolves node pools against region declarations and fills in the branch', () => {
    const spec = {
      service: 'svc-plus',
      regions: [
        { name: 'jp', node_pool: 'infra/node-pool/jp.tfvars', node_pool_source: 'default' },
        { name: 'sg', node_pool: 'infra/custom/sg.tfvars', node_pool_source: 'declared' },
      ],
      git: { mode: 'push', auto_merge: false },
    } as unknown as AutoscaleSpec;
    const decl = (kind: 'autoscale' | 'region', name: string, s: unknown): DesiredDeclaration => ({ kind, name, file: `${kind}/${name}.yaml`, repo: 'r', commit: 'c1', version: 1, digest: 'x', spec: s });
    const snapshot: DesiredSnapshot = {
      syncs: [],
      declarations: [decl('autoscale', 'svc-plus', spec), decl('region', 'jp', { name: 'jp', node_pool: 'infra/pools/jp-east.tfvars' } as RegionSpec), decl('region', 'sg', { name: 'sg', node_pool: 'infra/pools/sg.tfvars' } as RegionSpec)],
    };
    const [p] = policiesOf(snapshot, 'release');
    expect(p!.spec.regions.map((r) => r.node_pool)).toEqual(['infra/pools/jp-east.tfvars', 'infra/custom/sg.tfvars']);
    expect(p!.spec.git.branch).toBe('release');
    expect(p!.commit).toBe('c1');
  });
});

describe('the nodes bucket reader', () => {
  it('keeps the fields the decider reads and refuses what is not a node', () => {
    const h = nodeHealth('svc-plus', 'jp', 'jp-0', { cpu: 0.82 });
    expect(nodeViewOf(h)).toMatchObject({ service: 'svc-plus', region: 'jp', node_id: 'jp-0', state: 'ready', metrics: { cpu: 0.82, samples: 6 }, deregistered: false });
    expect(nodeViewOf({ ...h, state: 'weird', metrics: null })).toMatchObject({ state: null, metrics: null });
    expect(nodeViewOf({ node_id: 'x' })).toBeUndefined();
    expect(nodeViewOf(42)).toBeUndefined();
  });
});

describe('cache directories', () => {
  it('gives a second live process the next directory, takes over a dead owner, and refuses an explicit one in use', () => {
    const base = join(mkdtempSync(join(tmpdir(), 'plane-claim-')), 'cache');
    const first = claimCacheDir(base, false);
    expect(first.path).toBe(base);
    // Pretend a live process (our parent) holds it.
    writeFileSync(join(base, 'owner.pid'), String(process.ppid));
    expect(claimCacheDir(base, false).path).toBe(`${base}-1`);
    expect(() => claimCacheDir(base, true)).toThrow(/in use by process/);
    writeFileSync(join(base, 'owner.pid'), '999999999');
    const again = claimCacheDir(base, true);
    expect(again.path).toBe(base);
    expect(readFileSync(join(base, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    again.release();
  });
});

describe('settings', () => {
  const settings = (argv: string[]) => {
    refuseSecretFlags(argv);
    return settingsOf(parseFlags(argv, FLAGS, {}).values);
  };

  it('takes the defaults of INTERFACES.md', () => {
    const s = settings(['--repo', '/srv/git/platform.git']);
    expect(s).toMatchObject({ repo: 'platform', branch: 'main', evaluateIntervalMs: 5000, dryRun: false, leaseTtlMs: 10_000, githubApiUrl: 'https://api.github.com', githubToken: undefined, cacheDirExplicit: false });
  });

  it('refuses bad settings with one clear message', () => {
    const cases: [string[], RegExp][] = [
      [['--repo', '/x', '--evaluate-interval', 'often'], /--evaluate-interval/],
      [['--repo', 'https://user:pw@example.com/a.git'], /--repo must not carry credentials/],
      [['--repo', '/x', '--github-token-file', '/nonexistent/token'], /cannot read file \/nonexistent\/token/],
      [['--repo', '/x', '--lease-ttl', '10ms'], /--lease-ttl must be at least 1s/],
      [['--repo', '/x', '--branch', 'a..b'], /--branch/],
      [['--repo', '/x', '--repo-name', 'Not A Token'], /--repo-name/],
      [['--repo', '/x', '--git-token=hunter2'], /--git-token is not accepted on the command line/],
    ];
    for (const [argv, message] of cases) expect(() => settings(argv), argv.join(' ')).toThrow(message);
  });
});
