// The reconciler when NATS fails part way through a pass (a server going away): a decision
// recorded whose state write or command did not go out is commanded at a later pass, never lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, connectPlane, DesiredWatcher, ensureBucket, ensureStream, STREAMS, type Plane } from '@plane/backbone';
import { decodeEvent, type DnsApply } from '@plane/events';
import type { NodeHealth } from '@plane/health';
import { createLogger } from '@plane/runtime';
import { declareWorld, startNatsServer, type NatsServerHandle } from '@plane/testkit';
import type { HealthWorker } from '../src/health/worker.js';
import { Reconciler } from '../src/reconciler.js';

let nats: NatsServerHandle;
let plane: Plane;
let desired: DesiredWatcher;

function node(id: string, region: string, ip: string, state: NodeHealth['state']): NodeHealth {
  const now = Date.now();
  return {
    service: 'svc-r',
    region,
    node_id: id,
    ips: [ip],
    labels: {},
    registered_at: now - 60_000,
    state,
    state_reason: state === 'ready' ? 'healthy' : 'no heartbeat',
    state_since: now - 30_000,
    ready_since: state === 'ready' ? now - 30_000 : null,
    last_heartbeat_at: now,
    last_heartbeat_seq: 1,
    exporter_ok: true,
    exporter_error: null,
    metrics: { cpu: 0.3, ram: 0.3, qps: 1, rtt_ms: 5, error_rate: 0, samples: 3 },
    probe: { seen: 0, passes: 0, fails: 0, by_ip: {}, last_ok: null, last_at: null, last_latency_ms: null, last_error: null },
    draining: false,
    drain_reason: null,
    deregistered: false,
    last_seq: 1,
  };
}

beforeAll(async () => {
  nats = await startNatsServer();
  plane = await connectPlane({ url: nats.url, name: 'reconciler-test' });
  for (const s of Object.values(STREAMS)) await ensureStream(plane.jsm, s);
  await declareWorld(plane, {
    'gtm/svc-r.yaml': `service: svc-r
dns: { provider: powerdns, zone: svc.test, ttl: 1, api_url: http://127.0.0.1:1, credentials: { env: TEST_NO_KEY } }
health: { heartbeat_timeout: 2s, max_ejection_percent: 60 }
domains:
  - name: api.svc.test
    regions:
      - { name: jp, weight: 100 }
      - { name: sg, weight: 100 }
`,
  });
  desired = new DesiredWatcher(await ensureBucket(plane.nc, BUCKETS.desired));
  await desired.start();
});

afterAll(async () => {
  desired?.stop();
  await plane?.close();
  await nats?.dispose();
});

async function commands(): Promise<DnsApply[]> {
  const info = await plane.jsm.streams.info(STREAMS.commands.name);
  const out: DnsApply[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await plane.jsm.streams.getMessage(STREAMS.commands.name, { seq }).catch(() => null);
    if (m) out.push(decodeEvent(m.data) as DnsApply);
  }
  return out;
}

describe('reconciler', () => {
  it('commands a recorded decision at the next pass when the pass failed before its command', async () => {
    const nodes = new Map<string, { health: NodeHealth; samples: [] }>();
    const put = (h: NodeHealth) => nodes.set(`${h.service}.${h.region}.${h.node_id}`, { health: h, samples: [] });
    put(node('jp-0', 'jp', '127.0.9.1', 'ready'));
    put(node('jp-1', 'jp', '127.0.9.2', 'ready'));
    put(node('sg-0', 'sg', '127.0.9.11', 'ready'));
    const health = { nodes, isLive: () => true } as unknown as HealthWorker;
    const r = new Reconciler({ plane, log: createLogger('test', 'silent'), desired, health, source: 'test', dryRun: false });
    await r.start();
    await r.reconcile();
    expect((await commands()).map((c) => c.data.record_sets.length)).toEqual([1]);

    // jp-1 goes down; the pass records the decision, then its state write fails (NATS briefly gone).
    put(node('jp-1', 'jp', '127.0.9.2', 'down'));
    const kv = (r as unknown as { gtmKv: { put: (...a: unknown[]) => Promise<number> } }).gtmKv;
    const realPut = kv.put.bind(kv);
    kv.put = async () => {
      kv.put = realPut;
      throw new Error('jetstream is not enabled');
    };
    await expect(r.reconcile()).rejects.toThrow(/jetstream is not enabled/);
    expect(await commands()).toHaveLength(1);

    // The next pass sends the command of the decision already recorded.
    await r.reconcile();
    const cmds = await commands();
    expect(cmds).toHaveLength(2);
    const text = JSON.stringify(cmds[1]!.data.record_sets);
    expect(text).toContain('127.0.9.1');
    expect(text).not.toContain('127.0.9.2');
    expect(cmds[1]!.data.decision_id).not.toBe(cmds[0]!.data.decision_id);
    // And its state reached the bucket after all.
    const saved = await (await ensureBucket(plane.nc, BUCKETS.gtm)).get('api_svc_test');
    expect(JSON.stringify(saved?.json())).not.toContain('127.0.9.2');
  });
});
