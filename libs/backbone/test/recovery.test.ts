// Readers that must not stall when NATS loses what they stood on. A consumer deleted on the
// server stands in for one that died with its server: the client library would notice only after
// two missed heartbeats (30 s and more) and its own retries; these readers recover within seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { declareWorld, startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';
import { envelope, type EventEnvelope } from '@plane/events';
import {
  connectPlane,
  deleteBucket,
  DesiredWatcher,
  ensureBucket,
  ensureStream,
  followBucket,
  followStream,
  publishEvent,
  readBucket,
  runProjection,
  runWorkQueue,
  BUCKETS,
  type Plane,
  type ProjectionDefinition,
} from '../src/index.js';

const STREAM = { name: 'RECOVERY', subjects: ['r.>'], description: 'test', retention: 'limits' as const };
const QUEUE = { name: 'RQUEUE', subjects: ['q.>'], description: 'test', retention: 'workqueue' as const };

let server: NatsServerHandle;
let plane: Plane;

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'recovery-test' });
  await ensureStream(plane.jsm, STREAM);
  await ensureStream(plane.jsm, QUEUE);
});

afterAll(async () => {
  await plane?.close();
  await server?.dispose();
});

function event(id: string, n: number): EventEnvelope {
  return envelope('CounterAdded', id, { name: id, n }, 'test', new Date(0));
}

/** Deletes every consumer of a stream on the server (what a dying NATS server does to the R1 consumers it held). */
async function deleteConsumers(stream: string): Promise<number> {
  let n = 0;
  for await (const c of plane.jsm.consumers.list(stream)) {
    await plane.jsm.consumers.delete(stream, c.name);
    n++;
  }
  return n;
}

describe('followStream', () => {
  it('hands on every message in order and follows again when its consumer is gone', async () => {
    const first = (await publishEvent(plane.js, 'r.a.1', event('fa-1', 1))).seq;
    await publishEvent(plane.js, 'r.b.1', event('fb-1', 1)); // not on the filter
    await publishEvent(plane.js, 'r.a.2', event('fa-2', 2));
    const seen: number[] = [];
    const trouble: string[] = [];
    const f = await followStream(plane.js, plane.jsm, {
      stream: STREAM.name,
      filter: 'r.a.>',
      from: { seq: first },
      stallMs: 500,
      checkMs: 100,
      onMessage: (m) => void seen.push(m.info.streamSequence),
      onTrouble: (msg) => trouble.push(msg),
    });
    await f.caughtUp;
    expect(seen).toEqual([first, first + 2]);

    expect(await deleteConsumers(STREAM.name)).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    const next = (await publishEvent(plane.js, 'r.a.3', event('fa-3', 3))).seq;
    await waitFor('the message after the consumer was lost', async () => (seen.includes(next) ? true : undefined), 10_000, 50);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(f.resubscriptions()).toBeGreaterThanOrEqual(1);
    expect(trouble.some((t) => /subscribing again/.test(t))).toBe(true);
    // Nothing twice, nothing out of order.
    expect(seen).toEqual([first, first + 2, next]);
    expect(f.position()).toBe(next);
    await f.stop();
  });

  it('from a time: older messages are no backlog, and it is caught up at once', async () => {
    await publishEvent(plane.js, 'r.t.old', event('t-old', 1));
    const seen: number[] = [];
    const f = await followStream(plane.js, plane.jsm, { stream: STREAM.name, filter: 'r.t.>', from: { time: new Date(Date.now() + 1000) }, stallMs: 300, checkMs: 100, onMessage: (m) => void seen.push(m.info.streamSequence) });
    await f.caughtUp;
    await new Promise((r) => setTimeout(r, 800)); // several watchdog rounds: an old message is not a stall
    expect(f.resubscriptions()).toBe(0);
    expect(seen).toEqual([]);
    await f.stop();
  });
});

describe('followBucket', () => {
  it('loads the current values, then follows puts and deletes, across a lost consumer', async () => {
    const kv = await ensureBucket(plane.nc, { name: 'followed', description: 'test', history: 1 });
    await kv.put('a', '1');
    await kv.put('b', '2');
    await kv.put('a', '3');
    const values = new Map<string, string>();
    const f = await followBucket(kv, {
      stallMs: 500,
      checkMs: 100,
      onEntry: (e) => {
        if (e.operation === 'PUT') values.set(e.key, new TextDecoder().decode(e.value));
        else values.delete(e.key);
      },
    });
    await f.caughtUp;
    expect(Object.fromEntries(values)).toEqual({ a: '3', b: '2' });
    await deleteConsumers('KV_followed');
    await kv.delete('b');
    await kv.put('c', '4');
    await waitFor('the changes after the consumer was lost', async () => (values.get('c') === '4' && !values.has('b') ? true : undefined), 10_000, 50);
    expect(f.resubscriptions()).toBeGreaterThanOrEqual(1);
    await f.stop();
    expect(await readBucket(kv)).toEqual(new Map([['a', 3], ['c', 4]]));
  });
});

