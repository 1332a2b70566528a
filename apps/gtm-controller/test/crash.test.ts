// The DNS executor killed between the provider write and its ack: the command is redelivered to
// the restarted controller, which reads the provider first and writes nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, readStream, STREAMS, type Plane } from '@plane/backbone';
import type { DnsOutcome, NodeRef } from '@plane/events';
import { startCloudflareStandIn, type CloudflareStandIn } from '@plane/standins';
import { declareWorld, heartbeatEvery, registerNode, startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../bin/gtm-controller.js', import.meta.url));

let nats: NatsServerHandle;
let cf: CloudflareStandIn;
let plane: Plane;
let controller: ChildProcess | undefined;
const timers: (() => void)[] = [];

function start(): ChildProcess {
  return spawn(process.execPath, [BIN, '--instance-id', 'crashy', '--reconcile-interval', '200ms', '--lease-ttl', '1s', '--log-level', 'error'], {
    env: { ...process.env, PLANE_NATS_URL: nats.url, TEST_CF_TOKEN: 'cf-token' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

beforeAll(async () => {
  nats = await startNatsServer();
  cf = await startCloudflareStandIn({ token: 'cf-token', zones: ['svc.plus'] });
  plane = await connectPlane({ url: nats.url, name: 'crash-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': `service: svc-plus
dns: { provider: cloudflare, zone: svc.plus, ttl: 60, api_url: ${cf.url}, credentials: { env: TEST_CF_TOKEN } }
health: { type: http, interval: 200ms, timeout: 100ms, heartbeat_timeout: 5s }
domain: api.svc.plus
regions:
  - { name: jp, weight: 100, min_ready_nodes: 1 }
`,
  });
  for (const [id, ip] of [['jp-0', '192.0.2.10'], ['jp-1', '192.0.2.11']] as const) {
    const ref: NodeRef = { service: 'svc-plus', region: 'jp', node_id: id };
    await registerNode(plane, ref, [ip]);
    timers.push(heartbeatEvery(plane, ref, { metrics: { cpu: 0.2, ram: 0.2, qps: 1, rtt_ms: 5 } }));
  }
});

afterAll(async () => {
  for (const stop of timers) stop();
  controller?.kill('SIGKILL');
  await plane?.close();
  await nats?.dispose();
  await cf?.stop();
});

describe('gtm-controller killed mid-apply', () => {
  it('applies nothing twice after a restart', async () => {
    controller = start();
    // SIGKILL the moment the provider sees the first write (before the outcome and the ack).
    await waitFor('the first provider write', async () => cf.writes().length > 0, 30_000, 2);
    controller.kill('SIGKILL');
    await new Promise((r) => controller!.once('exit', r));
    const written = cf.dnsRecords('svc.plus').map((r) => r.content).sort();
    expect(written.length).toBeGreaterThan(0);
    const firstDecision = await waitFor('the first decision', async () => {
      for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.decisions.name, filter: 'gtm.decision.>' })) return s.event.id;
      return undefined;
    });

    controller = start();
    // If the kill came between the write and the ack, the command comes back after the consumer's
    // ack wait (15 s) and the provider already holds its records: a no-op. If it came a moment
    // later, the outcome was recorded already. Either way the change is applied exactly once.
    const outcomes = await waitFor('the interrupted command settled', async () => {
      const mine: DnsOutcome[] = [];
      for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.outcomes.name, filter: 'dns.>' })) {
        const o = s.event as DnsOutcome;
        if (o.data.decision_id === firstDecision && o.data.outcome !== 'retrying') mine.push(o);
      }
      return mine.length > 0 ? mine : undefined;
    }, 60_000, 200);
    const applied = outcomes.filter((o) => o.data.outcome === 'applied' && o.data.changes.length > 0);
    expect(applied.length).toBeLessThanOrEqual(1);
    expect(outcomes.every((o) => o.data.outcome === 'applied' || o.data.outcome === 'noop')).toBe(true);
    // Both nodes end up published, each record exactly once; nothing failed (a second create of
    // the same record would have been refused by the provider).
    await waitFor('both IPs published', async () => (cf.dnsRecords('svc.plus').length === 2 ? true : undefined), 30_000, 100);
    expect(cf.dnsRecords('svc.plus').map((r) => r.content).sort()).toEqual(['192.0.2.10', '192.0.2.11']);
    const failed: DnsOutcome[] = [];
    for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.outcomes.name, filter: 'dns.failed.>' })) failed.push(s.event as DnsOutcome);
    expect(failed).toEqual([]);
  }, 120_000);
});
