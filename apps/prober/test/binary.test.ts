// The prober binary as users run it (built: `npx tsc -b apps/prober`): help, exit codes, and one
// real run with /metrics and /readyz.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@plane/testkit';
import { portFreeOn, startNodeServer, startTestPlane, type TestNodeServer, type TestPlane } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/prober.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

let tp: TestPlane | undefined;
let node: TestNodeServer | undefined;

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npx tsc -b apps/prober at the repository root)`);
});

afterAll(async () => {
  await node?.close();
  await tp?.dispose();
});

describe('prober binary', () => {
  it('--help lists every flag and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--concurrency', '--blackbox-url', '--blackbox-module-http', '--blackbox-module-tcp', '--metrics-listen', '--nats-url', '--log-level']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('stops at start with one clear line and exit 2 on a bad setting', () => {
    const unknown = run(['--no-such-flag']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^prober: unknown flag --no-such-flag/);
    const bad = run([], { PLANE_CONCURRENCY: 'lots' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/PLANE_CONCURRENCY: expected an integer/);
    const url = run(['--blackbox-url', 'exporter:9115']);
    expect(url.status).toBe(2);
    expect(url.stderr).toMatch(/--blackbox-url/);
  });

  it('runs: probes, publishes, serves /metrics and /readyz, stops on SIGTERM', async () => {
    tp = await startTestPlane();
    const port = await portFreeOn(['127.0.0.1']);
    node = await startNodeServer('127.0.0.1', port, 'ok');
    await tp.commit({ web: { type: 'http', port, interval: '500ms', timeout: '300ms' } });
    await tp.putNode('web', 'jp', 'jp-1', ['127.0.0.1']);
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [BIN, '--metrics-listen', `127.0.0.1:${metricsPort}`, '--prober-name', 'prober@bin', '--log-level', 'warn'], {
      env: { ...process.env, NATS_URL: tp.server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const event = await waitFor('a ProbeResult from the binary', async () => (await tp!.probeEvents()).find((e) => e.source === 'prober@bin'), 10_000, 100);
      expect(event.data).toMatchObject({ service: 'web', node_id: 'jp-1', ok: true, status: 200, prober: 'prober@bin' });
      const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/prober_targets\{app="prober"\} 1/);
      expect(metrics).toMatch(/prober_probes_total\{check="http",result="ok",app="prober"\} [1-9]/);
      expect(metrics).toMatch(/prober_probe_latency_seconds_bucket/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
