// Domains without dns.zone against a real PowerDNS: the zone is the server's zone that is the
// longest suffix of the domain. A domain no zone holds is skipped and recorded (GtmAlert
// zone_not_found) without holding back the others, and lands once its zone is created; a domain
// whose zone changes (a more specific zone created) moves to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, readStream, STREAMS, type Plane, type StoredEvent } from '@plane/backbone';
import { validateEvent, type NodeRef } from '@plane/events';
import { declareWorld, heartbeatEvery, registerNode, startNatsServer, startPdnsServer, waitFor, type NatsServerHandle, type PdnsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../bin/gtm-controller.js', import.meta.url));
const CTL = fileURLToPath(new URL('../../ctl/bin/planectl.js', import.meta.url));

let nats: NatsServerHandle;
let pdns: PdnsServerHandle;
let plane: Plane;
let controller: ChildProcess;
let resolver: Resolver;
const beats: (() => void)[] = [];

const nodes: { ref: NodeRef; ip: string }[] = [
  { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-0' }, ip: '127.0.0.41' },
  { ref: { service: 'svc-plus', region: 'sg', node_id: 'sg-0' }, ip: '127.0.0.51' },
];

function ctl(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return ctlWith({ TEST_PDNS_KEY: pdns.apiKey }, ...args);
}

function ctlWith(env: Record<string, string>, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.PDNS_API_KEY;
  delete base.TEST_PDNS_KEY;
  return new Promise((resolve) => {
    execFile(process.execPath, [CTL, ...args], { encoding: 'utf8', env: { ...base, PLANE_NATS_URL: nats.url, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function resolve4(name: string): Promise<string[]> {
  return (await resolver.resolve4(name).catch(() => [] as string[])).sort();
}

async function events(stream: string, filter: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream, filter })) out.push(s);
  return out;
}

/** The RRsets PowerDNS holds at `name` in `zone` (with records). */
async function rrsetsIn(zone: string, name: string): Promise<{ name: string; type: string; records: { content: string }[] }[]> {
  const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'X-API-Key': pdns.apiKey } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { rrsets: { name: string; type: string; records: { content: string }[] }[] };
  return body.rrsets.filter((r) => r.name === `${name}.` && r.records.length > 0);
}

beforeAll(async () => {
  nats = await startNatsServer();
  pdns = await startPdnsServer();
  // `plus` is a suffix of api.eu.svc.plus too, but `svc.plus` is the longer one; `vc.plus` is no
  // suffix at a label boundary.
  for (const zone of ['plus', 'svc.plus', 'vc.plus', 'example.com']) await pdns.createZone(zone);
  plane = await connectPlane({ url: nats.url, name: 'zones-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
  await declareWorld(plane, {
    // No dns.zone. The domain without a zone comes first: it must not hold back the other one.
    'gtm/svc-plus.yaml': `service: svc-plus
dns:
  provider: powerdns
  ttl: 1
  api_url: ${pdns.apiUrl}
  credentials: { env: TEST_PDNS_KEY }
health:
  type: http
  interval: 200ms
  timeout: 100ms
  heartbeat_timeout: 2s
domains:
  - name: api.missing.test
    regions:
      - { name: sg, weight: 100, min_ready_nodes: 1 }
  - name: api.eu.svc.plus
    regions:
      - { name: jp, weight: 100, min_ready_nodes: 1 }
`,
  });
  for (const { ref, ip } of nodes) {
    await registerNode(plane, ref, [ip]);
    beats.push(heartbeatEvery(plane, ref));
  }
  controller = spawn(process.execPath, [BIN, '--reconcile-interval', '200ms', '--lease-ttl', '2s', '--zone-retry', '1s', '--zone-refresh', '2s', '--log-level', 'warn'], {
    env: { ...process.env, PLANE_NATS_URL: nats.url, TEST_PDNS_KEY: pdns.apiKey },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
});

afterAll(async () => {
  for (const stop of beats) stop();
  controller?.kill('SIGTERM');
  if (controller && controller.exitCode === null) await new Promise((r) => controller.once('exit', r));
  await plane?.close();
  await nats?.dispose();
  await pdns?.dispose();
});

describe('gtm-controller: the zone of a domain without dns.zone', () => {
  it('puts api.eu.svc.plus into the longest-suffix zone svc.plus, and real DNS answers it', async () => {
    await waitFor('api.eu.svc.plus answered', async () => ((await resolve4('api.eu.svc.plus')).includes('127.0.0.41') ? true : undefined), 30_000, 200);
    expect((await rrsetsIn('svc.plus', 'api.eu.svc.plus')).map((r) => r.type)).toEqual(['A']);
    expect(await rrsetsIn('plus', 'api.eu.svc.plus')).toEqual([]);

    const decided = (await events(STREAMS.decisions.name, 'gtm.decision.>')).map((s) => s.event.data as { domain: string; zone: string });
    expect(decided.filter((d) => d.domain === 'api.eu.svc.plus').every((d) => d.zone === 'svc.plus')).toBe(true);
    expect(decided.some((d) => d.domain === 'api.missing.test')).toBe(false);
    const outcomes = (await events(STREAMS.outcomes.name, 'dns.>')).map((s) => s.event.data as { domain: string; zone: string; outcome: string });
    expect(outcomes.find((o) => o.domain === 'api.eu.svc.plus' && o.outcome === 'applied')?.zone).toBe('svc.plus');
  });

  it('records one zone_not_found alert for api.missing.test, naming the domain, the provider and its zones, and leaves it out of DNS', async () => {
    // Many reconcile passes have run by now; the problem is recorded once.
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = (await events(STREAMS.decisions.name, 'gtm.alert.>')).map((s) => s.event);
    const zoneAlerts = alerts.filter((e) => (e.data as { kind: string }).kind === 'zone_not_found');
    expect(zoneAlerts).toHaveLength(1);
    const alert = zoneAlerts[0]!;
    expect(validateEvent(alert)).toEqual([]);
    expect(alert.data).toMatchObject({ domain: 'api.missing.test', service: 'svc-plus', decision_id: null });
    const message = (alert.data as { message: string }).message;
    expect(message).toContain('api.missing.test');
    expect(message).toContain(`powerdns (${pdns.apiUrl})`);
    expect(message).toContain('example.com, plus, svc.plus, vc.plus');
    expect(await resolve4('api.missing.test')).toEqual([]);
  });

  it('planectl plan shows each domain under its zone, and says which one has none', async () => {
    const plan = await ctl('plan');
    expect(plan.stdout).toMatch(/zone svc\.plus \(powerdns\)\n {2}api\.eu\.svc\.plus: no changes/);
    expect(plan.stdout).toMatch(/zone unknown \(powerdns\)\n {2}api\.missing\.test: no zone: dns\.zone is not declared and no zone of powerdns \(http:[^)]*\) is api\.missing\.test or a suffix of it/);
    expect(plan.status).toBe(1);
  });

  it('once the zone exists, the domain lands in it without a restart', async () => {
    await pdns.createZone('missing.test');
    await waitFor('api.missing.test answered', async () => ((await resolve4('api.missing.test')).includes('127.0.0.51') ? true : undefined), 30_000, 200);
    expect((await rrsetsIn('missing.test', 'api.missing.test')).map((r) => r.type)).toEqual(['A']);
    // The other domain was never disturbed.
    expect(await resolve4('api.eu.svc.plus')).toEqual(['127.0.0.41']);
    const plan = await ctl('plan');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/zone missing\.test \(powerdns\)\n {2}api\.missing\.test: no changes/);
    // Without the provider's credentials, plan falls back to the zone each domain was last applied to.
    const offline = await ctlWith({}, 'plan');
    expect(offline.status).toBe(0);
    expect(offline.stdout).toMatch(/zone svc\.plus \(powerdns\)\n {2}api\.eu\.svc\.plus: zone svc\.plus as last applied \(.*TEST_PDNS_KEY is not set\)\n {2}api\.eu\.svc\.plus: no changes/);
  });

  it('moves a domain to a more specific zone created later, and DNS answers from it', async () => {
    const decisionsBefore = (await events(STREAMS.decisions.name, 'gtm.decision.>')).length;
    // PowerDNS answers api.eu.svc.plus from the most specific zone it has: the new, empty one.
    await pdns.createZone('eu.svc.plus');
    await waitFor('api.eu.svc.plus answered from eu.svc.plus', async () => ((await resolve4('api.eu.svc.plus')).includes('127.0.0.41') ? true : undefined), 30_000, 200);
    expect((await rrsetsIn('eu.svc.plus', 'api.eu.svc.plus')).map((r) => r.type)).toEqual(['A']);
    const stored = await events(STREAMS.outcomes.name, 'dns.>');
    for (const o of stored) expect(validateEvent(o.event)).toEqual([]);
    const moved = stored.map((o) => o.event).find((e) => (e.data as { zone: string; outcome: string }).zone === 'eu.svc.plus' && (e.data as { outcome: string }).outcome === 'applied');
    // Recorded as an outcome of its own, next to the one that applied it to svc.plus.
    expect(moved?.id).toMatch(/^dns:gtm:api\.eu\.svc\.plus:\d+:[0-9a-f]+:zone:eu\.svc\.plus:applied:1$/);
    // The answer did not change, so no new decision was needed to move it.
    expect((await events(STREAMS.decisions.name, 'gtm.decision.>')).length).toBe(decisionsBefore);
  });
});
