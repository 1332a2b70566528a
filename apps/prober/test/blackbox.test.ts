// The second source: a REAL Prometheus blackbox exporter (Debian's prometheus-blackbox-exporter)
// probes the test's nodes; the prober records its verdicts. An exporter that does not answer, or
// answers something that is not a probe result, records nothing.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPlane, type Plane } from '@plane/backbone';
import type { ProbeResult } from '@plane/events';
import { createLogger } from '@plane/runtime';
import { freePort, requireBinary, waitFor } from '@plane/testkit';
import { Registry } from 'prom-client';
import { startProber, type RunningProber } from '../src/prober.js';
import { portFreeOn, sleep, startNodeServer, startTestPlane, type TestNodeServer, type TestPlane } from './harness.js';

const log = createLogger('prober-test', 'silent');
const OK = '127.0.0.1';
const BROKEN = '127.0.0.2';
const HANGING = '127.0.0.3';
const CLOSED = '127.0.0.4';

// Module timeouts far above the declared ones: the declared timeout must reach the exporter
// through X-Prometheus-Scrape-Timeout-Seconds.
const CONFIG = `modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
  tcp_connect:
    prober: tcp
    timeout: 10s
    tcp:
      preferred_ip_protocol: ip4
`;

let dir: string;
let exporter: ChildProcess;
let exporterUrl: string;
const exporterLog: string[] = [];
let port: number;
let servers: TestNodeServer[] = [];
let tp: TestPlane;
let proberPlane: Plane;
let running: RunningProber[] = [];

beforeAll(async () => {
  const bin = requireBinary('prometheus-blackbox-exporter', 'prometheus-blackbox-exporter');
  dir = mkdtempSync(join(tmpdir(), 'plane-blackbox-'));
  writeFileSync(join(dir, 'blackbox.yml'), CONFIG);
  const exporterPort = await freePort();
  exporterUrl = `http://127.0.0.1:${exporterPort}`;
  exporter = spawn(bin, [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => exporterLog.push(...b.toString().split('\n').filter(Boolean));
  exporter.stdout?.on('data', keep);
  exporter.stderr?.on('data', keep);
  await waitFor('blackbox exporter', async () => {
    if (exporter.exitCode !== null) throw new Error(`prometheus-blackbox-exporter exited: ${exporterLog.slice(-5).join(' | ')}`);
    const res = await fetch(`${exporterUrl}/-/healthy`);
    return res.ok;
  }, 15_000, 50);

  port = await portFreeOn([OK, BROKEN, HANGING, CLOSED]);
  servers = await Promise.all([startNodeServer(OK, port, 'ok'), startNodeServer(BROKEN, port, 'error'), startNodeServer(HANGING, port, 'hang')]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (exporter && exporter.exitCode === null) {
    const exited = new Promise((r) => exporter.once('exit', r));
    exporter.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
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

async function prober(blackboxUrl: string, registry?: Registry, moduleHttp = 'http_2xx'): Promise<RunningProber> {
  const p = await startProber({
    plane: proberPlane,
    config: { concurrency: 16, proberName: 'prober@test', blackbox: { url: blackboxUrl, moduleHttp, moduleTcp: 'tcp_connect', graceMs: 1000 } },
    log,
    ...(registry ? { registry } : {}),
  });
  running.push(p);
  return p;
}

async function seed(): Promise<void> {
  await tp.commit({
    web: { type: 'http', port, path: '/healthz', interval: '1s', timeout: '500ms' },
    db: { type: 'tcp', port, interval: '1s', timeout: '500ms' },
  });
  await tp.putNode('web', 'jp', 'ok-1', [OK]);
  await tp.putNode('web', 'jp', 'broken-1', [BROKEN]);
  await tp.putNode('web', 'jp', 'hang-1', [HANGING]);
  await tp.putNode('db', 'sg', 'open-1', [OK]);
  await tp.putNode('db', 'sg', 'closed-1', [CLOSED]);
}

describe('prober with a blackbox exporter', () => {
  it('records the exporter\'s verdicts: success, HTTP status, duration', async () => {
    await seed();
    const p = await prober(exporterUrl);
    let latest = new Map<string, ProbeResult>();
    await waitFor('a result for every node', async () => {
      latest = new Map((await tp.probeEvents()).map((e) => [e.data.node_id, e]));
      return latest.size === 5;
    }, 6000, 100);
    expect(p.readiness()).toBe(true);
    const prober_ = `blackbox@${exporterUrl}`;

    const ok = latest.get('ok-1')!;
    expect(ok).toMatchObject({ schema: 1, type: 'ProbeResult', source: 'prober@test' });
    expect(ok.data).toMatchObject({ check: 'http', target: `http://${OK}:${port}/healthz`, ok: true, status: 200, error: null, prober: prober_ });
    expect(ok.data.latency_ms).toBeGreaterThan(0);
    expect(ok.data.latency_ms).toBeLessThan(500);

    expect(latest.get('broken-1')!.data).toMatchObject({ ok: false, status: 500, error: 'blackbox http_2xx: HTTP 500', prober: prober_ });

    const hang = latest.get('hang-1')!.data;
    expect(hang).toMatchObject({ ok: false, status: null, error: 'blackbox http_2xx: no HTTP answer (connection failed or timed out)' });
    // The exporter gave up after the declared 500 ms, not after its module's 10 s.
    expect(hang.latency_ms).toBeGreaterThan(400);
    expect(hang.latency_ms).toBeLessThan(1000);

    expect(latest.get('open-1')!.data).toMatchObject({ check: 'tcp', target: `${OK}:${port}`, ok: true, status: null, prober: prober_ });
    expect(latest.get('closed-1')!.data).toMatchObject({ check: 'tcp', target: `${CLOSED}:${port}`, ok: false, error: 'blackbox tcp_connect: connection failed or timed out' });
  });

  it('records nothing when the exporter does not answer, and says so in readiness', async () => {
    await seed();
    const registry = new Registry();
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const p = await prober(nowhere, registry);
    await waitFor('targets', async () => p.targets().length === 5);
    await waitFor('an exporter failure', async () => /result="exporter_error"\} [1-9]/.test(await registry.metrics()), 3000, 50);
    await sleep(1000);
    expect(await tp.probeEvents()).toEqual([]);
    const ready = p.readiness();
    expect(ready).toMatch(/blackbox exporter .* not answering: ECONNREFUSED/);
    expect(await registry.metrics()).toMatch(/prober_blackbox_up 0/);
  });

  it('records nothing when the exporter answers without a probe result (unknown module)', async () => {
    await seed();
    const registry = new Registry();
    const p = await prober(exporterUrl, registry, 'no_such_module');
    await waitFor('an exporter failure', async () => /check="http",result="exporter_error"\} [1-9]/.test(await registry.metrics()), 3000, 50);
    await sleep(1000);
    // tcp checks still go through the tcp module; http checks record nothing.
    const events = await tp.probeEvents();
    expect(events.filter((e) => e.data.check === 'http')).toEqual([]);
    expect(events.some((e) => e.data.check === 'tcp')).toBe(true);
    const ready = p.readiness();
    expect(typeof ready === 'string' ? ready : '').toMatch(/HTTP 400/);
  });
});
