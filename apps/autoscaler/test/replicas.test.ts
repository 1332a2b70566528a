// Two replicas: only the lease holder decides; when it goes, the other takes over from the
// recorded state (the `autoscale` projection) and carries the pending action on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS } from '@plane/backbone';
import { waitFor } from '@plane/testkit';
import { sleep, tfvars, waitForHeadChange, World, type Autoscaler, QUICK_POLICY } from './world.js';

const POLICY = QUICK_POLICY;

let w: World;
let a: Autoscaler;
let b: Autoscaler;

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2) });
  await w.declareWithJpNodes(POLICY);
  a = await w.spawn('a');
  await a.waitReady();
  b = await w.spawn('b');
  await b.waitReady();
});

afterAll(async () => {
  await w?.dispose();
});

describe('autoscaler: two replicas', () => {
  it('lets only the lease holder decide', async () => {
    expect([await a.metric('autoscaler_leader'), await b.metric('autoscaler_leader')].sort()).toEqual([0, 1]);
    const leader = (await a.metric('autoscaler_leader')) === 1 ? a : b;
    const before = w.repo.head();
    for (let i = 0; i < 3; i++) {
      await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.85 });
      await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.85 });
      await sleep(500);
    }
    await waitForHeadChange(w.repo, before);
    await sleep(1000);
    const decisions = await w.events(STREAMS.decisions.name, 'autoscale.>');
    expect(decisions.filter((s) => s.event.type === 'ScaleDecided')).toHaveLength(1);
    expect(new Set(decisions.map((s) => s.event.source))).toEqual(new Set([`autoscaler@${leader.name}`]));
    expect(await leader.metric('autoscaler_decisions_total{type="ScaleDecided"}')).toBe(1);
    const standby = leader === a ? b : a;
    expect(await standby.metric('autoscaler_decisions_total{type="ScaleDecided"}')).toBeUndefined();
    expect(w.autoscaleCommits()).toHaveLength(1);
  });

  it('hands over: the standby takes the lease and completes the pending action', async () => {
    const leader = (await a.metric('autoscaler_leader')) === 1 ? a : b;
    const standby = leader === a ? b : a;
    await leader.stop();
    await waitFor('the standby leads', async () => ((await standby.metric('autoscaler_leader')) === 1 ? true : undefined), 10_000);
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.6 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.6 });
    await w.putNode('svc-plus', 'jp', 'jp-2', { cpu: 0.6 });
    const done = await waitFor('completed', async () => (await w.events(STREAMS.decisions.name, 'autoscale.completed.svc-plus.jp'))[0], 30_000);
    expect(done.event.source).toBe(`autoscaler@${standby.name}`);
    const decided = (await w.events(STREAMS.decisions.name, 'autoscale.decided.>')).length;
    expect(decided).toBe(1);
    expect(w.autoscaleCommits()).toHaveLength(1);
  });
});
