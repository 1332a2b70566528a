// The seed scenario of MISSION.md with the built binary: jp runs 2 nodes at cpu 0.82 -> one
// commit `autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)` on the remote, recorded and fed
// back; sustained load while it is pending commits nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteBucket, openBucket, STREAMS } from '@plane/backbone';
import { git, waitFor } from '@plane/testkit';
import { validateEvent } from '@plane/events';
import { evolve, initialState, type AutoscaleEvent, type ScaleActionProgressed, type ScaleDecided } from '@plane/autoscale';
import type { GitCommitOutcome } from '../src/events.js';
import { sleep, tfvars, waitForHeadChange, World, type Autoscaler } from './world.js';

const POLICY = `service: svc-plus
window: 10s
cooldown: 0s
scale_down_stabilization: 30s
provision_timeout: 60s
warmup: 0s
drain: 0s
regions:
  jp:
    min_nodes: 1
    max_nodes: 5
    scale_up_cpu: 0.7
    scale_down_cpu: 0.3
    scale_up_ram: 0.8
    scale_down_ram: 0.2
`;

let w: World;
let a: Autoscaler;

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2), 'README.md': 'platform\n' });
  await w.declareWithJpNodes(POLICY);
  a = await w.spawn('a');
  await a.waitReady();
});

afterAll(async () => {
  await w?.dispose();
});

