// autoscaler.decisions_per_s: the pure scaling decider over 1,000 services x 10 regions (inputs
// built beforehand, as the leader builds them from the `nodes` bucket and the tfvars counts);
// a decision is one region evaluated. Median of 5 runs.
// autoscaler.crossing_to_push_ms: a real nats-server, a real bare Git remote and the autoscaler
// binary: from the moment the `nodes` bucket shows cpu over the bound to the commit being on the
// remote (its branch ref polled). Median of 3 crossings.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServiceInput, decide, initialState } from '@plane/autoscale';
import { BUCKETS, connectPlane, ensureBucket, ensureStream, STREAMS } from '@plane/backbone';
import { createTestRepo, declareWorld, freePort, startNatsServer, waitFor } from '@plane/testkit';

const SERVICES = 1000;
const REGIONS = 10;
const NOW = Date.parse('2025-03-01T12:00:00Z');
const HOUR = 3_600_000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function spec(s) {
  const regions = Array.from({ length: REGIONS }, (_, r) => ({
    name: `r${r}`,
    min_nodes: 1,
    max_nodes: 10,
    scale_up_cpu: 0.7,
    scale_down_cpu: 0.3,
    scale_up_ram: 0.8,
    scale_down_ram: 0.4,
    scale_up_step: 1,
    scale_down_step: 1,
    cost: 1 + (r % 4) * 0.25,
    node_pool: `infra/node-pool/svc-${s}-r${r}.tfvars`,
    node_pool_source: 'declared',
  }));
  return {
    service: `svc-${s}`,
    window_ms: 5 * 60_000,
    cooldown_ms: 5 * 60_000,
    scale_down_stabilization_ms: 10 * 60_000,
    provision_timeout_ms: 15 * 60_000,
    warmup_ms: 2 * 60_000,
    drain_ms: 30_000,
    global: { min_regions: 1, max_regions: REGIONS, min_nodes: REGIONS, max_nodes: REGIONS * 10 },
    regions,
    git: { mode: 'push', branch: 'main', auto_merge: false },
    suspend: false,
  };
}

/** A fleet with every kind of region: hot (scale out), cold (scale in, held by stabilization), steady. */
function inputs() {
  const out = [];
  for (let s = 0; s < SERVICES; s++) {
    const sp = spec(s);
    const nodes = [];
    const counts = {};
    for (let r = 0; r < REGIONS; r++) {
      const count = 3;
      counts[`r${r}`] = count;
      const cpu = r % 3 === 0 ? 0.85 : r % 3 === 1 ? 0.15 : 0.5;
      for (let i = 0; i < count; i++) {
        nodes.push({
          service: sp.service,
          region: `r${r}`,
          node_id: `r${r}-${i}`,
          state: 'ready',
          state_since: NOW - HOUR,
          ready_since: NOW - HOUR,
          last_heartbeat_at: NOW - 1000,
          metrics: { cpu: cpu + i * 0.01, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0, samples: 10 },
          deregistered: false,
        });
      }
    }
    out.push(buildServiceInput({ spec: sp, policy_commit: 'c0ffee1', now: NOW, state: initialState(sp.service), node_counts: counts, nodes, dns_ttl_ms: 30_000, heartbeat_timeout_ms: 15_000 }));
  }
  return out;
}

/** Regions evaluated per second: from a fresh state (every hot region decides, cold ones start stabilizing: events recorded), and in the steady state after it (nothing new: no event). */
function decisionsPerSecond() {
  const built = inputs();
  const time = (list) => {
    globalThis.gc?.();
    const t0 = performance.now();
    let events = 0;
    const states = [];
    for (const input of list) {
      const r = decide(input, 'bench');
      events += r.events.length;
      states.push(r.state);
    }
    return { rate: (SERVICES * REGIONS) / ((performance.now() - t0) / 1000), events, states };
  };
  time(built); // warm-up (JIT)
  const fresh = [];
  let last;
  for (let run = 0; run < 5; run++) fresh.push((last = time(built)));
  const later = built.map((input, i) => ({ ...input, state: last.states[i], now: input.now + 1000 }));
  const steady = [];
  for (let run = 0; run < 5; run++) steady.push(time(later));
  return { value: median(fresh.map((r) => r.rate)), events: last.events, steady: median(steady.map((r) => r.rate)), steadyEvents: steady[0].events };
}

const BIN = fileURLToPath(new URL('../apps/autoscaler/bin/autoscaler.js', import.meta.url));
const ROUNDS = 3;

