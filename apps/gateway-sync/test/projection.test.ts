// The upstreams projection as a specification: given these NODES events, then this bucket.
import { describe, expect, it } from 'vitest';
import type { KvOp } from '@plane/backbone';
import { nodeSubject, validateEvent, type NodeStreamEvent } from '@plane/events';
import { applyUpstreams, CHECKPOINT_EVERY, initUpstreams, upstreamsSafePosition, type UpstreamsState } from '../src/upstreams/projection.js';
import type { UpstreamPool } from '../src/upstreams/pool.js';
import { deregistered, drain, heartbeat, kindOf, probe, ref, registered, state } from './events.js';

/** Folds events into a fresh (or given) state and returns the resulting bucket. */
function fold(events: NodeStreamEvent[], from: { state: UpstreamsState; bucket: Map<string, unknown>; seq: number } = { state: initUpstreams(new Map()), bucket: new Map(), seq: 0 }) {
  const ops: KvOp[][] = [];
  let seq = from.seq;
  for (const event of events) {
    seq++;
    const o = applyUpstreams(from.state, { seq, subject: nodeSubject(event.data, kindOf(event)), event });
    for (const op of o) {
      if (op.op === 'put') from.bucket.set(op.key, JSON.parse(JSON.stringify(op.value)));
      else from.bucket.delete(op.key);
    }
    ops.push(o);
  }
  return { ...from, seq, ops };
}

const a = ref('a');
const b = ref('b');
const servers = (bucket: Map<string, unknown>, key = 'svc.jp') => (bucket.get(key) as UpstreamPool | undefined)?.servers;

