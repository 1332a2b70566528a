// The whole gtm path against a real PowerDNS: heartbeats -> health -> decision -> DnsApply ->
// executor -> pdns -> real DNS answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, readStream, STREAMS, type Plane, type StoredEvent } from '@plane/backbone';
import { validateEvent, type DnsOutcome, type NodeRef } from '@plane/events';
import { declareWorld, freePort, heartbeatEvery, registerNode, startNatsServer, startPdnsServer, waitFor, type NatsServerHandle, type PdnsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../bin/gtm-controller.js', import.meta.url));
const CTL = fileURLToPath(new URL('../../ctl/bin/planectl.js', import.meta.url));

/** planectl as a child process, without blocking this process (the test's heartbeats keep going). */
function ctl(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CTL, ...args], { encoding: 'utf8', env: { ...process.env, PLANE_NATS_URL: nats.url, TEST_PDNS_KEY: pdns.apiKey }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const TIMEOUT_MS = 1500;

let nats: NatsServerHandle;
let pdns: PdnsServerHandle;
let plane: Plane;
let controller: ChildProcess;
let resolver: Resolver;
let metricsPort: number;
const beating = new Map<string, () => void>();

const nodes: Record<string, { ref: NodeRef; ip: string }> = {
  'jp-0': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-0' }, ip: '127.0.0.21' },
  'jp-1': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-1' }, ip: '127.0.0.22' },
  'sg-0': { ref: { service: 'svc-plus', region: 'sg', node_id: 'sg-0' }, ip: '127.0.0.31' },
};

function startBeating(id: string) {
  beating.set(id, heartbeatEvery(plane, nodes[id]!.ref));
}

function stopBeating(id: string) {
  beating.get(id)?.();
  beating.delete(id);
}

async function answers(n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const got = await resolver.resolve4('api.svc.plus').catch(() => [] as string[]);
    for (const ip of got) counts.set(ip, (counts.get(ip) ?? 0) + 1);
  }
  return counts;
}

async function outcomes(): Promise<DnsOutcome[]> {
  const out: StoredEvent[] = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.outcomes.name, filter: 'dns.>' })) out.push(s);
  return out.map((s) => s.event as DnsOutcome);
}

