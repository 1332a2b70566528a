// Two gateway-sync replicas: only the lease holder folds NODES into the bucket; when it stops,
// the other takes over and resumes from the bucket's position.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, connectPlane, ensureBucket, ensureStream, openBucket, publishEvent, STREAMS, type Plane } from '@plane/backbone';
import { nodeSubject, type NodeStreamEvent } from '@plane/events';
import { createLogger } from '@plane/runtime';
import { startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';
import { UpstreamsProjectionRunner } from '../src/upstreams/runner.js';
import type { UpstreamPool } from '../src/upstreams/pool.js';
import { kindOf, ref, state } from './events.js';

let nats: NatsServerHandle;
let plane: Plane;

beforeAll(async () => {
  nats = await startNatsServer();
  plane = await connectPlane({ url: nats.url, name: 'lease-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
});
afterAll(async () => {
  await plane?.close();
  await nats?.dispose();
});

async function publish(e: NodeStreamEvent) {
  await publishEvent(plane.js, nodeSubject(e.data, kindOf(e)), e);
}

describe('the upstreams projection under a lease', () => {
  it('runs on one replica at a time and moves to the other when the holder stops', async () => {
    const leases = await ensureBucket(plane.nc, { ...BUCKETS.leases, ttlMs: 1000 });
    const log = createLogger('test', 'silent');
    const one = new UpstreamsProjectionRunner({ plane, leases, id: 'one', leaseTtlMs: 1000, log });
    one.start();
    await waitFor('one holds the lease', async () => one.isHolder());
    const two = new UpstreamsProjectionRunner({ plane, leases, id: 'two', leaseTtlMs: 1000, log });
    two.start();

    await publish(state(ref('a'), 'ready', ['127.0.0.2']));
    const kv = await openBucket(plane.nc, 'upstreams');
    const servers = async () => ((await kv.get('svc.jp'))?.json<UpstreamPool>().servers ?? []).map((s) => s.node_id);
    await waitFor('a in the bucket', async () => (await servers()).join() === 'a');
    expect(two.isHolder()).toBe(false);
    expect(two.position()).toBe(0);

    await one.stop();
    await waitFor('two takes over', async () => two.isHolder(), 5000);
    await publish(state(ref('b'), 'ready', ['127.0.0.3']));
    await waitFor('b in the bucket, written by two', async () => (await servers()).join() === 'a,b');
    // The position moves just after the write it covers: wait for it rather than race it.
    await waitFor('two has folded both events', async () => two.position() >= 2, 5000);
    expect(two.position()).toBeGreaterThanOrEqual(2);
    await two.stop();
  });
});