describe('upstreams projection', () => {
  it('the fixtures are valid plane events', () => {
    for (const e of [registered(a, ['127.0.0.2']), state(a, 'ready', ['127.0.0.2']), drain(a, true), deregistered(a), heartbeat(a, 1), probe(a, '127.0.0.2', true)]) {
      expect(validateEvent(e)).toEqual([]);
    }
  });

  it('a registered node serves once its state is ready, and still while suspect', () => {
    const r = fold([registered(a, ['127.0.0.2']), registered(b, ['127.0.0.3'])]);
    expect(servers(r.bucket)).toEqual([]);
    fold([state(a, 'ready', ['127.0.0.2']), state(b, 'ready', ['127.0.0.3'])], r);
    expect(servers(r.bucket)).toEqual([
      { node_id: 'a', address: '127.0.0.2' },
      { node_id: 'b', address: '127.0.0.3' },
    ]);
    fold([state(b, 'suspect', ['127.0.0.3'], 'ready')], r);
    expect(servers(r.bucket)).toHaveLength(2);
    expect((r.bucket.get('svc.jp') as UpstreamPool).members.b).toEqual({ state: 'suspect', draining: false, ips: ['127.0.0.3'] });
  });

  it('down, draining and deregistered nodes are out; the pool stays, empty, for nginx', () => {
    const r = fold([state(a, 'ready', ['127.0.0.2']), state(b, 'ready', ['127.0.0.3'])]);
    fold([state(a, 'down', ['127.0.0.2'], 'ready')], r);
    expect(servers(r.bucket)).toEqual([{ node_id: 'b', address: '127.0.0.3' }]);
    fold([drain(b, true)], r);
    expect(servers(r.bucket)).toEqual([]);
    fold([deregistered(a), deregistered(b)], r);
    expect(r.bucket.get('svc.jp')).toEqual({ service: 'svc', region: 'jp', servers: [], members: {} });
  });

  it('a node back from a drain waits for its next ready', () => {
    const r = fold([state(a, 'ready', ['127.0.0.2']), drain(a, true), state(a, 'draining', ['127.0.0.2'], 'ready'), drain(a, false)]);
    expect(servers(r.bucket)).toEqual([]);
    fold([state(a, 'ready', ['127.0.0.2'], 'draining')], r);
    expect(servers(r.bucket)).toEqual([{ node_id: 'a', address: '127.0.0.2' }]);
  });

  it('a node deregistered and registered again must be ready again', () => {
    const r = fold([state(a, 'ready', ['127.0.0.2']), deregistered(a), registered(a, ['127.0.0.2'])]);
    expect(servers(r.bucket)).toEqual([]);
    expect((r.bucket.get('svc.jp') as UpstreamPool).members.a?.state).toBeNull();
  });

  it('IPs come from the latest registration or state event; invalid ones are dropped; IPv4 is preferred', () => {
    const r = fold([registered(a, ['fd00::2', 'bogus', '10.0.0.9']), state(a, 'ready', [])]);
    expect(servers(r.bucket)).toEqual([{ node_id: 'a', address: '10.0.0.9' }]);
    fold([state(a, 'suspect', ['fd00::7'], 'ready')], r);
    expect(servers(r.bucket)).toEqual([{ node_id: 'a', address: 'fd00::7' }]);
    fold([registered(a, ['10.0.0.10'])], r);
    expect(servers(r.bucket)).toEqual([{ node_id: 'a', address: '10.0.0.10' }]);
  });

  it('heartbeats, probes and repeated facts write nothing', () => {
    const r = fold([registered(a, ['127.0.0.2']), state(a, 'ready', ['127.0.0.2'])]);
    const again = fold([heartbeat(a, 1), probe(a, '127.0.0.2', false), registered(a, ['127.0.0.2']), drain(a, false), deregistered(ref('zz'))], r);
    expect(again.ops.flat()).toEqual([]);
  });

  it('each service and region is its own key', () => {
    const r = fold([state(ref('x', 'sg'), 'ready', ['127.0.1.1']), state(ref('y', 'jp', 'other'), 'ready', ['127.0.1.2'])]);
    expect([...r.bucket.keys()].sort()).toEqual(['other.jp', 'svc.sg']);
  });

  it('the resume point moves with every change, and otherwise only every CHECKPOINT_EVERY events', () => {
    const s = initUpstreams(new Map());
    expect(upstreamsSafePosition(s, 10)).toBe(0);
    s.lastChangeSeq = 7;
    expect(upstreamsSafePosition(s, 10)).toBe(7);
    expect(upstreamsSafePosition(s, CHECKPOINT_EVERY + 3)).toBe(CHECKPOINT_EVERY);
  });

  it('replaying from any checkpoint over the bucket, or from scratch, gives the same bucket', () => {
    // A seeded random history of many nodes.
    let seed = 42;
    const rnd = (k: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % k;
    };
    const nodes = ['a', 'b', 'c', 'd', 'e'].flatMap((id) => [ref(id, 'jp'), ref(id, 'sg')]);
    const events: NodeStreamEvent[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = nodes[rnd(nodes.length)]!;
      const ip = `10.0.${rnd(3)}.${rnd(4) + 1}`;
      const kinds = [
        () => registered(r, [ip]),
        () => state(r, 'ready', [ip]),
        () => state(r, 'ready', []),
        () => state(r, 'suspect', [ip]),
        () => state(r, 'down', [ip]),
        () => state(r, 'draining', [ip]),
        () => state(r, 'deregistered', [ip]),
        () => drain(r, rnd(2) === 0),
        () => deregistered(r),
        () => heartbeat(r, i),
      ];
      events.push(kinds[rnd(kinds.length)]!());
    }
    const whole = fold(events);
    expect([...whole.bucket.values()].filter((p) => (p as UpstreamPool).servers.length > 0).length).toBeGreaterThan(0);
    for (const cut of [1, 500, 1234, 1999]) {
      const first = fold(events.slice(0, cut));
      // Restart: state from the bucket alone, resumed from an earlier checkpoint (events re-applied).
      const resumedAt = Math.max(0, cut - 37);
      const restarted = { state: initUpstreams(new Map(first.bucket)), bucket: new Map(first.bucket), seq: resumedAt };
      fold(events.slice(resumedAt), restarted);
      expect(restarted.bucket).toEqual(whole.bucket);
    }
    expect(fold(events).bucket).toEqual(whole.bucket);
  });
});