beforeAll(async () => {
  nats = await startNatsServer();
  pdns = await startPdnsServer();
  await pdns.createZone('svc.plus');
  plane = await connectPlane({ url: nats.url, name: 'failover-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': `service: svc-plus
dns:
  provider: powerdns
  zone: svc.plus
  ttl: 1
  api_url: ${pdns.apiUrl}
  credentials: { env: TEST_PDNS_KEY }
health:
  type: http
  interval: 200ms
  timeout: 100ms
  heartbeat_timeout: ${TIMEOUT_MS}ms
  max_ejection_percent: 60
domains:
  - name: api.svc.plus
    regions:
      - { name: jp, weight: 100, min_ready_nodes: 1 }
      - { name: sg, weight: 10, min_ready_nodes: 1 }
`,
  });
  for (const { ref, ip } of Object.values(nodes)) {
    await registerNode(plane, ref, [ip]);
  }
  for (const id of Object.keys(nodes)) startBeating(id);
  metricsPort = await freePort();
  controller = spawn(process.execPath, [BIN, '--reconcile-interval', '200ms', '--lease-ttl', '2s', '--metrics-listen', `127.0.0.1:${metricsPort}`, '--log-level', 'warn'], {
    env: { ...process.env, PLANE_NATS_URL: nats.url, TEST_PDNS_KEY: pdns.apiKey },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
});

afterAll(async () => {
  for (const id of [...beating.keys()]) stopBeating(id);
  controller?.kill('SIGTERM');
  await new Promise((r) => controller?.once('exit', r));
  await plane?.close();
  await nats?.dispose();
  await pdns?.dispose();
});

describe('gtm-controller with a real PowerDNS', () => {
  it('publishes every ready node, in shares that follow the region weights', async () => {
    await waitFor('all three IPs answered', async () => {
      const seen = await answers(60);
      return ['127.0.0.21', '127.0.0.22', '127.0.0.31'].every((ip) => seen.has(ip)) ? true : undefined;
    }, 30_000, 200);
    const counts = await answers(1100);
    const jp = (counts.get('127.0.0.21') ?? 0) + (counts.get('127.0.0.22') ?? 0);
    const sg = counts.get('127.0.0.31') ?? 0;
    expect(jp / (jp + sg)).toBeGreaterThan(0.85);
    expect(jp / (jp + sg)).toBeLessThan(0.97);
  });

  it('makes no provider write in a steady state', async () => {
    const before = (await outcomes()).filter((o) => o.data.outcome === 'applied').length;
    await new Promise((r) => setTimeout(r, 2500));
    const after = (await outcomes()).filter((o) => o.data.outcome === 'applied').length;
    expect(after).toBe(before);
  });

  it('serves metrics: reconcile durations, decisions, provider calls and errors, and its lag behind NODES', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const value = (text: string, name: string, labels = ''): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? l.includes(labels) : false);
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const text = await scrape();
    expect(value(text, 'gtm_controller_leader')).toBe(1);
    expect(value(text, 'gtm_reconcile_duration_seconds_count')).toBeGreaterThan(0);
    expect(value(text, 'gtm_decisions_total', 'type="GtmDecided"')).toBeGreaterThan(0);
    expect(value(text, 'gtm_provider_calls_total', 'provider="powerdns"')).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE gtm_provider_errors_total counter$/m);
    // Three nodes heartbeat every 200 ms: the projection keeps up, a few messages behind at most.
    await waitFor('the projection close behind NODES', async () => {
      const lag = value(await scrape(), 'gtm_health_projection_lag_messages');
      return lag !== undefined && lag >= 0 && lag < 20 ? true : undefined;
    }, 10_000, 200);
  });

  it('takes a node whose heartbeats stop out of the answers within heartbeat_timeout plus a reconcile, and back when they resume', async () => {
    stopBeating('jp-1');
    const stoppedAt = Date.now();
    await waitFor('jp-1 gone from DNS', async () => {
      const seen = await answers(40);
      return !seen.has('127.0.0.22') && seen.has('127.0.0.21') ? true : undefined;
    }, 20_000, 50);
    const tookMs = Date.now() - stoppedAt;
    expect(tookMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 250);
    expect(tookMs).toBeLessThan(TIMEOUT_MS + 5000);
    const counts = await answers(300);
    expect(counts.has('127.0.0.22')).toBe(false);

    startBeating('jp-1');
    await waitFor('jp-1 back in DNS', async () => ((await answers(60)).has('127.0.0.22') ? true : undefined), 20_000, 100);
    const all = await outcomes();
    expect(all.some((o) => o.data.outcome === 'applied')).toBe(true);
    for (const o of all) expect(validateEvent(o)).toEqual([]);
  });

  it('planectl plan, explain and replay --verify read the recorded decisions', async () => {
    const plan = await ctl('plan');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/zone svc\.plus \(powerdns\)/);
    expect(plan.stdout).toMatch(/api\.svc\.plus: no changes/);
    const live = await ctl('plan', '--live');
    expect(live.stdout).toMatch(/0 change\(s\) would be applied/);

    const decisions: StoredEvent[] = [];
    for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.decisions.name, filter: 'gtm.decision.>' })) decisions.push(s);
    expect(decisions.length).toBeGreaterThanOrEqual(3);
    for (const d of decisions) expect(validateEvent(d.event)).toEqual([]);
    const withdrawal = decisions.filter((d) => (d.event.data as { outcome: string }).outcome === 'changed').at(-1)!;
    const explain = await ctl('explain', withdrawal.event.id);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toMatch(/why\s+api\.svc\.plus/);
    expect(explain.stdout).toMatch(/jp\s+weight/);
    expect(explain.stdout).toMatch(/applied: /);

    const replay = await ctl('replay', '--verify');
    expect(replay.stdout).toMatch(/replayed \d+ decision\(s\): \d+ identical, 0 different/);
    expect(replay.status).toBe(0);
  });

  it('planectl status, drain/undrain and suspend/resume work on the running controller', async () => {
    const status = await ctl('status');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/domain api\.svc\.plus \(svc-plus, powerdns, weighted\)/);
    expect(status.stdout).toMatch(/jp\s+weight\s+\d+ of 100\s+ready 2\/2/);

    expect((await ctl('drain', 'svc-plus.jp.jp-0', '--reason', 'kernel upgrade')).status).toBe(0);
    await waitFor('jp-0 drained out of DNS', async () => {
      const seen = await answers(40);
      return !seen.has('127.0.0.21') && seen.has('127.0.0.22') ? true : undefined;
    }, 20_000, 50);
    expect((await ctl('status')).stdout).toMatch(/svc-plus\.jp\.jp-0\s+draining.*kernel upgrade/);
    expect((await ctl('undrain', 'svc-plus.jp.jp-0')).status).toBe(0);
    await waitFor('jp-0 back', async () => ((await answers(60)).has('127.0.0.21') ? true : undefined), 20_000, 50);

    expect((await ctl('suspend', 'svc-plus', '--reason', 'provider maintenance')).status).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    stopBeating('jp-1');
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 1500));
    // Suspended: nothing changes in DNS although jp-1 is down.
    expect((await answers(80)).has('127.0.0.22')).toBe(true);
    expect((await ctl('status')).stdout).toMatch(/suspended by planectl@.*provider maintenance/);
    expect((await ctl('resume', 'svc-plus')).status).toBe(0);
    await waitFor('jp-1 withdrawn after resume', async () => ((await answers(60)).has('127.0.0.22') ? undefined : true), 20_000, 50);
    startBeating('jp-1');
  });
});
