// The whole path as it runs for real: node events on a real nats-server -> the gateway-sync binary
// (upstreams projection + render worker) -> an nginx upstreams file -> a real nginx, reloaded
// only when the text changed, proxying to real HTTP backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, openBucket, publishEvent, readBucket, runProjection, POSITION_KEY, STREAMS, type Plane } from '@plane/backbone';
import { nodeSubject, type NodeStreamEvent } from '@plane/events';
import { freePort, startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';
import { upstreamsProjection, UPSTREAMS_BUCKET } from '../src/upstreams/projection.js';
import type { UpstreamPool } from '../src/upstreams/pool.js';
import { drain, heartbeat, kindOf, ref, registered, state } from './events.js';
import { spread, startBackends, startNginx, type Backends, type NginxHandle } from './nginx.js';

const BIN = fileURLToPath(new URL('../bin/gateway-sync.js', import.meta.url));
const IPS = { a: '127.0.0.2', b: '127.0.0.3', c: '127.0.0.4' } as const;
const node = { a: ref('a'), b: ref('b'), c: ref('c') };

let nats: NatsServerHandle;
let plane: Plane;
let dir: string;
let backends: Backends;
let nginx: NginxHandle;
let gateway: ChildProcess;
let gatewayExit: Promise<number | null>;
const gatewayLog: string[] = [];
let metricsPort: number;

async function publish(...events: NodeStreamEvent[]): Promise<void> {
  for (const e of events) await publishEvent(plane.js, nodeSubject(e.data, kindOf(e)), e);
}

const file = () => readFileSync(nginx.upstreamsFile, 'utf8');
const serverLine = (ip: string) => `server ${ip}:${backends.port} `;

async function metric(name: string, label = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && (label === '' || l.includes(label)) && !l.startsWith('#'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Waits until n requests through nginx reach exactly these backends. */
async function reaches(names: string[], what: string): Promise<void> {
  await waitFor(what, async () => {
    const seen = await spread(nginx.port, 12);
    return [...seen.keys()].sort().join(',') === [...names].sort().join(',');
  }, 10_000, 100);
}

beforeAll(async () => {
  nats = await startNatsServer();
  plane = await connectPlane({ url: nats.url, name: 'gateway-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
  dir = mkdtempSync(join(tmpdir(), 'plane-gateway-'));
  backends = await startBackends({ a: IPS.a, b: IPS.b, c: IPS.c }, freePort);
  // nginx needs the upstream its server block names before gateway-sync ever ran.
  nginx = await startNginx(dir, await freePort(), 'upstream plane_svc_jp { server 127.0.0.1:9 down; }\n');
  metricsPort = await freePort();

  // Two nodes registered and ready before gateway-sync starts.
  await publish(registered(node.a, [IPS.a]), registered(node.b, [IPS.b]), heartbeat(node.a, 1), heartbeat(node.b, 1));
  await publish(state(node.a, 'ready', [IPS.a]), state(node.b, 'ready', [IPS.b]));

  gateway = spawn(
    process.execPath,
    [
      BIN,
      '--nginx-upstreams-file', nginx.upstreamsFile,
      '--nginx-reload-command', nginx.reloadCommand,
      '--nginx-test-command', nginx.testCommand,
      '--debounce', '100ms',
      '--retry-interval', '300ms',
      '--lease-ttl', '2s',
      '--metrics-listen', `127.0.0.1:${metricsPort}`,
      '--log-level', 'info',
    ],
    { env: { ...process.env, PLANE_NATS_URL: nats.url, PLANE_UPSTREAM_PORT: String(backends.port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  gatewayExit = new Promise((resolve) => gateway.once('exit', (code) => resolve(code)));
  gateway.stderr?.on('data', (b: Buffer) => gatewayLog.push(...b.toString().split('\n').filter(Boolean)));
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await gatewayExit;
  }
  await nginx?.stop();
  await backends?.close();
  await plane?.close();
  await nats?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gateway-sync with a real nginx', () => {
  let firstWorkers: number[];

  it('renders both ready nodes, reloads nginx, and nginx sends traffic to both', async () => {
    const workersBefore = nginx.workerPids();
    await waitFor('both servers in the upstreams file', async () => file().includes(serverLine(IPS.a)) && file().includes(serverLine(IPS.b)), 15_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${gatewayLog.slice(-20).join('\n')}`);
    });
    expect(file()).toContain(`upstream plane_svc_jp {\n    server ${IPS.a}:${backends.port} max_fails=3 fail_timeout=10s; # a\n    server ${IPS.b}:${backends.port} max_fails=3 fail_timeout=10s; # b\n}`);
    await reaches(['a', 'b'], 'nginx proxies to a and b');
    expect(nginx.reloads()).toBe(1);
    firstWorkers = nginx.workerPids();
    expect(firstWorkers).not.toEqual(workersBefore);
    await waitFor('ready', async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200);
    expect(await metric('gateway_sync_upstream_servers', 'upstream="plane_svc_jp"')).toBe(2);
  });

  it('does not reload when an event leaves the rendered text as it is', async () => {
    const reloads = nginx.reloads();
    const unchanged = await metric('gateway_sync_renders_total', 'outcome="unchanged"');
    const before = file();
    // Suspect still serves: the bucket changes, the rendered text does not.
    await publish(state(node.a, 'suspect', [IPS.a], 'ready'), heartbeat(node.a, 2), registered(node.b, [IPS.b]));
    await waitFor('a render pass that changed nothing', async () => (await metric('gateway_sync_renders_total', 'outcome="unchanged"')) > unchanged);
    const kv = await openBucket(plane.nc, UPSTREAMS_BUCKET.name);
    expect(((await kv.get('svc.jp'))!.json<UpstreamPool>()).members.a?.state).toBe('suspect');
    expect(file()).toBe(before);
    expect(nginx.reloads()).toBe(reloads);
    expect(nginx.workerPids()).toEqual(firstWorkers);
  });

  it('a NodeDown removes the node from the file, and after the reload nginx stops sending it traffic', async () => {
    const reloads = nginx.reloads();
    const master = nginx.masterPid();
    await publish(state(node.b, 'down', [IPS.b], 'ready'));
    await waitFor('b out of the file', async () => !file().includes(serverLine(IPS.b)));
    expect(file()).toContain(serverLine(IPS.a));
    await waitFor('one more reload', async () => nginx.reloads() === reloads + 1);
    await waitFor('new nginx workers', async () => nginx.workerPids().every((p) => !firstWorkers.includes(p)) && nginx.workerPids().length > 0);
    expect(nginx.masterPid()).toBe(master);
    await reaches(['a'], 'only a answers');
    expect(nginx.reloads()).toBe(reloads + 1);
  });

  it('a new node that turns ready is added', async () => {
    const reloads = nginx.reloads();
    await publish(registered(node.c, [IPS.c]), heartbeat(node.c, 1), state(node.c, 'ready', [IPS.c]));
    await waitFor('c in the file', async () => file().includes(serverLine(IPS.c)));
    await reaches(['a', 'c'], 'a and c answer');
    expect(nginx.reloads()).toBe(reloads + 1);
    expect(await metric('gateway_sync_upstream_servers', 'upstream="plane_svc_jp"')).toBe(2);
  });

  it('a render nginx refuses leaves the old file in force, and is applied once nginx accepts it', async () => {
    const reloads = nginx.reloads();
    const before = file();
    const rejected = await metric('gateway_sync_renders_total', 'outcome="rejected"');
    nginx.failTests(true);
    await publish(state(node.a, 'down', [IPS.a], 'suspect'));
    await waitFor('the test command refused the render', async () => (await metric('gateway_sync_renders_total', 'outcome="rejected"')) > rejected);
    expect(file()).toBe(before);
    expect(await metric('gateway_sync_test_failures_total')).toBeGreaterThan(0);
    expect(nginx.reloads()).toBe(reloads);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(503);
    await reaches(['a', 'c'], 'nginx still runs the old upstreams');

    nginx.failTests(false);
    await waitFor('the retry applies the render', async () => !file().includes(serverLine(IPS.a)));
    await waitFor('reloaded once', async () => nginx.reloads() === reloads + 1);
    await reaches(['c'], 'only c answers');
    expect(gatewayLog.some((l) => l.includes('simulated: the configuration file test failed'))).toBe(true);
  });

  it('an upstream with no serving node renders the placeholder nginx accepts', async () => {
    await publish(drain(node.c, true));
    await waitFor('placeholder', async () => file().includes('upstream plane_svc_jp {\n    server 127.0.0.1:9 down; # no serving node\n}'));
    await reaches(['<502>'], 'nginx has no live upstream');
    expect(await metric('gateway_sync_upstream_servers', 'upstream="plane_svc_jp"')).toBe(0);
  });

  it('the bucket rebuilt from NODES equals the live bucket', async () => {
    const live = await openBucket(plane.nc, UPSTREAMS_BUCKET.name);
    const rebuilt = await runProjection(plane.nc, plane.js, plane.jsm, upstreamsProjection({ ...UPSTREAMS_BUCKET, name: 'upstreams-rebuild' }));
    await rebuilt.caughtUp;
    await rebuilt.stop();
    const liveEntries = await readBucket(live);
    const rebuiltEntries = await readBucket(await openBucket(plane.nc, 'upstreams-rebuild'));
    liveEntries.delete(POSITION_KEY);
    rebuiltEntries.delete(POSITION_KEY);
    expect(rebuiltEntries).toEqual(liveEntries);
    expect((liveEntries.get('svc.jp') as UpstreamPool).members).toEqual({
      a: { state: 'down', draining: false, ips: [IPS.a] },
      b: { state: 'down', draining: false, ips: [IPS.b] },
      c: { state: 'ready', draining: true, ips: [IPS.c] },
    });
  });

  it('metrics count renders and reloads; SIGTERM stops it cleanly', async () => {
    expect(await metric('gateway_sync_reloads_total')).toBe(nginx.reloads());
    expect(await metric('gateway_sync_reload_failures_total')).toBe(0);
    expect(await metric('gateway_sync_projection_leader')).toBe(1);
    // The projection runs here: its lag behind NODES is shown, and nothing is left to fold.
    await waitFor('the projection caught up', async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /^gateway_sync_projection_lag_messages(\{[^}]*\})? 0$/m.test(text) ? true : undefined;
    }, 10_000, 100);
    gateway.kill('SIGTERM');
    expect(await gatewayExit).toBe(0);
  });
});
