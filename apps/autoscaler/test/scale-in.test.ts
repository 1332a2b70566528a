// Scale-in drains first: the node that goes (`<region>-<index>`, index >= the new count) is taken
// out of DNS, and the lower count is committed only once it has been out for ttl + drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS } from '@plane/backbone';
import { validateEvent, type NodeDrainChanged } from '@plane/events';
import type { ScaleDecided } from '@plane/autoscale';
import { waitFor } from '@plane/testkit';
import { sleep, tfvars, waitForHeadChange, World, type Autoscaler } from './world.js';

const POLICY = `service: svc-plus
window: 10s
cooldown: 0s
scale_down_stabilization: 2s
provision_timeout: 60s
warmup: 0s
drain: 1s
regions:
  jp:
    min_nodes: 1
    max_nodes: 5
    scale_up_cpu: 0.7
    scale_down_cpu: 0.3
`;

const GTM = `service: svc-plus
dns:
  provider: powerdns
  zone: svc.plus
  ttl: 1
  api_url: http://127.0.0.1:1
domain: api.svc.plus
regions:
  - { name: jp, weight: 100, min_ready_nodes: 1 }
`;

let w: World;
let a: Autoscaler;

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(3) });
  await w.declare({ 'autoscale/svc-plus.yaml': POLICY, 'gtm/svc-plus.yaml': GTM });
  for (const id of ['jp-0', 'jp-1', 'jp-2']) await w.putNode('svc-plus', 'jp', id, { cpu: 0.5 });
  a = await w.spawn('a');
  await a.waitReady();
});

afterAll(async () => {
  await w?.dispose();
});

describe('autoscaler: scale-in', () => {
  it('drains jp-2 after the stabilization window, and commits 3 -> 2 only after it was out of DNS for ttl + drain', async () => {
    const before = w.repo.head();
    const lowAt = Date.now();
    for (const id of ['jp-0', 'jp-1', 'jp-2']) await w.putNode('svc-plus', 'jp', id, { cpu: 0.1 });
    const drain = await waitFor('the drain of jp-2', async () => (await w.events(STREAMS.nodes.name, 'node.svc-plus.jp.*.drain'))[0], 30_000);
    expect(Date.now() - lowAt).toBeGreaterThanOrEqual(1900);
    expect(drain.subject).toBe('node.svc-plus.jp.jp-2.drain');
    const decided = (await w.events(STREAMS.decisions.name, 'autoscale.decided.svc-plus.jp'))[0]!.event as ScaleDecided;
    expect(decided.data).toMatchObject({ kind: 'scale_in', from: 3, to: 2, drain_node_ids: ['jp-2'], phase: 'draining' });
    expect((drain.event as NodeDrainChanged).data).toMatchObject({ service: 'svc-plus', region: 'jp', node_id: 'jp-2', draining: true, by: 'autoscaler' });
    expect((drain.event as NodeDrainChanged).data.reason).toContain(decided.id);
    expect(drain.event.id).toBe(`autoscale-drain:${decided.id}:jp-2:on`);
    expect(validateEvent(drain.event)).toEqual([]);
    expect((await w.events(STREAMS.decisions.name, 'autoscale.drain.svc-plus.jp')).map((s) => s.event.type)).toEqual(['DrainRequested']);

    // jp-2 still serves (the health projection has not taken it out): no commit.
    await sleep(2500);
    expect(w.repo.head()).toBe(before);
    expect(await w.events(STREAMS.commands.name, 'cmd.git.>')).toHaveLength(0);

    // Out of DNS now: the commit follows ttl (1 s) + drain (1 s) later.
    const outAt = Date.now();
    await w.putNode('svc-plus', 'jp', 'jp-2', { cpu: 0.1, state: 'draining', stateForMs: 0 });
    const head = await waitForHeadChange(w.repo, before, 30_000);
    expect(Date.now() - outAt).toBeGreaterThanOrEqual(1900);
    const commits = w.autoscaleCommits();
    expect(commits).toHaveLength(1);
    expect(commits[0]!.sha).toBe(head);
    expect(commits[0]!.message.split('\n')[0]).toBe(decided.data.message);
    expect(decided.data.message).toMatch(/^autoscale: svc-plus jp scale_in 3 -> 2 \(/);
    expect(w.file('infra/node-pool/jp.tfvars')).toContain('node_count    = 2 # autoscaled');

    // jp-2 goes away (Terraform destroyed it): the action completes.
    await w.deleteNode('svc-plus', 'jp', 'jp-2');
    await waitFor('completed', async () => (await w.events(STREAMS.decisions.name, 'autoscale.completed.svc-plus.jp'))[0], 30_000);
    expect(await a.metric('autoscaler_commands_total{kind="drain"}')).toBe(1);
  });
});
