// The git-commit executor under failure: killed after its commit and before its ack (no second
// commit after the restart), and a node pool file without node_count (a failure event, the
// repository untouched).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvent, STREAMS } from '@plane/backbone';
import { envelope } from '@plane/events';
import type { GitCommitCommand } from '@plane/gitops';
import type { ScaleActionProgressed, ScaleHeld } from '@plane/autoscale';
import { waitFor } from '@plane/testkit';
import type { GitCommit, GitCommitOutcome } from '../src/events.js';
import { executorDurable } from '../src/executor/git-commit-worker.js';
import { sleep, tfvars, waitForHeadChange, World, type Autoscaler, QUICK_POLICY } from './world.js';

const POLICY = `${QUICK_POLICY}  sg:
    min_nodes: 0
    max_nodes: 3
    scale_up_cpu: 0.7
    scale_down_cpu: 0.3
`;

let w: World;
let a: Autoscaler;

async function outcomes(): Promise<GitCommitOutcome[]> {
  return (await w.events(STREAMS.outcomes.name, 'git.>')).map((s) => s.event as GitCommitOutcome);
}

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2), 'infra/node-pool/sg.tfvars': tfvars(null, 'sg') });
  await w.declareWithJpNodes(POLICY);
  // The executor of `a` stops for 60 s between its commit and recording the outcome: the crash window.
  a = await w.spawn('a', [], { PLANE_AUTOSCALER_TEST_PAUSE_AFTER_EFFECT_MS: '60000' });
  await a.waitReady();
});

afterAll(async () => {
  await w?.dispose();
});

describe('autoscaler: the git-commit executor', () => {
  it('holds a region whose node pool file has no node_count, and says why', async () => {
    const held = await waitFor('sg held', async () => (await w.events(STREAMS.decisions.name, 'autoscale.held.svc-plus.sg'))[0]);
    expect((held.event as ScaleHeld).data).toMatchObject({ code: 'node_count_unknown', reason: expect.stringContaining('infra/node-pool/sg.tfvars: no top-level "node_count = N" assignment') });
  });

  it('killed after its commit and before its ack, commits nothing more after the restart', async () => {
    const before = w.repo.head();
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.82 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.82 });
    await waitForHeadChange(w.repo, before);
    await a.kill9();
    const committed = w.repo.head();
    expect(w.autoscaleCommits()).toHaveLength(1);
    // Nothing recorded, nothing acked: the command is still in the work queue.
    expect(await outcomes()).toHaveLength(0);
    const pending = await w.plane.jsm.consumers.info(STREAMS.commands.name, executorDurable('remote'));
    expect(pending.num_ack_pending + pending.num_pending).toBe(1);

    a.restart({});
    const noop = await waitFor('the redelivered command settled', async () => (await outcomes()).find((o) => o.data.status !== 'retrying'), 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${a.dump()}`);
    });
    expect(noop.data).toMatchObject({ status: 'noop', sha: committed, attempt: 2, from: 2, to: 3 });
    expect(noop.data.reason).toContain('already applied');
    // The new leader takes the no-op as "the count is in the branch".
    await waitFor('merged', async () => (await w.events(STREAMS.decisions.name, 'autoscale.progressed.svc-plus.jp')).map((s) => s.event as ScaleActionProgressed).find((e) => e.data.phase === 'merged'), 30_000);
    await sleep(1000);
    expect(w.repo.head()).toBe(committed);
    expect(w.autoscaleCommits()).toHaveLength(1);
    const info = await w.plane.jsm.streams.info(STREAMS.commands.name);
    expect(info.state.messages).toBe(0);
  });

  it('records a failure and leaves the repository untouched when the file has no node_count line', async () => {
    const before = w.repo.head();
    const cmd: GitCommitCommand = {
      decision_id: 'autoscale:svc-plus:sg:scale_out-1-2:test',
      service: 'svc-plus',
      region: 'sg',
      file: 'infra/node-pool/sg.tfvars',
      from: 1,
      to: 2,
      message: 'autoscale: svc-plus sg scale_out 1 -> 2 (cpu=0.9)',
      mode: 'push',
      branch: 'main',
      auto_merge: false,
      explanation: 'test',
      decision_seq: 1_000_000,
    };
    const event: GitCommit = envelope('GitCommit', cmd.decision_id, cmd, 'test');
    await publishEvent(w.plane.js, 'cmd.git.remote', event);
    const failed = await waitFor('the failure outcome', async () => (await w.events(STREAMS.outcomes.name, 'git.failed.remote'))[0]);
    const data = (failed.event as GitCommitOutcome).data;
    expect(data).toMatchObject({ status: 'failed', decision_id: cmd.decision_id, file: 'infra/node-pool/sg.tfvars', sha: null });
    expect(data.reason).toMatch(/no top-level "node_count = N" assignment/);
    expect(data.reason).toMatch(/nothing written/);
    expect(w.repo.head()).toBe(before);
    expect(w.file('infra/node-pool/sg.tfvars')).toBe(tfvars(null, 'sg').replace(/\n$/, ''));
  });

  it('records an invalid command as failed and drops it', async () => {
    await publishEvent(w.plane.js, 'cmd.git.remote', envelope('GitCommit', 'bad-1', { decision_id: 'bad-1', file: '../etc/passwd' }, 'test'));
    const failed = await waitFor('the failure outcome', async () => (await w.events(STREAMS.outcomes.name, 'git.failed.remote')).find((s) => (s.event as GitCommitOutcome).data.decision_id === 'bad-1'));
    expect((failed.event as GitCommitOutcome).data.reason).toMatch(/invalid command: .*"file" must be a relative path/);
  });
});
