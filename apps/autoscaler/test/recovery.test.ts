// The autoscaler when NATS loses every consumer it reads through (what a NATS server dying does
// to the consumers it held): the nodes and declarations watches, the decider-state projection,
// the outcomes it follows and the git-commit executor's durable consumer are all deleted on the
// server, and a scale-out that comes due afterwards is still decided, committed once, and seen
// through. (The client library alone notices a lost consumer only after missed heartbeats, and
// never creates a deleted durable consumer again.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS } from '@plane/backbone';
import { waitFor } from '@plane/testkit';
import { executorDurable } from '../src/executor/git-commit-worker.js';
import { tfvars, World, type Autoscaler } from './world.js';

const POLICY = `service: svc-plus
window: 10s
cooldown: 0s
provision_timeout: 60s
warmup: 0s
regions:
  jp:
    min_nodes: 1
    max_nodes: 5
    scale_up_cpu: 0.7
    scale_down_cpu: 0.1
`;

let w: World;
let a: Autoscaler;

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2) });
  await w.declareWithJpNodes(POLICY);
  a = await w.spawn('a');
  await a.waitReady();
});

afterAll(async () => {
  await w?.dispose();
});

/** Deletes every consumer of these streams on the server; returns their names. */
async function deleteConsumers(streams: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const stream of streams) {
    for await (const c of w.plane.jsm.consumers.list(stream)) {
      await w.plane.jsm.consumers.delete(stream, c.name);
      names.push(`${stream}/${c.name}`);
    }
  }
  return names;
}

describe('autoscaler: its consumers lost on the server', () => {
  it('still decides, commits once and follows the outcome of a scale-out that comes due afterwards', async () => {
    // Steady first: the leader runs and has read everything.
    await waitFor('a steady or held decision', async () => ((await w.events(STREAMS.decisions.name, 'autoscale.>')).length > 0 ? true : undefined), 20_000);
    const before = w.repo.head();

    const lost = await deleteConsumers([STREAMS.decisions.name, STREAMS.outcomes.name, STREAMS.commands.name, 'KV_nodes', 'KV_desired']);
    expect(lost).toContain(`${STREAMS.commands.name}/${executorDurable('remote')}`);
    expect(lost.filter((n) => n.startsWith('KV_nodes/')).length).toBeGreaterThanOrEqual(1);
    expect(lost.filter((n) => n.startsWith(`${STREAMS.decisions.name}/`)).length).toBeGreaterThanOrEqual(1);
    expect(lost.filter((n) => n.startsWith(`${STREAMS.outcomes.name}/`)).length).toBeGreaterThanOrEqual(1);

    // jp runs hot now.
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.9 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.9 });

    const commit = await waitFor('the scale-out commit', async () => w.autoscaleCommits()[0], 60_000, 100).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${a.dump()}`);
    });
    expect(commit.message).toMatch(/^autoscale: svc-plus jp scale_out 2 -> 3 \(cpu=0\.9\)/);
    expect(w.repo.head()).not.toBe(before);
    // The leader sees the executor's outcome through its followed OUTCOMES again.
    await waitFor('the action progressed', async () => ((await w.events(STREAMS.decisions.name, 'autoscale.progressed.svc-plus.jp')).length > 0 ? true : undefined), 60_000, 100).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${a.dump()}`);
    });
    expect(w.autoscaleCommits()).toHaveLength(1);
    expect(w.file('infra/node-pool/jp.tfvars')).toContain('node_count    = 3 # autoscaled');
    // Each loss was noticed and logged, not waited out silently.
    const log = a.dump();
    expect(log).toMatch(/KV_nodes .*subscribing again/);
    expect(log).toMatch(/consumer gone; creating it again/);
  });
});