function tfvars(count) {
  return `# bench node pool\nregion = "jp"\nnode_count = ${count}\n`;
}

function policy(service) {
  return `service: ${service}\nwindow: 10s\ncooldown: 0s\nprovision_timeout: 60s\nwarmup: 0s\ndrain: 0s\nregions:\n  jp:\n    min_nodes: 1\n    max_nodes: 5\n    scale_up_cpu: 0.7\n    scale_down_cpu: 0.3\n    node_pool: infra/node-pool/${service}-jp.tfvars\n`;
}

function health(service, node_id, cpu) {
  const now = Date.now();
  return {
    service, region: 'jp', node_id, ips: ['127.0.0.1'], labels: {}, registered_at: now - HOUR,
    state: 'ready', state_reason: 'bench', state_since: now - HOUR, ready_since: now - HOUR,
    last_heartbeat_at: now, last_heartbeat_seq: 1, exporter_ok: true, exporter_error: null,
    metrics: { cpu, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0, samples: 6 },
    probe: { seen: 0, passes: 0, fails: 0, by_ip: {}, last_ok: null, last_at: null, last_latency_ms: null, last_error: null },
    draining: false, drain_reason: null, deregistered: false, last_seq: 1,
  };
}

async function crossingToPush() {
  const server = await startNatsServer();
  const repo = createTestRepo();
  const dir = mkdtempSync(join(tmpdir(), 'plane-bench-autoscaler-'));
  let child;
  let output = '';
  try {
    const services = Array.from({ length: ROUNDS }, (_, i) => `svc-x${i}`);
    const files = {};
    for (const s of services) files[`infra/node-pool/${s}-jp.tfvars`] = tfvars(2);
    repo.commit(files, 'bench: node pools');
    const plane = await connectPlane({ url: server.url, name: 'bench' });
    for (const def of [STREAMS.declarations, STREAMS.nodes, STREAMS.decisions, STREAMS.commands, STREAMS.outcomes]) await ensureStream(plane.jsm, def);
    const decl = {};
    for (const s of services) decl[`autoscale/${s}.yaml`] = policy(s);
    await declareWorld(plane, decl);
    const kv = await ensureBucket(plane.nc, BUCKETS.nodes);
    const put = (s, id, cpu) => kv.put(`${s}.jp.${id}`, new TextEncoder().encode(JSON.stringify(health(s, id, cpu))));
    for (const s of services) for (const id of ['jp-0', 'jp-1']) await put(s, id, 0.5);
    const port = await freePort();
    child = spawn(process.execPath, [BIN, '--repo', repo.remote, '--cache-dir', join(dir, 'cache'), '--metrics-listen', `127.0.0.1:${port}`, '--log-level', 'warn'], {
      env: { ...process.env, PLANE_NATS_URL: server.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (b) => (output += b.toString()));
    await waitFor('the autoscaler ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok || undefined, 30_000, 50);
    const ref = join(repo.remote, 'refs', 'heads', 'main');
    const samples = [];
    for (const s of services) {
      await new Promise((r) => setTimeout(r, 300));
      const before = readFileSync(ref, 'utf8');
      await put(s, 'jp-0', 0.9);
      await put(s, 'jp-1', 0.9);
      const t0 = performance.now();
      for (;;) {
        if (readFileSync(ref, 'utf8') !== before) break;
        if (performance.now() - t0 > 30_000) throw new Error(`no commit within 30 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 1));
      }
      samples.push(performance.now() - t0);
    }
    await plane.close();
    return samples;
  } finally {
    child?.kill('SIGTERM');
    if (child) await new Promise((r) => child.once('exit', r));
    repo.dispose();
    rmSync(dir, { recursive: true, force: true });
    await server.dispose();
  }
}

export async function run() {
  const d = decisionsPerSecond();
  const crossings = await crossingToPush();
  return [
    { name: 'autoscaler.decisions_per_s', value: d.value, unit: 'decisions/s', note: `${SERVICES} services x ${REGIONS} regions from a fresh state (${d.events} events recorded), median of 5; steady state (${d.steadyEvents} events): ${d.steady.toFixed(0)}/s` },
    { name: 'autoscaler.crossing_to_push_ms', value: median(crossings), unit: 'ms', note: `median of ${crossings.length}: ${crossings.map((x) => x.toFixed(0)).join(', ')} ms` },
  ];
}
