import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '@plane/testkit';
import { envelope, type EventEnvelope } from '@plane/events';
import {
  connectPlane,
  compareVersions,
  deleteBucket,
  ensureStream,
  isWrongLastSequence,
  lastEventOn,
  publishEvent,
  readBucket,
  readStream,
  runProjection,
  type Plane,
  type ProjectionDefinition,
} from '../src/index.js';

const TEST_STREAM = { name: 'TESTEVENTS', subjects: ['t.>'], description: 'test', retention: 'limits' as const };

let server: NatsServerHandle;
let plane: Plane;

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'backbone-test' });
  await ensureStream(plane.jsm, TEST_STREAM);
});

afterAll(async () => {
  await plane?.close();
  await server?.dispose();
});

function counterEvent(name: string, n: number): EventEnvelope {
  return envelope('CounterAdded', `counter:${name}:${n}`, { name, n }, 'test', new Date(0));
}

describe('backbone', () => {
  it('detects the server version (2.9 or newer)', () => {
    expect(compareVersions(plane.serverVersion, '2.9.0')).toBeGreaterThanOrEqual(0);
    expect(compareVersions('2.8.4', '2.9.0')).toBeLessThan(0);
    expect(compareVersions('2.10.1', '2.9.10')).toBeGreaterThan(0);
  });

  it('creates streams idempotently and updates a changed definition', async () => {
    await ensureStream(plane.jsm, TEST_STREAM);
    await ensureStream(plane.jsm, { ...TEST_STREAM, description: 'changed' });
    const info = await plane.jsm.streams.info('TESTEVENTS');
    expect(info.config.description).toBe('changed');
  });

  it('records an event once however often it is published (Nats-Msg-Id)', async () => {
    const e = counterEvent('dup', 1);
    const a = await publishEvent(plane.js, 't.dup', e);
    const b = await publishEvent(plane.js, 't.dup', e);
    expect(b.duplicate).toBe(true);
    expect(b.seq).toBe(a.seq);
    const last = await lastEventOn(plane.jsm, 'TESTEVENTS', 't.dup');
    expect(last?.seq).toBe(a.seq);
    expect(last?.event.data).toEqual({ name: 'dup', n: 1 });
    expect(await lastEventOn(plane.jsm, 'TESTEVENTS', 't.never')).toBeUndefined();
  });

  it('refuses a publish whose expected last subject sequence is stale', async () => {
    const first = await publishEvent(plane.js, 't.occ', counterEvent('occ', 1), { expectLastSubjectSequence: 0 });
    await publishEvent(plane.js, 't.occ', counterEvent('occ', 2), { expectLastSubjectSequence: first.seq });
    const err = await publishEvent(plane.js, 't.occ', counterEvent('occ', 3), { expectLastSubjectSequence: first.seq }).catch((e: unknown) => e);
    expect(isWrongLastSequence(err)).toBe(true);
  });

  it('reads a stream range and stops at the end', async () => {
    for (let i = 0; i < 5; i++) await publishEvent(plane.js, 't.range', counterEvent('range', i));
    const got: number[] = [];
    for await (const s of readStream(plane.js, plane.jsm, { stream: 'TESTEVENTS', filter: 't.range' })) got.push((s.event.data as { n: number }).n);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    const none: unknown[] = [];
    for await (const s of readStream(plane.js, plane.jsm, { stream: 'TESTEVENTS', filter: 't.empty' })) none.push(s);
    expect(none).toEqual([]);
  });

  it('a projection rebuilt from the stream equals the live one', async () => {
    type S = { totals: Map<string, number> };
    const def: ProjectionDefinition<S> = {
      name: 'totals',
      stream: 'TESTEVENTS',
      filter: 't.sum.>',
      bucket: { name: 'totals', description: 'test', history: 1 },
      init: (entries) => ({ totals: new Map([...entries].map(([k, v]) => [k, v as number])) }),
      apply: (s, ev) => {
        const { name, n } = ev.event.data as { name: string; n: number };
        const total = (s.totals.get(name) ?? 0) + n;
        s.totals.set(name, total);
        return [{ op: 'put', key: name, value: total }];
      },
      safePosition: (_s, last) => last,
    };
    for (let i = 1; i <= 20; i++) await publishEvent(plane.js, `t.sum.${i % 3}`, counterEvent(`k${i % 3}`, i));
    const live = await runProjection(plane.nc, plane.js, plane.jsm, def);
    await live.caughtUp;
    // more events while it runs
    let lastSeq = 0;
    for (let i = 21; i <= 30; i++) lastSeq = (await publishEvent(plane.js, `t.sum.${i % 3}`, counterEvent(`k${i % 3}`, i))).seq;
    await live.waitFor(lastSeq);
    await live.stop();
    const kv1 = await new (await import('@nats-io/kv')).Kvm(plane.nc).open('totals');
    const before = await readBucket(kv1);
    expect(before.get('k0')).toBe([3, 6, 9, 12, 15, 18, 21, 24, 27, 30].reduce((a, b) => a + b, 0));

    // restart without deleting: resumes from its position, no double counting
    const resumed = await runProjection(plane.nc, plane.js, plane.jsm, def);
    await resumed.caughtUp;
    await resumed.stop();
    expect(await readBucket(kv1)).toEqual(before);

    await deleteBucket(plane.jsm, 'totals');
    const rebuilt = await runProjection(plane.nc, plane.js, plane.jsm, def);
    await rebuilt.caughtUp;
    await rebuilt.stop();
    const kv2 = await new (await import('@nats-io/kv')).Kvm(plane.nc).open('totals');
    expect(await readBucket(kv2)).toEqual(before);
  });
});

describe('lease', () => {
  it('one holder at a time; a standby takes over when the holder releases or dies', async () => {
    const { acquireLease, ensureBucket } = await import('../src/index.js');
    const def = { name: 'leasetest', description: 'test', history: 1, ttlMs: 1500 };
    const kv = await ensureBucket(plane.nc, def);
    const a = acquireLease(kv, 'role', 'a', { ttlMs: 1500 });
    // Before its first try a candidate cannot tell whether it leads (a ready probe must wait for it).
    expect(a.settled()).toBe(false);
    await a.acquired();
    expect(a.settled()).toBe(true);
    const b = acquireLease(kv, 'role', 'b', { ttlMs: 1500 });
    expect(b.settled()).toBe(false);
    await new Promise((r) => setTimeout(r, 800));
    expect(a.isHolder()).toBe(true);
    expect(b.isHolder()).toBe(false);
    expect(b.settled()).toBe(true);
    await a.release();
    await b.acquired();
    await b.release();

    // A holder on its own connection dies (the connection goes away without releasing).
    const other = await connectPlane({ url: server.url, name: 'doomed', reconnectForever: false });
    const doomed = acquireLease(await ensureBucket(other.nc, def), 'role', 'doomed', { ttlMs: 1500 });
    await doomed.acquired();
    const standby = acquireLease(kv, 'role', 'standby', { ttlMs: 1500 });
    await new Promise((r) => setTimeout(r, 600));
    expect(standby.isHolder()).toBe(false);
    const diedAt = Date.now();
    await other.nc.close();
    await standby.acquired();
    const tookOverAfter = Date.now() - diedAt;
    expect(tookOverAfter).toBeLessThan(1500 + 2000);
    await standby.release();
  });
});
