// The node-agent binary against the real plane-api binary and a real nats-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { lastEventOn, STREAMS } from '@plane/backbone';
import { validateEvent, type NodeDeregistered, type NodeHeartbeatData, type NodeRegistered } from '@plane/events';
import { freePort, waitFor } from '@plane/testkit';
import { AGENT_BIN, REGION, SERVICE, TOKEN, startWorld, waitForHeartbeats, type World } from './harness.js';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.dispose();
});

const subject = (node: string, kind: string) => `node.${SERVICE}.${REGION}.${node}.${kind}`;

function expectSane(hb: NodeHeartbeatData): void {
  expect(hb.cpu).toBeGreaterThanOrEqual(0);
  expect(hb.cpu).toBeLessThanOrEqual(1);
  expect(hb.ram).toBeGreaterThan(0);
  expect(hb.ram).toBeLessThanOrEqual(1);
}

describe('node-agent', () => {
  it('stops at start with one clear line and exit 2 on a missing or bad setting', async () => {
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [AGENT_BIN, ...args], { env: { ...process.env, PLANE_NODE_TOKEN: '' }, timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
    const base = ['--api-url', world.apiUrl, '--token-file', world.tokenFile, '--service', SERVICE, '--region', REGION, '--ip', '127.0.0.1'];
    const cases: [string[], RegExp][] = [
      [[], /--api-url is required/],
      [['--api-url', world.apiUrl, '--service', SERVICE, '--region', REGION], /--token-file is required/],
      [[...base, '--node-id', 'Bad_Node'], /--node-id: "Bad_Node"/],
      [[...base, '--interval', 'soon'], /--interval/],
      [[...base, '--static-metrics', 'cpu=2'], /--static-metrics: cpu=2/],
      [[...base, '--ip', 'not-an-ip'], /--ip: "not-an-ip"/],
      [[...base, '--metrics-url', 'http://127.0.0.1:1/metrics', '--nginx-access-log', '/tmp/x'], /alternatives/],
      [[...base.slice(0, 2), '--token-file', join(world.dir, 'missing'), ...base.slice(4)], /--token-file: cannot read file/],
      [[...base, '--api-url', 'ftp://x'], /--api-url: "ftp:\/\/x" must be http/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, message], i) => {
      const r = results[i]!;
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--nginx-access-log/);
  });

  it('registers, heartbeats over NATS at the interval with real cpu/ram, serves health, and deregisters on SIGTERM', async () => {
    const metricsPort = await freePort();
    const agent = world.agent('beat-1', ['--metrics-listen', `127.0.0.1:${metricsPort}`, '--labels', 'tier=web']);
    const hbs = await waitForHeartbeats(world, 'beat-1', '6 heartbeats over NATS', (h) => h.filter((x) => x.via === 'nats').length >= 6, 10_000, agent);

    const reg = await lastEventOn(world.plane.jsm, STREAMS.nodes.name, subject('beat-1', 'registered'));
    expect((reg!.event as NodeRegistered).data).toMatchObject({ service: SERVICE, region: REGION, node_id: 'beat-1', ips: ['127.0.0.1'], labels: { tier: 'web' } });

    // seq counts from 1 per boot, all with the same boot
    expect(hbs.map((h) => h.seq)).toEqual(hbs.map((_, i) => i + 1));
    expect(new Set(hbs.map((h) => h.boot)).size).toBe(1);
    for (const h of hbs) {
      expectSane(h);
      expect(h).toMatchObject({ exporter_ok: true, qps: 0, rtt_ms: 0, error_rate: 0 });
    }
    const events = await world.events(subject('beat-1', 'heartbeat'));
    for (const e of events) {
      expect(validateEvent(e.event)).toEqual([]);
      expect(e.event.id).toBe(`hb:${SERVICE}.${REGION}.beat-1:${hbs[0]!.boot}:${(e.event.data as NodeHeartbeatData).seq}`);
      // Over NATS the agent records it; a heartbeat whose NATS flush was not confirmed in time (a
      // loaded machine) went by HTTP and plane-api recorded the same event.
      const via = (e.event.data as NodeHeartbeatData).via;
      expect(e.event.source).toMatch(via === 'nats' ? /^node-agent@/ : /^plane-api@/);
    }
    // at the interval: the agent's own clock in the envelope
    const times = events.map((e) => Date.parse(e.event.time));
    const spacing = (times[times.length - 1]! - times[0]!) / (times.length - 1);
    expect(spacing).toBeGreaterThan(120);
    expect(spacing).toBeLessThan(400);

    const m = `http://127.0.0.1:${metricsPort}`;
    expect((await fetch(`${m}/healthz`)).status).toBe(200);
    expect((await fetch(`${m}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${m}/metrics`)).text();
    expect(text).toMatch(/node_agent_heartbeats_sent_total\{via="nats",app="node-agent"\} [1-9]/);
    expect(text).toMatch(/node_agent_registered\{app="node-agent"\} 1/);

    const started = Date.now();
    const exit = await agent.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    const dereg = await lastEventOn(world.plane.jsm, STREAMS.nodes.name, subject('beat-1', 'deregistered'));
    expect((dereg!.event as NodeDeregistered).data).toMatchObject({ node_id: 'beat-1' });
    expect(dereg!.seq).toBeGreaterThan(reg!.seq);
  });

  it('carries --static-metrics', async () => {
    const agent = world.agent('static-1', ['--static-metrics', 'cpu=0.5,ram=0.4,qps=100,rtt_ms=20,error_rate=0.01']);
    const hbs = await waitForHeartbeats(world, 'static-1', 'a heartbeat', (h) => h.length >= 2, 10_000, agent);
    expect(hbs[1]).toMatchObject({ cpu: 0.5, ram: 0.4, qps: 100, rtt_ms: 20, error_rate: 0.01, exporter_ok: true });
    expect((await agent.stop()).code).toBe(0);
  });

  it('computes qps, rtt and error rate from a Prometheus endpoint, and says so when it goes away', async () => {
    // Counters that advance with real time: 1,000 requests/s in blocks of 20 (2 of them 503),
    // each taking 20 ms.
    const t0 = performance.now();
    let server: Server | undefined = createServer((_req, res) => {
      const blocks = Math.floor(((performance.now() - t0) / 1000) * 50);
      const total = blocks * 20;
      const errors = blocks * 2;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
        [
          '# TYPE http_requests_total counter',
          `http_requests_total{code="200",method="GET"} ${total - errors}`,
          `http_requests_total{code="503",method="GET"} ${errors}`,
          '# TYPE http_request_duration_seconds histogram',
          `http_request_duration_seconds_bucket{le="+Inf"} ${total}`,
          `http_request_duration_seconds_sum ${total * 0.02}`,
          `http_request_duration_seconds_count ${total}`,
          '',
        ].join('\n'),
      );
    });
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    try {
      const agent = world.agent('prom-1', ['--metrics-url', `http://127.0.0.1:${port}/metrics`]);
      const hbs = await waitForHeartbeats(world, 'prom-1', '4 heartbeats', (h) => h.length >= 4, 10_000, agent);
      for (const h of hbs.slice(0, 4)) {
        expectSane(h);
        expect(h.exporter_ok).toBe(true);
        if (h.qps > 0) expect(h).toMatchObject({ rtt_ms: 20, error_rate: 0.1 });
      }
      // The first heartbeat follows the registration at once, so its window is short; the next
      // ones span the interval (200 ms: 10 blocks, +-1; wider for a loaded machine's timers).
      for (const h of hbs.slice(1, 4)) {
        expect(h.qps).toBeGreaterThan(600);
        expect(h.qps).toBeLessThan(1400);
      }
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
      const after = await waitForHeartbeats(world, 'prom-1', 'a heartbeat with exporter_ok false', (h) => h.some((x) => !x.exporter_ok), 10_000, agent);
      const bad = after.find((x) => !x.exporter_ok)!;
      expectSane(bad);
      expect(bad).toMatchObject({ qps: 0, rtt_ms: 0, error_rate: 0 });
      expect(bad.exporter_error).toMatch(/scrape of http:\/\/127\.0\.0\.1:\d+\/metrics failed/);
      expect((await agent.stop()).code).toBe(0);
    } finally {
      server?.close();
    }
  });

  it('tails an nginx access log through rotation, and says so when it is gone', async () => {
    const log = join(world.dir, 'access.log');
    writeFileSync(log, '10.0.0.1 - - [26/Nov/2025:10:00:00 +0000] "GET /old HTTP/1.1" 500 1 "-" "curl" 9.999\n'.repeat(50));
    const agent = world.agent('nginx-1', ['--nginx-access-log', log]);
    // Every 50 ms: 4 quick 200s and one slow 500 (combined + $request_time, and the plane format).
    const line = (status: number, t: string) => `10.0.0.1 - - [26/Nov/2025:10:00:00 +0000] "GET /x HTTP/1.1" ${status} 12 "-" "curl/8" ${t}\n`;
    const batch = line(200, '0.010') + line(200, '0.010') + '10.0.0.1 [26/Nov/2025:10:00:00 +0000] "GET /y HTTP/1.1" 12 0.010 200\n' + line(200, '0.010') + line(500, '0.050');
    const writer = setInterval(() => appendFileSync(log, batch), 50);
    try {
      await waitForHeartbeats(world, 'nginx-1', 'registered and beating', (h) => h.length >= 1, 10_000, agent);
      const hbs = await waitForHeartbeats(world, 'nginx-1', '3 heartbeats with traffic', (h) => h.filter((x) => x.qps > 0).length >= 3, 10_000, agent);
      // nothing from before the agent started (those lines were 500s taking 10 s)
      for (const h of hbs) expect(h.rtt_ms).toBeLessThan(100);
      for (const h of hbs.filter((x) => x.qps > 0).slice(1)) {
        expect(h).toMatchObject({ exporter_ok: true, error_rate: 0.2, rtt_ms: 18 });
        expect(h.qps).toBeGreaterThan(40);
        expect(h.qps).toBeLessThan(160);
      }
      // rotation: rename + a new file
      const before = hbs.length;
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
      const rotated = await waitForHeartbeats(world, 'nginx-1', 'traffic after rotation', (h) => h.slice(before + 2).filter((x) => x.qps > 0).length >= 2, 10_000, agent);
      for (const h of rotated.slice(before + 2)) expect(h).toMatchObject({ exporter_ok: true, error_rate: 0.2, rtt_ms: 18 });
    } finally {
      clearInterval(writer);
    }
    rmSync(log);
    const gone = await waitForHeartbeats(world, 'nginx-1', 'exporter_ok false', (h) => h.some((x) => !x.exporter_ok), 10_000, agent);
    const bad = gone.find((x) => !x.exporter_ok)!;
    expect(bad).toMatchObject({ qps: 0, rtt_ms: 0, error_rate: 0 });
    expect(bad.exporter_error).toMatch(/cannot read access log .*ENOENT/);
    expectSane(bad);
    expect((await agent.stop()).code).toBe(0);
  });

  it('with NATS unreachable from the start, registers and heartbeats over HTTP, and keeps running', async () => {
    const closed = await freePort();
    const agent = world.agent('http-1', ['--static-metrics', 'qps=7'], { natsUrl: `nats://127.0.0.1:${closed}` });
    const hbs = await waitForHeartbeats(world, 'http-1', '5 heartbeats over HTTP', (h) => h.length >= 5, 10_000, agent);
    expect(hbs.every((h) => h.via === 'http')).toBe(true);
    expect(hbs.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5].concat(hbs.slice(5).map((h) => h.seq)));
    expect(hbs[0]).toMatchObject({ qps: 7, exporter_ok: true });
    expect(agent.alive()).toBe(true);
    expect(agent.logs.join('\n')).toMatch(/NATS not reachable/);
    expect((await agent.stop()).code).toBe(0);
  });

  it('on a refused registration (401) logs the server\'s reason, stays up and not ready, and registers once the token is fixed', async () => {
    const tokenFile = join(world.dir, 'wrong-token');
    writeFileSync(tokenFile, 'not-the-token\n');
    const metricsPort = await freePort();
    const agent = world.agent('refused-1', ['--token-file', tokenFile, '--rejected-retry', '1s', '--metrics-listen', `127.0.0.1:${metricsPort}`]);
    await waitFor('the refusal logged', async () => agent.logs.some((l) => /refused the registration \(HTTP 401\): missing or wrong bearer token/.test(l)), 10_000);
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/registration rejected: HTTP 401/);
    expect(agent.alive()).toBe(true);
    writeFileSync(tokenFile, `${TOKEN}\n`);
    await waitForHeartbeats(world, 'refused-1', 'heartbeats after the token was fixed', (h) => h.length >= 1, 10_000, agent);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
    expect((await agent.stop()).code).toBe(0);
  });
});