describe('runProjection', () => {
  it('retries a bucket write that fails and skips no event', async () => {
    const def: ProjectionDefinition<Map<string, number>> = {
      name: 'recovering',
      stream: STREAM.name,
      filter: 'r.p.>',
      bucket: { name: 'recovering', description: 'test', history: 1 },
      init: (entries) => new Map([...entries].map(([k, v]) => [k, v as number])),
      apply: (s, ev) => {
        const { name, n } = ev.event.data as { name: string; n: number };
        s.set(name, (s.get(name) ?? 0) + n);
        return [{ op: 'put', key: name, value: s.get(name) }];
      },
      safePosition: (_s, last) => last,
    };
    const trouble: string[] = [];
    const p = await runProjection(plane.nc, plane.js, plane.jsm, def, { onTrouble: (m) => trouble.push(m) });
    await p.waitFor((await publishEvent(plane.js, 'r.p.x', event('p-1', 1))).seq, 10_000);
    // The bucket goes away: its writes fail until it is back.
    await deleteBucket(plane.jsm, 'recovering');
    const seq = (await publishEvent(plane.js, 'r.p.x', event('p-2', 2))).seq;
    await waitFor('a failed write reported', async () => (trouble.some((t) => /writing event .* failed .*retried/.test(t)) ? true : undefined), 10_000, 50);
    expect(p.position()).toBeLessThan(seq);
    await ensureBucket(plane.nc, def.bucket);
    await p.waitFor(seq, 20_000);
    await p.stop();
    const kv = await ensureBucket(plane.nc, def.bucket);
    expect((await readBucket(kv)).get('p-2')).toBe(2);
    expect(p.errors).toEqual([]);
  });
});

describe('runWorkQueue', () => {
  it('consumes again when its durable consumer is gone, and handles each message once', async () => {
    const durable = 'rq-worker';
    const ensure = async () => {
      try {
        await plane.jsm.consumers.info(QUEUE.name, durable);
      } catch {
        await plane.jsm.consumers.add(QUEUE.name, { durable_name: durable, filter_subject: 'q.w.>', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 5_000_000_000, max_ack_pending: 1 });
      }
    };
    const handled: string[] = [];
    const trouble: string[] = [];
    const runner = await runWorkQueue(plane.js, plane.jsm, {
      stream: QUEUE.name,
      durable,
      ensure,
      stallMs: 500,
      checkMs: 100,
      handle: async (m: JsMsg) => {
        await m.ackAck(); // settled before the test deletes the consumer (a work queue redelivers what was not acked)
        handled.push(m.subject);
      },
      onTrouble: (msg) => trouble.push(msg),
    });
    await plane.js.publish('q.w.one', 'x');
    await waitFor('the first message', async () => (handled.includes('q.w.one') ? true : undefined), 10_000, 50);
    await plane.jsm.consumers.delete(QUEUE.name, durable);
    await plane.js.publish('q.w.two', 'y');
    await waitFor('the message sent while the consumer was gone', async () => (handled.includes('q.w.two') ? true : undefined), 15_000, 50);
    expect(runner.resubscriptions()).toBeGreaterThanOrEqual(1);
    expect(trouble.some((t) => /consumer gone/.test(t))).toBe(true);
    expect(handled).toEqual(['q.w.one', 'q.w.two']);
    await runner.stop();
  });

  it('reports a handler that throws and keeps going (the message comes back)', async () => {
    const durable = 'rq-throws';
    await plane.jsm.consumers.add(QUEUE.name, { durable_name: durable, filter_subject: 'q.t.>', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 1_000_000_000, max_ack_pending: 1 });
    let calls = 0;
    const trouble: string[] = [];
    const runner = await runWorkQueue(plane.js, plane.jsm, {
      stream: QUEUE.name,
      durable,
      ensure: async () => undefined,
      handle: async (m: JsMsg) => {
        if (++calls === 1) throw new Error('boom');
        m.ack();
      },
      onTrouble: (msg) => trouble.push(msg),
    });
    await plane.js.publish('q.t.1', 'x');
    await waitFor('handled on redelivery', async () => (calls >= 2 ? true : undefined), 15_000, 50);
    expect(trouble.some((t) => /not settled.*boom/.test(t))).toBe(true);
    await runner.stop();
  });
});

describe('DesiredWatcher', () => {
  it('sees a new commit after its watch lost its consumer', async () => {
    const policy = (weight: number) => ({
      'gtm/svc-r.yaml': `service: svc-r
dns: { provider: powerdns, zone: svc.test, api_url: http://127.0.0.1:1, credentials: { env: X } }
domains:
  - name: api.svc.test
    regions:
      - { name: jp, weight: ${weight} }
`,
    });
    await declareWorld(plane, policy(10), 'recovery');
    const trouble: string[] = [];
    const w = new DesiredWatcher(await ensureBucket(plane.nc, BUCKETS.desired), 20, { stallMs: 500, onTrouble: (m) => trouble.push(m) });
    await w.start();
    const weight = () => (w.current().declarations.find((d) => d.name === 'svc-r')?.spec as { domains: { regions: { weight: number }[] }[] } | undefined)?.domains[0]?.regions[0]?.weight;
    expect(weight()).toBe(10);
    await deleteConsumers(`KV_${BUCKETS.desired.name}`);
    await declareWorld(plane, policy(20), 'recovery');
    await waitFor('the new commit', async () => (weight() === 20 ? true : undefined), 10_000, 50);
    expect(trouble.some((t) => /subscribing again/.test(t))).toBe(true);
    w.stop();
  });
});
