// The prober against real infrastructure: nats-server, the desired projection fed by real
// declaration events, a nodes bucket, and HTTP servers on loopback addresses as the nodes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectPlane, type Plane } from '@plane/backbone';
import type { ProbeResult } from '@plane/events';
import { createLogger } from '@plane/runtime';
import { waitFor } from '@plane/testkit';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { startProber, type RunningProber } from '../src/prober.js';
import { scheduleOffset } from '../src/schedule.js';
import { maxArrivalsWithin, portFreeOn, sleep, startNodeServer, startTestPlane, type TestNodeServer, type TestPlane } from './harness.js';

const log = createLogger('prober-test', 'silent');
const OK = '127.0.0.1';
const BROKEN = '127.0.0.2';
const HANGING = '127.0.0.3';
const CLOSED = '127.0.0.4';

let port: number;
let servers: TestNodeServer[] = [];
let okServer: TestNodeServer;
let hangServer: TestNodeServer;
let tp: TestPlane;
let proberPlane: Plane;
let running: RunningProber[] = [];

beforeAll(async () => {
  port = await portFreeOn([OK, BROKEN, HANGING, CLOSED]);
  okServer = await startNodeServer(OK, port, 'ok');
  hangServer = await startNodeServer(HANGING, port, 'hang');
  servers = [okServer, hangServer, await startNodeServer(BROKEN, port, 'error')];
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

beforeEach(async () => {
  tp = await startTestPlane();
  proberPlane = await connectPlane({ url: tp.server.url, name: 'prober-under-test' });
});

afterEach(async () => {
  await Promise.all(running.map((p) => p.stop()));
  running = [];
  await proberPlane.close();
  await tp.dispose();
});

async function prober(concurrency = 64, registry?: Registry): Promise<RunningProber> {
  const p = await startProber({ plane: proberPlane, config: { concurrency, proberName: 'prober@test' }, log, ...(registry ? { registry } : {}) });
  running.push(p);
  return p;
}

function byNode(events: ProbeResult[]): Map<string, ProbeResult[]> {
  const m = new Map<string, ProbeResult[]>();
  for (const e of events) {
    const k = `${e.data.service}.${e.data.node_id}`;
    m.set(k, [...(m.get(k) ?? []), e]);
  }
  return m;
}

function slotOf(e: ProbeResult): number {
  return Number(e.id.slice(e.id.lastIndexOf(':') + 1));
}

describe('prober', () => {
  it('probes http and tcp nodes as their health says and records ok/failed with latency and status', async () => {
    await tp.commit({
      web: { type: 'http', port, path: '/healthz', interval: '1s', timeout: '300ms' },
      db: { type: 'tcp', port, interval: '1s', timeout: '300ms' },
    });
    await tp.putNode('web', 'jp', 'ok-1', [OK]);
    await tp.putNode('web', 'jp', 'broken-1', [BROKEN]);
    await tp.putNode('web', 'jp', 'hang-1', [HANGING]);
    await tp.putNode('web', 'jp', 'down-1', [OK], { state: 'down', state_reason: 'failed probes' });
    await tp.putNode('web', 'jp', 'gone-1', [OK], { deregistered: true, state: 'deregistered' });
    await tp.putNode('db', 'sg', 'open-1', [OK]);
    await tp.putNode('db', 'sg', 'closed-1', [CLOSED]);
    await tp.putNode('nodecl', 'jp', 'x-1', [OK]);

    const p = await prober();
    await waitFor('targets', async () => p.targets().length === 6);
    await waitFor('ready', async () => p.readiness() === true);
    await waitFor('two rounds of every target', async () => {
      const m = byNode(await tp.probeEvents());
      return m.size === 6 && [...m.values()].every((list) => list.length >= 2);
    }, 5000, 100);

    const events = await tp.probeEvents();
    const m = byNode(events);
    expect([...m.keys()].sort()).toEqual(['db.closed-1', 'db.open-1', 'web.broken-1', 'web.down-1', 'web.hang-1', 'web.ok-1']);

    const ok = m.get('web.ok-1')![0]!;
    expect(ok).toMatchObject({ schema: 1, type: 'ProbeResult', source: 'prober@test' });
    expect(ok.data).toMatchObject({ service: 'web', region: 'jp', node_id: 'ok-1', ip: OK, check: 'http', target: `http://${OK}:${port}/healthz`, ok: true, status: 200, error: null, prober: 'prober@test' });
    expect(ok.data.latency_ms).toBeLessThan(300);
    expect(m.get('web.down-1')![0]!.data).toMatchObject({ ok: true, status: 200 });

    const broken = m.get('web.broken-1')![0]!.data;
    expect(broken).toMatchObject({ ok: false, status: 500, error: 'HTTP 500' });

    const hang = m.get('web.hang-1')![0]!.data;
    expect(hang).toMatchObject({ ok: false, status: null, error: 'no answer within 300 ms' });
    expect(hang.latency_ms).toBeGreaterThanOrEqual(295);
    expect(hang.latency_ms).toBeLessThan(1000);

    expect(m.get('db.open-1')![0]!.data).toMatchObject({ check: 'tcp', target: `${OK}:${port}`, ok: true, status: null, error: null });
    const closed = m.get('db.closed-1')![0]!.data;
    expect(closed).toMatchObject({ check: 'tcp', target: `${CLOSED}:${port}`, ok: false, status: null });
    expect(closed.error).toMatch(/ECONNREFUSED/);

    // Ids are node, ip and the round's slot; the slot sits at the target's stable offset.
    const ids = new Set(events.map((e) => e.id));
    expect(ids.size).toBe(events.length);
    for (const e of events) {
      const slot = slotOf(e);
      expect(e.id).toBe(`probe:${e.data.service}.${e.data.region}.${e.data.node_id}:${e.data.ip}:${slot}`);
      expect(((slot % 1000) + 1000) % 1000).toBe(scheduleOffset(`${e.data.service}.${e.data.region}.${e.data.node_id}/${e.data.ip}`, 1000));
      expect(Math.abs(Date.parse(e.time) - slot)).toBeLessThan(500);
    }
    // Two rounds of one target are one interval apart.
    const okSlots = m.get('web.ok-1')!.map(slotOf).sort((a, b) => a - b);
    expect(okSlots[1]! - okSlots[0]!).toBe(1000);
  });

  it('spreads one round over the interval instead of firing it in one burst', async () => {
    await tp.commit({ many: { type: 'http', port, interval: '1s', timeout: '300ms' } });
    for (let i = 0; i < 40; i++) await tp.putNode('many', 'jp', `n-${i}`, [OK]);
    const p = await prober();
    await waitFor('targets', async () => p.targets().length === 40);
    // A complete round: the 40 slots from k*1000 to (k+1)*1000.
    const round = await waitFor('one complete round', async () => {
      const events = await tp.probeEvents();
      const rounds = new Map<number, ProbeResult[]>();
      for (const e of events) {
        const k = Math.floor(slotOf(e) / 1000);
        rounds.set(k, [...(rounds.get(k) ?? []), e]);
      }
      return [...rounds.values()].find((r) => r.length === 40);
    }, 5000, 100);
    // The schedule itself spreads the round: 40 distinct slots over the interval.
    const slots = round.map((e) => slotOf(e) % 1000).sort((a, b) => a - b);
    expect(new Set(slots).size).toBeGreaterThanOrEqual(30);
    expect(slots[slots.length - 1]! - slots[0]!).toBeGreaterThan(500);
    // And the probes really started spread out (generous: a loaded machine bunches timers a little).
    const times = round.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThan(400);
    expect(maxArrivalsWithin(times, 20)).toBeLessThanOrEqual(20);
    expect(round.every((e) => e.data.ok)).toBe(true);
  });

  it('keeps at most --concurrency probes under way, and a hanging target only costs its timeout', async () => {
    await tp.commit({ slow: { type: 'http', port, interval: '1s', timeout: '400ms' } });
    for (let i = 0; i < 8; i++) await tp.putNode('slow', 'jp', `s-${i}`, [HANGING]);
    hangServer.arrivals.length = 0;
    const registry = new Registry();
    const p = await prober(2, registry);
    await waitFor('targets', async () => p.targets().length === 8);
    const started = performance.now();
    // Until a probe of every target was recorded and some rounds had to be skipped.
    await waitFor('every target probed, some rounds skipped', async () => {
      const probed = new Set((await tp.probeEvents()).map((e) => e.data.node_id));
      return probed.size === 8 && /result="skipped"\} [1-9]/.test(await registry.metrics());
    }, 8000, 100);
    await Promise.all(running.map((r) => r.stop()));
    running = [];
    const elapsed = performance.now() - started;

    // Each of the 2 slots starts a probe at most once per 400 ms: never 3 arrivals within 300 ms.
    expect(hangServer.arrivals.length).toBeGreaterThanOrEqual(8);
    expect(maxArrivalsWithin(hangServer.arrivals, 300)).toBe(2);
    const events = await tp.probeEvents();
    // The (at most 2) probes under way at stop are not recorded.
    expect(events.length).toBeLessThanOrEqual(hangServer.arrivals.length);
    expect(events.length).toBeGreaterThanOrEqual(hangServer.arrivals.length - 2);
    // 2 slots, one 400 ms probe each at a time.
    expect(hangServer.arrivals.length).toBeLessThanOrEqual(Math.ceil((2 * elapsed) / 400) + 2);
    for (const e of events) {
      expect(e.data).toMatchObject({ ok: false, error: 'no answer within 400 ms' });
      expect(e.data.latency_ms).toBeLessThan(1000);
    }
    // Rounds that came while the target's previous probe was still waiting were skipped, not queued.
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/prober_probes_total\{check="http",result="skipped"\} [1-9]/);
  });

  it('follows the nodes bucket: a new node is probed promptly, a deregistered or deleted one no more', async () => {
    await tp.commit({ dyn: { type: 'http', port, interval: '500ms', timeout: '200ms' } });
    await tp.putNode('dyn', 'jp', 'a', [OK]);
    const p = await prober();
    await waitFor('a probed', async () => (await tp.probeEvents()).some((e) => e.data.node_id === 'a'), 3000, 50);

    await tp.putNode('dyn', 'jp', 'b', ['::1', OK]);
    const added = Date.now();
    await waitFor('b probed on both IPs', async () => {
      const ips = new Set((await tp.probeEvents()).filter((e) => e.data.node_id === 'b').map((e) => e.data.ip));
      return ips.has('::1') && ips.has(OK);
    }, 3000, 50);
    expect(Date.now() - added).toBeLessThan(1500);
    const v6 = (await tp.probeEvents()).find((e) => e.data.ip === '::1')!;
    expect(v6.data.target).toBe(`http://[::1]:${port}/healthz`);
    // Nothing listens on [::1]:port: the probe fails, and says so.
    expect(v6.data.ok).toBe(false);

    await tp.putNode('dyn', 'jp', 'b', ['::1', OK], { deregistered: true, state: 'deregistered' });
    await tp.nodesKv.delete('dyn.jp.a');
    await waitFor('targets dropped', async () => p.targets().length === 0, 2000, 20);
    const dropped = Date.now();
    await sleep(1200);
    const late = (await tp.probeEvents()).filter((e) => Date.parse(e.time) > dropped);
    expect(late).toEqual([]);
  });

  it('follows the desired bucket: a service declared later is probed, a removed one no more', async () => {
    await tp.commit({ first: { type: 'tcp', port, interval: '500ms', timeout: '200ms' } });
    await tp.putNode('first', 'jp', 'f-1', [OK]);
    await tp.putNode('later', 'jp', 'l-1', [OK]);
    const p = await prober();
    await waitFor('first probed', async () => (await tp.probeEvents()).some((e) => e.data.service === 'first'), 3000, 50);
    expect((await tp.probeEvents()).some((e) => e.data.service === 'later')).toBe(false);

    await tp.commit({
      first: { type: 'tcp', port, interval: '500ms', timeout: '200ms' },
      later: { type: 'http', port, path: '/ready', interval: '500ms', timeout: '200ms' },
    });
    await waitFor('later probed', async () => (await tp.probeEvents()).some((e) => e.data.service === 'later'), 3000, 50);
    const later = (await tp.probeEvents()).find((e) => e.data.service === 'later')!;
    expect(later.data).toMatchObject({ check: 'http', target: `http://${OK}:${port}/ready`, ok: true, status: 200 });

    await tp.commit({ later: { type: 'http', port, path: '/ready', interval: '500ms', timeout: '200ms' } });
    await waitFor('first dropped', async () => p.targets().every((t) => t.node.service !== 'first'), 2000, 20);
    const dropped = Date.now();
    await sleep(800);
    expect((await tp.probeEvents()).filter((e) => e.data.service === 'first' && Date.parse(e.time) > dropped)).toEqual([]);
  });
});