describe('autoscaler: the seed scenario', () => {
  it('commits node_count 2 -> 3 once when jp runs hot, with the decision trailer, touching only that line', async () => {
    const before = w.repo.head();
    await sleep(600);
    expect(w.repo.head()).toBe(before);
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.82 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.82 });
    const head = await waitForHeadChange(w.repo, before).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${a.dump()}`);
    });

    const commits = w.autoscaleCommits();
    expect(commits).toHaveLength(1);
    const [subject, , ...trailers] = commits[0]!.message.split('\n');
    expect(subject).toBe('autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)');
    const decided = (await w.events(STREAMS.decisions.name, 'autoscale.decided.>')).filter((s) => s.event.type === 'ScaleDecided');
    expect(decided).toHaveLength(1);
    expect(decided[0]!.subject).toBe('autoscale.decided.svc-plus.jp');
    const d = decided[0]!.event as ScaleDecided;
    expect(trailers).toEqual([`Autoscale-Decision: ${d.id}`, `Autoscale-Sequence: ${decided[0]!.seq}`]);
    expect(d.data).toMatchObject({ kind: 'scale_out', from: 2, to: 3, message: subject });

    const diff = git(w.repo.remote, 'diff', '--unified=0', `${before}`, head);
    const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l));
    expect(changed).toEqual(['-node_count    = 2 # autoscaled', '+node_count    = 3 # autoscaled']);
    expect(w.file('infra/node-pool/jp.tfvars')).toBe(tfvars(3).replace(/\n$/, ''));
    expect(git(w.repo.remote, 'diff', '--name-only', before, head)).toBe('infra/node-pool/jp.tfvars');
  });

  it('records the decision, its command and the outcome, and feeds the outcome back', async () => {
    const commit = (await w.events(STREAMS.decisions.name, 'autoscale.commit.>')).map((s) => s.event);
    expect(commit.map((e) => e.type)).toEqual(['ScaleCommitRequested']);
    const outcome = await waitFor('the committed outcome', async () => {
      const o = (await w.events(STREAMS.outcomes.name, 'git.>')).find((s) => s.event.type === 'GitCommitOutcome');
      return o;
    });
    expect(outcome.subject).toBe('git.committed.remote');
    const data = (outcome.event as GitCommitOutcome).data;
    expect(data).toMatchObject({ status: 'committed', service: 'svc-plus', region: 'jp', file: 'infra/node-pool/jp.tfvars', from: 2, to: 3, sha: w.repo.head(), attempt: 1, pr_number: null });
    // The executor's outcome moves the pending action on: committing -> merged (the count is in the branch).
    const progressed = await waitFor('the action progressed to merged', async () => {
      const p = (await w.events(STREAMS.decisions.name, 'autoscale.progressed.svc-plus.jp')).map((s) => s.event as ScaleActionProgressed);
      return p.find((e) => e.data.phase === 'merged');
    });
    expect(progressed.data).toMatchObject({ decision_id: data.decision_id, commit: data.sha });
    // Every event recorded follows its JSON Schema in schemas/events.
    for (const [stream, filter] of [[STREAMS.decisions.name, 'autoscale.>'], [STREAMS.outcomes.name, 'git.>'], [STREAMS.nodes.name, 'node.*.*.*.drain']] as const) {
      for (const s of await w.events(stream, filter)) expect(validateEvent(s.event), `${s.subject} ${s.event.type}`).toEqual([]);
    }
    expect(await a.metric('autoscaler_git_outcomes_total{status="committed"}')).toBe(1);
    expect(await a.metric('autoscaler_commands_total{kind="git_commit"}')).toBe(1);
    expect(await a.metric('autoscaler_leader')).toBe(1);
    // The leader's views show their lag behind their streams; nothing is left to read.
    await waitFor('the views caught up', async () => ((await a.metric('autoscaler_view_lag_messages{view="nodes"}')) === 0 && (await a.metric('autoscaler_view_lag_messages{view="outcomes"}')) === 0 ? true : undefined), 10_000, 100);
    // The decider's state is in the `autoscale` bucket, projected from DECISIONS.
    const kv = await openBucket(w.plane.nc, 'autoscale');
    await waitFor('the pending action in the autoscale bucket', async () => {
      const e = await kv.get('svc-plus');
      const state = e ? (JSON.parse(new TextDecoder().decode(e.value)) as { regions: Record<string, { pending: { id: string; phase: string } | null }> }) : undefined;
      return state?.regions.jp?.pending?.phase === 'merged' ? true : undefined;
    });
  });

  it('makes no second commit under sustained load while the action is pending, and completes when the third node is ready', async () => {
    for (let i = 0; i < 6; i++) {
      await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.9 });
      await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.88 });
      await sleep(400);
    }
    expect(w.autoscaleCommits()).toHaveLength(1);
    expect((await w.events(STREAMS.decisions.name, 'autoscale.decided.>')).length).toBe(1);

    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.6 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.6 });
    await w.putNode('svc-plus', 'jp', 'jp-2', { cpu: 0.6 });
    const completed = await waitFor('the action completed', async () => (await w.events(STREAMS.decisions.name, 'autoscale.completed.svc-plus.jp'))[0]);
    expect(completed.event.type).toBe('ScaleActionCompleted');
    expect(w.autoscaleCommits()).toHaveLength(1);
  });

  it('rebuilds the autoscale bucket from DECISIONS after it is deleted (a projection, not a source of truth)', async () => {
    for (const id of ['jp-0', 'jp-1', 'jp-2']) await w.putNode('svc-plus', 'jp', id, { cpu: 0.6 });
    await a.stop();
    const kv = await openBucket(w.plane.nc, 'autoscale');
    const before = await kv.get('svc-plus');
    await deleteBucket(w.plane.jsm, 'autoscale');
    a.restart();
    await a.waitReady();
    const fold = (await w.events(STREAMS.decisions.name, 'autoscale.>')).map((s) => s.event as AutoscaleEvent).reduce(evolve, initialState('svc-plus'));
    const rebuilt = await openBucket(w.plane.nc, 'autoscale');
    const value = await waitFor('the rebuilt state', async () => {
      const e = await rebuilt.get('svc-plus');
      return e && e.value.length > 0 ? JSON.parse(new TextDecoder().decode(e.value)) : undefined;
    });
    expect(value).toEqual(fold);
    expect(value).toEqual(JSON.parse(new TextDecoder().decode(before!.value)));
  });
});
