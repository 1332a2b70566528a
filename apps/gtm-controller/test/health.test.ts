import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { connectPlane, deleteBucket, ensureStream, publishEvent, readBucket, readStream, STREAMS, type Plane } from '@plane/backbone';
import { envelope, nodeSubject, validateEvent, type NodeStateEvent, type NodeStreamEvent, type NodeRef } from '@plane/events';
import { createLogger } from '@plane/runtime';
import { startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';
import type { HealthSettings, NodeHealth } from '@plane/health';
import { HealthWorker } from '../src/health/worker.js';

const SETTINGS: HealthSettings = { interval_ms: 200, rise: 2, fall: 3, heartbeat_timeout_ms: 1200, window_ms: 5000, eject_error_rate_above: 0.5, eject_rtt_ms_above: 1000 };
const log = createLogger('test', 'silent');

let server: NatsServerHandle;
let plane: Plane;
let worker: HealthWorker;
let n = 0;

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'health-test' });
});
afterAll(async () => {
  await plane?.close();
  await server?.dispose();
});
beforeEach(async () => {
  await plane.jsm.streams.delete(STREAMS.nodes.name).catch(() => undefined);
  await deleteBucket(plane.jsm, 'nodes');
  await ensureStream(plane.jsm, STREAMS.nodes);
  worker = new HealthWorker({ plane, log, settings: () => new Map([['svc', SETTINGS]]), source: 'test', flushMs: 50, tickMs: 50 });
  await worker.start();
});
afterEach(async () => {
  await worker.stop();
});

function ref(id: string): NodeRef {
  return { service: 'svc', region: 'jp', node_id: id };
}

async function send(e: NodeStreamEvent, kind: Parameters<typeof nodeSubject>[1]) {
  return publishEvent(plane.js, nodeSubject(e.data, kind), e);
}
const register = (r: NodeRef, ips = ['127.0.0.5']) => send(envelope('NodeRegistered', `reg:${r.node_id}:${n++}`, { ...r, ips, labels: {}, replaced_ips: null }, 'test'), 'registered');
const heartbeat = (r: NodeRef, seq: number, over: Partial<{ exporter_ok: boolean; error_rate: number; rtt_ms: number }> = {}) =>
  send(envelope('NodeHeartbeat', `hb:${r.node_id}:${n}:${seq}`, { ...r, seq, boot: n, cpu: 0.5, ram: 0.4, qps: 10, rtt_ms: over.rtt_ms ?? 20, error_rate: over.error_rate ?? 0, exporter_ok: over.exporter_ok ?? true, ...(over.exporter_ok === false ? { exporter_error: 'scrape failed: connection refused' } : {}), via: 'nats' as const }, 'test'), 'heartbeat');
const probe = (r: NodeRef, ok: boolean) =>
  send(envelope('ProbeResult', `probe:${r.node_id}:${n++}`, { ...r, ip: '127.0.0.5', check: 'http' as const, target: 'http://127.0.0.5/healthz', ok, latency_ms: 3, status: ok ? 200 : 500, error: ok ? null : 'HTTP 500', prober: 'test' }, 'test'), 'probe');

async function stateOf(id: string): Promise<NodeHealth | undefined> {
  await worker.flush(true);
  const kv = await new Kvm(plane.nc).open('nodes');
  const e = await kv.get(`svc.jp.${id}`);
  return e?.operation === 'PUT' ? (e.json() as NodeHealth) : undefined;
}

async function stateEvents(id: string): Promise<NodeStateEvent[]> {
  const out: NodeStateEvent[] = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.nodes.name, filter: `node.svc.jp.${id}.state` })) out.push(s.event as NodeStateEvent);
  return out;
}

async function settle(id: string, state: string, timeoutMs = 5000) {
  return waitFor(`${id} ${state}`, async () => ((await stateOf(id))?.state === state ? true : undefined), timeoutMs, 20);
}

