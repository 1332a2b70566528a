import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPlane, lastEventOn, readStream, STREAMS, type Plane, type StoredEvent } from '@plane/backbone';
import { validateEvent, type NodeHeartbeat, type NodeRegistered } from '@plane/events';
import { declareWorld, freePort, startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../bin/plane-api.js', import.meta.url));
const TOKEN = 'node-bootstrap-token';

let server: NatsServerHandle;
let plane: Plane;
let api: ChildProcess;
let base: string;
let dir: string;

const GTM = `service: svc-plus
domain: api.svc.plus
regions:
  - { name: jp, weight: 100, min_ready_nodes: 1 }
  - { name: sg, weight: 10, min_ready_nodes: 1 }
dns: { provider: powerdns, zone: svc.plus, ttl: 30 }
`;

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'api-test' });
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': GTM,
    'regions/jp.yaml': 'name: jp\nprovider: aws\nnode_mode: containerd-only\nallowed_cidrs: [127.0.0.0/8, "::1/128"]\n',
    'regions/sg.yaml': 'name: sg\nprovider: alicloud\nnode_mode: containerd-only\n',
  });
  dir = mkdtempSync(join(tmpdir(), 'plane-api-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, [BIN, '--listen', `127.0.0.1:${port}`, '--token-file', join(dir, 'token'), '--log-level', 'warn'], {
    env: { ...process.env, PLANE_NATS_URL: server.url },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitFor('plane-api ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 20_000, 100);
});

afterAll(async () => {
  api?.kill('SIGTERM');
  await plane?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown, token = TOKEN, raw?: string) {
  return fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
}

async function nodeEvents(filter = 'node.>'): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.nodes.name, filter })) out.push(s);
  return out;
}

const reg = { service: 'svc-plus', region: 'jp', node_id: 'jp-0', ips: ['127.0.0.11'] };
const hb = { service: 'svc-plus', region: 'jp', node_id: 'jp-0', seq: 1, boot: 1700000000000, cpu: 0.5, ram: 0.4, qps: 100, rtt_ms: 20, error_rate: 0, exporter_ok: true };

describe('plane-api', () => {
  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/process_cpu_seconds_total/);
  });

  it('records a registration, a heartbeat and a deregistration as events', async () => {
    const r = await post('/nodes/register', reg);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ node_id: 'jp-0', registered_at: expect.any(String) });
    const h = await post('/nodes/heartbeat', hb);
    expect(h.status).toBe(202);
    const last = await lastEventOn(plane.jsm, STREAMS.nodes.name, 'node.svc-plus.jp.jp-0.heartbeat');
    expect((last!.event as NodeHeartbeat).data).toMatchObject({ cpu: 0.5, via: 'http', exporter_ok: true });
    // the same heartbeat again is the same event (Nats-Msg-Id)
    await post('/nodes/heartbeat', hb);
    expect((await nodeEvents('node.svc-plus.jp.jp-0.heartbeat')).length).toBe(1);

    const again = await post('/nodes/register', { ...reg, ips: ['127.0.0.12', '::1'] });
    expect(again.status).toBe(200);
    const re = await lastEventOn(plane.jsm, STREAMS.nodes.name, 'node.svc-plus.jp.jp-0.registered');
    expect((re!.event as NodeRegistered).data).toMatchObject({ ips: ['127.0.0.12', '::1'], replaced_ips: ['127.0.0.11'] });

    expect((await post('/nodes/deregister', { service: 'svc-plus', region: 'jp', node_id: 'jp-0' })).status).toBe(200);
    for (const e of await nodeEvents()) expect(validateEvent(e.event)).toEqual([]);
  });

  it('refuses a wrong or missing token with 401 and records nothing', async () => {
    const before = (await nodeEvents()).length;
    expect((await post('/nodes/register', { ...reg, node_id: 'intruder' }, 'wrong')).status).toBe(401);
    const none = await fetch(`${base}/nodes/register`, { method: 'POST', body: JSON.stringify(reg) });
    expect(none.status).toBe(401);
    expect((await nodeEvents()).length).toBe(before);
  });

  it('answers bad input with 400 naming the field, and an oversized body with 413', async () => {
    const cases: [unknown, RegExp, string?][] = [
      [null, /body/, 'not json at all'],
      [[1, 2], /body: expected a JSON object/],
      [{ ...reg, ips: ['300.1.1.1'] }, /ips\[0\]/],
      [{ ...reg, ips: [] }, /ips/],
      [{ ...reg, node_id: 'Bad_Node' }, /node_id/],
      [{ ...reg, region: 'mars' }, /region: "mars" is not declared/],
      [{ ...reg, service: 'nope' }, /service/],
      [{ ...reg, ips: ['10.1.2.3'] }, /outside region jp's allowed_cidrs/],
      [{ ...reg, extra: 1 }, /extra: unknown field/],
      [{ ...reg, labels: { a: 1 } }, /labels\.a/],
    ];
    const before = (await nodeEvents()).length;
    for (const [body, message, raw] of cases) {
      const r = await post('/nodes/register', body, TOKEN, raw);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    const badHb = await post('/nodes/heartbeat', { ...hb, cpu: 1.5 });
    expect(badHb.status).toBe(400);
    expect(((await badHb.json()) as { error: string }).error).toMatch(/^cpu/);
    const big = await post('/nodes/register', null, TOKEN, JSON.stringify({ ...reg, labels: { x: 'y'.repeat(70_000) } }));
    expect(big.status).toBe(413);
    expect((await nodeEvents()).length).toBe(before);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('takes a flood of registrations without crashing or losing any', async () => {
    const N = 300;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => post('/nodes/register', { service: 'svc-plus', region: 'sg', node_id: `sg-${i}`, ips: [`10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`] }).then((r) => r.status)),
    );
    expect(results.filter((s) => s === 200).length).toBe(N);
    const events = await nodeEvents('node.svc-plus.sg.*.registered');
    expect(new Set(events.map((e) => e.subject)).size).toBe(N);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
