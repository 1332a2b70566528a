// The agent outlives its servers: plane-api down at start, NATS stopped and started mid-run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastEventOn, STREAMS } from '@plane/backbone';
import { waitFor } from '@plane/testkit';
import { REGION, SERVICE, startWorld, waitForHeartbeats, type World } from './harness.js';

let world: World;

beforeAll(async () => {
  world = await startWorld({ api: false });
});

afterAll(async () => {
  await world?.dispose();
});

describe('node-agent through outages', () => {
  it('retries the registration until plane-api comes up, then heartbeats', async () => {
    const agent = world.agent('late-1', ['--retry-max', '1s', '--static-metrics', 'qps=1']);
    await waitFor('a failed registration attempt', async () => agent.logs.some((l) => /plane-api unreachable/.test(l)), 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(agent.alive()).toBe(true);
    expect(await lastEventOn(world.plane.jsm, STREAMS.nodes.name, `node.${SERVICE}.${REGION}.late-1.registered`)).toBeUndefined();
    await world.startApi();
    await waitFor('registration', () => lastEventOn(world.plane.jsm, STREAMS.nodes.name, `node.${SERVICE}.${REGION}.late-1.registered`), 10_000, 100);
    const hbs = await waitForHeartbeats(world, 'late-1', 'heartbeats', (h) => h.length >= 2, 10_000, agent);
    expect(hbs[0]!.seq).toBe(1);
    expect((await agent.stop()).code).toBe(0);
  });

  it('survives NATS stopping mid-run and resumes heartbeats over NATS when it is back', async () => {
    if (!world.api) await world.startApi();
    const agent = world.agent('survivor-1', ['--nats-retry-max', '500ms']);
    const before = await waitForHeartbeats(world, 'survivor-1', 'heartbeats over NATS', (h) => h.filter((x) => x.via === 'nats').length >= 3, 10_000, agent);
    const lastSeq = before[before.length - 1]!.seq;
    await world.server.stop();
    // NATS is away: the agent falls back to HTTP, which cannot record either (plane-api needs
    // NATS too); it must simply keep going.
    await new Promise((r) => setTimeout(r, 1500));
    expect(agent.alive()).toBe(true);
    await world.server.start();
    const after = await waitForHeartbeats(world, 'survivor-1', 'heartbeats over NATS again', (h) => h.filter((x) => x.via === 'nats' && x.seq > lastSeq + 5).length >= 3, 20_000, agent);
    const resumed = after.filter((x) => x.seq > lastSeq);
    expect(new Set(resumed.map((x) => x.boot))).toEqual(new Set([before[0]!.boot]));
    expect(agent.alive()).toBe(true);
    const logs = agent.logs.join('\n');
    expect(logs).toMatch(/NATS connection lost/);
    expect(logs.match(/NATS connected/g)?.length).toBeGreaterThanOrEqual(2);
    expect((await agent.stop()).code).toBe(0);
  });
});