describe('health projection', () => {
  it('a node that stops heartbeating goes down after heartbeat_timeout and not before', async () => {
    const a = ref('a');
    await register(a);
    let seq = 0;
    for (let i = 0; i < 5; i++) {
      await heartbeat(a, ++seq);
      await new Promise((r) => setTimeout(r, 100));
    }
    await settle('a', 'ready');
    const lastBeat = Date.now();
    await heartbeat(a, ++seq);
    // Within the timeout the node is at worst suspect (overdue by two intervals), never down.
    await new Promise((r) => setTimeout(r, SETTINGS.heartbeat_timeout_ms - 300));
    expect((await stateOf('a'))!.state).not.toBe('down');
    await settle('a', 'down', 3000);
    const downAt = Date.now();
    const events = await stateEvents('a');
    const down = events.find((e) => e.data.to === 'down')!;
    expect(down.type).toBe('NodeDown');
    expect(down.data.reason).toMatch(/no heartbeat for \d+\.\ds \(heartbeat_timeout 1\.2s\)/);
    expect(down.data.at - lastBeat).toBeGreaterThanOrEqual(SETTINGS.heartbeat_timeout_ms - 50);
    expect(downAt - lastBeat).toBeLessThan(SETTINGS.heartbeat_timeout_ms + 2000);
    expect(events.map((e) => e.data.to)).toEqual(['ready', 'suspect', 'down']);
    for (const e of events) expect(validateEvent(e)).toEqual([]);

    // It comes back with its heartbeats (it is not probed, so rise does not apply).
    await heartbeat(a, ++seq);
    await settle('a', 'ready');
  });

  it('honours fall and rise for probes, and a flapping node does not flap its state', async () => {
    const b = ref('b');
    await register(b);
    let seq = 0;
    const beat = setInterval(() => void heartbeat(b, ++seq), 100);
    try {
      await probe(b, true);
      await probe(b, true);
      await settle('b', 'ready');
      await probe(b, false);
      await probe(b, false);
      await settle('b', 'suspect');
      expect((await stateOf('b'))!.state).toBe('suspect');
      await probe(b, false);
      await settle('b', 'down');
      expect((await stateOf('b'))!.state_reason).toMatch(/3 failed probes in a row \(fall 3\)/);
      await probe(b, true);
      await new Promise((r) => setTimeout(r, 200));
      expect((await stateOf('b'))!.state).toBe('down');
      // flapping: pass, fail, pass, fail ... never two passes in a row: stays down
      for (let i = 0; i < 6; i++) await probe(b, i % 2 === 1);
      await new Promise((r) => setTimeout(r, 200));
      expect((await stateOf('b'))!.state).toBe('down');
      await probe(b, true);
      await probe(b, true);
      await settle('b', 'ready');
      // flapping while up: fail, pass, fail, pass ... never three fails in a row: never down
      for (let i = 0; i < 8; i++) await probe(b, i % 2 === 1);
      await new Promise((r) => setTimeout(r, 200));
      const transitions = (await stateEvents('b')).map((e) => e.data.to);
      expect(transitions.filter((t) => t === 'down').length).toBe(1);
      expect(transitions).toEqual(['ready', 'suspect', 'down', 'ready', ...transitions.slice(4)]);
      expect(transitions.slice(4).every((t) => t === 'suspect' || t === 'ready')).toBe(true);
    } finally {
      clearInterval(beat);
    }
  });

  it('takes a node out at once on an exporter error or an error rate over the bound', async () => {
    const c = ref('c');
    await register(c);
    await heartbeat(c, 1);
    await settle('c', 'ready');
    await heartbeat(c, 2, { exporter_ok: false });
    await settle('c', 'down');
    expect((await stateOf('c'))!.state_reason).toMatch(/exporter error: scrape failed/);
    await heartbeat(c, 3);
    await settle('c', 'ready');
    for (let i = 4; i < 10; i++) await heartbeat(c, i, { error_rate: 0.9 });
    await settle('c', 'down');
    expect((await stateOf('c'))!.state_reason).toMatch(/error rate 0\.\d+ over 0\.5/);
  });

  it('writes an unchanged node at least every third of its heartbeat_timeout, so the bucket never shows a live node as stale', async () => {
    // SETTINGS.heartbeat_timeout_ms is 1200: an unchanged node is due again after 400 ms, well
    // before the default spacing of 5 s. A service with a 60 s timeout keeps the 5 s spacing.
    const slow = new HealthWorker({ plane, log, settings: () => new Map([['svc', SETTINGS], ['calm', { ...SETTINGS, heartbeat_timeout_ms: 60_000 }]]), source: 'test', flushMs: 3_600_000, tickMs: 3_600_000 });
    await worker.stop();
    worker = slow;
    await worker.start();
    const f = ref('f');
    const calm = { service: 'calm', region: 'jp', node_id: 'g' };
    for (const r of [f, calm]) {
      await register(r);
      await heartbeat(r, 1);
    }
    const kv = await new Kvm(plane.nc).open('nodes');
    const seqOf = async (key: string) => ((await kv.get(key))?.json<NodeHealth>().last_heartbeat_seq ?? 0);
    let info = await plane.jsm.streams.info(STREAMS.nodes.name);
    await worker.waitFor(info.state.last_seq);
    await worker.flush(true);
    const first = { f: await seqOf('svc.jp.f'), g: await seqOf('calm.jp.g') };
    await heartbeat(f, 2);
    await heartbeat(calm, 2);
    info = await plane.jsm.streams.info(STREAMS.nodes.name);
    await worker.waitFor(info.state.last_seq);
    await new Promise((r) => setTimeout(r, 800));
    await worker.flush();
    expect(await seqOf('svc.jp.f')).toBeGreaterThan(first.f);
    expect(await seqOf('calm.jp.g')).toBe(first.g);
  });

  it('puts a node back exactly as it was when its state event cannot be recorded, and records it once that works again', async () => {
    const r = ref('r');
    await register(r);
    let seq = 0;
    for (let i = 0; i < 3; i++) await heartbeat(r, ++seq);
    await settle('r', 'ready');
    const ready = worker.nodes.get('svc.jp.r')!.health;
    const before = { state: ready.state, state_since: ready.state_since, ready_since: ready.ready_since, state_reason: ready.state_reason };
    expect(before.ready_since).not.toBeNull();
    // NODES stops taking state events (a real refusal: no stream answers for their subject), and the
    // node falls silent: every tick decides it suspect and fails to record that.
    const subjects = ['node.*.*.*.registered', 'node.*.*.*.heartbeat', 'node.*.*.*.probe', 'node.*.*.*.deregistered', 'node.*.*.*.drain'];
    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    await plane.jsm.streams.update(STREAMS.nodes.name, { ...info.config, subjects });
    await waitFor('refused state events', async () => (worker.stats.stateEventsFailed >= 3 ? true : undefined), 5000, 20);
    // The heartbeats come back; the node never left as far as anything recorded is concerned.
    await heartbeat(r, ++seq);
    await new Promise((res) => setTimeout(res, 150));
    const h = worker.nodes.get('svc.jp.r')!.health;
    expect({ state: h.state, state_since: h.state_since, ready_since: h.ready_since, state_reason: h.state_reason }).toEqual(before);
    // Recording works again: the next silence is recorded, with a ready_since that still holds.
    await plane.jsm.streams.update(STREAMS.nodes.name, { ...info.config, subjects: ['node.>'] });
    await settle('r', 'suspect');
    // Nothing was recorded while NODES refused: the stream holds the first ready, then this.
    const events = await stateEvents('r');
    expect(events.map((e) => e.data.to)).toEqual(['ready', 'suspect']);
    expect((await stateOf('r'))!.ready_since).toBe(before.ready_since);
    await heartbeat(r, ++seq);
    await settle('r', 'ready');
    const back = (await stateOf('r'))!;
    expect(back.ready_since).not.toBeNull();
  });

  it('skips a malformed message on NODES and goes on folding what follows', async () => {
    const e = ref('e');
    await register(e);
    // A publisher with NODES credentials but a bug: not JSON, an envelope without data, a heartbeat
    // whose cpu is text, a registration whose ips are not a list.
    const bad = [
      new TextEncoder().encode('not json at all'),
      new TextEncoder().encode(JSON.stringify({ schema: 1, type: 'NodeHeartbeat', id: 'x1', time: '', source: 'bug' })),
      new TextEncoder().encode(JSON.stringify(envelope('NodeHeartbeat', 'x2', { ...e, seq: 1, boot: 1, cpu: 'high', ram: 0.4, qps: 10, rtt_ms: 20, error_rate: 0, exporter_ok: true, via: 'nats' }, 'bug'))),
      new TextEncoder().encode(JSON.stringify(envelope('NodeRegistered', 'x3', { ...e, ips: '127.0.0.9', labels: {} }, 'bug'))),
    ];
    for (const data of bad) await plane.js.publish(nodeSubject(e, 'heartbeat'), data);
    await heartbeat(e, 1);
    await settle('e', 'ready');
    const h = (await stateOf('e'))!;
    expect(h.ips).toEqual(['127.0.0.5']);
    expect(h.metrics).toMatchObject({ cpu: 0.5, samples: 1 });
    expect(worker.stats.skipped).toBe(4);
    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    await worker.waitFor(info.state.last_seq);
  });

  it('deleting the nodes bucket and replaying NODES rebuilds identical contents', async () => {
    for (const id of ['d1', 'd2']) await register(ref(id));
    for (let i = 1; i <= 5; i++) {
      await heartbeat(ref('d1'), i);
      await heartbeat(ref('d2'), i, { rtt_ms: 30 + i });
      await probe(ref('d2'), i !== 3);
    }
    await settle('d1', 'ready');
    await settle('d2', 'ready');
    await send(envelope('NodeDeregistered', 'dereg:d1', { ...ref('d1'), reason: 'test' }, 'test'), 'deregistered');
    await settle('d1', 'deregistered');
    await new Promise((r) => setTimeout(r, 200));
    await worker.stop();
    const kv = await new Kvm(plane.nc).open('nodes');
    const live = await readBucket(kv);
    await deleteBucket(plane.jsm, 'nodes');
    worker = new HealthWorker({ plane, log, settings: () => new Map([['svc', SETTINGS]]), source: 'test', decide: false, flushMs: 50 });
    await worker.start();
    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    await worker.waitFor(info.state.last_seq);
    await worker.flush(true);
    const rebuilt = await readBucket(await new Kvm(plane.nc).open('nodes'));
    expect(rebuilt).toEqual(live);
    expect((rebuilt.get('svc.jp.d2') as NodeHealth).metrics).toMatchObject({ samples: 5, rtt_ms: 33 });
  });
});
