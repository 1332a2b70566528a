// A real 3-node NATS cluster with R3 streams and buckets: gtm-controller and the autoscaler keep
// deciding and applying while one NATS server is killed, lose no event, apply no DNS change and
// make no commit twice, and everything converges once the server returns.
//
// The server killed is the one the autoscaler is connected to, and its scale-out comes due only
// after the kill (the policy's max_nodes is raised then), so its decision is made, and its command
// and commit usually go out, while the server is down; the commit is required once the cluster has
// converged at the latest.
//
// The children's logs (and where the test was, and which server held what) are printed when the
// test fails; CLUSTER_LOG_FILE=<file> keeps them in a file in any case, CLUSTER_LOG=<level> sets
// the children's log level (default info).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, openBucket, readStream, setDefaultReplicas, STREAMS, type Plane } from '@plane/backbone';
import type { DnsOutcome, NodeRef } from '@plane/events';
import { createTestRepo, declareWorld, freePort, git, heartbeatEvery, registerNode, startNatsCluster, startPdnsServer, waitFor, type NatsClusterHandle, type PdnsServerHandle, type TestRepo } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../../apps/gtm-controller/bin/gtm-controller.js', import.meta.url));
const AUTOSCALER = fileURLToPath(new URL('../../apps/autoscaler/bin/autoscaler.js', import.meta.url));
const TIMEOUT_MS = 2000;

let cluster: NatsClusterHandle;
let pdns: PdnsServerHandle;
let plane: Plane;
let controller: ChildProcess;
let autoscaler: ChildProcess;
let repo: TestRepo;
let autoscalerMetricsPort: number;
let resolver: Resolver;
/** The children's log lines and the test's own marks, printed when the test fails. */
const childLogs: string[] = [];
let passed = false;

function spawnLogged(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line.trim() !== '') childLogs.push(`[${name}] ${line}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => childLogs.push(`[${name}] exited: code ${code}, signal ${signal}`));
  return child;
}

function mark(what: string): void {
  childLogs.push(`[test] ${new Date().toISOString()} ${what}`);
}
const beating = new Map<string, () => void>();
let acked = 0;
/** jp runs hot throughout; the scale-out is held at max_nodes until the policy is raised during the outage. */
const JP_CPU = 0.9;

const nodes: Record<string, { ref: NodeRef; ip: string }> = {
  'jp-0': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-0' }, ip: '127.0.2.1' },
  'jp-1': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-1' }, ip: '127.0.2.2' },
  'jp-2': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-2' }, ip: '127.0.2.3' },
  'sg-0': { ref: { service: 'svc-plus', region: 'sg', node_id: 'sg-0' }, ip: '127.0.2.11' },
};

function startBeating(id: string) {
  const { ref } = nodes[id]!;
  const stop = heartbeatEvery(plane, ref, { everyMs: 250, metrics: { cpu: ref.region === 'jp' ? JP_CPU : 0.3 }, timeoutMs: 10_000, onStored: () => acked++ });
  beating.set(id, stop);
}

const GTM_POLICY = `service: svc-plus
dns: { provider: powerdns, zone: svc.plus, ttl: 1, api_url: PDNS_API_URL, credentials: { env: TEST_PDNS_KEY } }
health: { type: http, interval: 250ms, timeout: 100ms, heartbeat_timeout: ${TIMEOUT_MS}ms, max_ejection_percent: 60 }
domains:
  - name: api.svc.plus
    regions:
      - { name: jp, weight: 100, min_ready_nodes: 1 }
      - { name: sg, weight: 100, min_ready_nodes: 1 }
`;

function autoscalePolicy(maxNodes: number): string {
  return `service: svc-plus
window: 10s
cooldown: 0s
warmup: 0s
provision_timeout: 60s
regions:
  jp: { min_nodes: 1, max_nodes: ${maxNodes}, scale_up_cpu: 0.7, scale_down_cpu: 0.1 }
`;
}

function declarations(maxNodes: number): Record<string, string> {
  return { 'gtm/svc-plus.yaml': GTM_POLICY.replace('PDNS_API_URL', pdns.apiUrl), 'autoscale/svc-plus.yaml': autoscalePolicy(maxNodes) };
}

/** Who is where: each server's clients and the JetStream meta leader (for the log printed on failure). */
async function clusterState(): Promise<string> {
  const parts: string[] = [];
  for (const [i, s] of cluster.servers.entries()) {
    try {
      const connz = (await (await fetch(`http://127.0.0.1:${s.monitorPort}/connz?limit=1024`)).json()) as { connections?: { name?: string }[] };
      const jsz = (await (await fetch(`http://127.0.0.1:${s.monitorPort}/jsz`)).json()) as { meta_cluster?: { leader?: string } };
      const streams = (await (await fetch(`http://127.0.0.1:${s.monitorPort}/jsz?streams=true`)).json()) as { account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[] };
      const led = (streams.account_details ?? []).flatMap((a) => a.stream_detail ?? []).filter((d) => d.cluster?.leader === `n${i + 1}`).map((d) => d.name);
      parts.push(`n${i + 1}: clients [${(connz.connections ?? []).map((c) => c.name ?? '?').join(', ')}], leads [${led.join(', ')}], meta leader ${jsz.meta_cluster?.leader ?? '?'}`);
    } catch {
      parts.push(`n${i + 1}: down`);
    }
  }
  return parts.join('; ');
}

/** The server index the autoscaler's NATS connection is on (from each server's /connz). */
async function autoscalerServer(): Promise<number> {
  for (const [i, s] of cluster.servers.entries()) {
    const res = await fetch(`http://127.0.0.1:${s.monitorPort}/connz?limit=1024`);
    const body = (await res.json()) as { connections?: { name?: string }[] };
    if (body.connections?.some((c) => c.name?.startsWith('autoscaler '))) return i;
  }
  throw new Error('the autoscaler is connected to no server');
}

/** The events on a DECISIONS subject filter. */
async function decisions(filter: string) {
  const out = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.decisions.name, filter })) out.push(s);
  return out;
}

async function answers(n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) for (const ip of await resolver.resolve4('api.svc.plus').catch(() => [] as string[])) seen.add(ip);
  return seen;
}

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  pdns = await startPdnsServer();
  await pdns.createZone('svc.plus');
  setDefaultReplicas(3);
  plane = await connectPlane({ url: cluster.urls, name: 'cluster-test', timeoutMs: 10_000 });
  for (const s of Object.values(STREAMS)) await ensureStream(plane.jsm, s);
  await declareWorld(plane, declarations(3));
  repo = createTestRepo();
  repo.commit({ 'infra/node-pool/jp.tfvars': 'region = "jp"\nnode_count = 3\n' }, 'jp pool');
  for (const { ref, ip } of Object.values(nodes)) await registerNode(plane, ref, [ip]);
  for (const id of Object.keys(nodes)) startBeating(id);
  controller = spawnLogged('gtm-controller', [BIN, '--reconcile-interval', '250ms', '--lease-ttl', '10s', '--stream-replicas', '3', '--log-level', process.env.CLUSTER_LOG ?? 'info'], { ...process.env, PLANE_NATS_URL: cluster.urls, TEST_PDNS_KEY: pdns.apiKey });
  autoscalerMetricsPort = await freePort();
  autoscaler = spawnLogged(
    'autoscaler',
    [AUTOSCALER, '--repo', repo.remote, '--evaluate-interval', '500ms', '--lease-ttl', '10s', '--stream-replicas', '3', '--cache-dir', `${repo.work}-autoscaler-cache`, '--metrics-listen', `127.0.0.1:${autoscalerMetricsPort}`, '--log-level', process.env.CLUSTER_LOG ?? 'info'],
    { ...process.env, PLANE_NATS_URL: cluster.urls },
  );
  resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
}, 120_000);

/** What the nodes bucket holds now, and how far NODES and the bucket are (for the log printed on failure). */
async function nodesState(): Promise<string> {
  try {
    const parts: string[] = [];
    for (const name of [STREAMS.nodes.name, 'KV_nodes']) parts.push(`${name} last seq ${(await plane.jsm.streams.info(name)).state.last_seq}`);
    const kv = await openBucket(plane.nc, 'nodes');
    for (const id of Object.keys(nodes)) {
      const v = (await kv.get(`svc-plus.${nodes[id]!.ref.region}.${id}`))?.json<{ state: string; state_since: number; ready_since: number | null; last_heartbeat_at: number | null; metrics: { cpu: number } | null }>();
      const ago = (t: number | null | undefined) => (t ? `${Date.now() - t} ms ago` : 'null');
      parts.push(`${id}: ${v?.state} since ${ago(v?.state_since)}, ready_since ${ago(v?.ready_since)}, heartbeat ${ago(v?.last_heartbeat_at)}, cpu ${v?.metrics?.cpu}`);
    }
    return parts.join('; ');
  } catch (err) {
    return `nodes state not read: ${(err as Error).message}`;
  }
}

afterAll(async () => {
  if (!passed) mark(await nodesState());
  if (!passed) process.stderr.write(`--- child logs (${childLogs.length} lines) ---\n${childLogs.join('\n')}\n--- end of child logs ---\n`);
  if (process.env.CLUSTER_LOG_FILE) writeFileSync(process.env.CLUSTER_LOG_FILE, childLogs.join('\n') + '\n');
  for (const stop of beating.values()) stop();
  for (const p of [controller, autoscaler]) {
    p?.kill('SIGKILL');
    await new Promise((r) => (p && p.exitCode === null && p.signalCode === null ? p.once('exit', r) : r(undefined)));
  }
  repo?.dispose();
  await plane?.close();
  await cluster?.dispose();
  await pdns?.dispose();
});

describe('on a 3-node NATS cluster with R3 streams', () => {
  it('keeps working while a NATS server is down, loses no event, applies nothing twice, converges', async () => {
    await waitFor('every IP in DNS', async () => ((await answers(40)).size === 4 ? true : undefined), 60_000, 200);
    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    expect(info.config.num_replicas).toBe(3);
    // The autoscaler leads and decides: jp is hot, but at its max_nodes of 3.
    await waitFor('the autoscaler ready', async () => ((await fetch(`http://127.0.0.1:${autoscalerMetricsPort}/readyz`).catch(() => undefined))?.ok ? true : undefined), 60_000, 200);
    await waitFor('jp held at max_nodes', async () => ((await decisions('autoscale.held.svc-plus.jp')).some((s) => /max_nodes 3/.test(JSON.stringify(s.event.data))) ? true : undefined), 60_000, 500);
    expect(git(repo.remote, 'log', '--format=%B', 'main')).not.toMatch(/Autoscale-Decision/);

    // The NATS server the autoscaler is connected to dies.
    const victim = await autoscalerServer();
    mark(await clusterState());
    mark(`killing NATS server n${victim + 1} (the autoscaler's)`);
    await cluster.servers[victim]!.kill();
    await new Promise((r) => setTimeout(r, 1000));
    // A node dies while the server is down: the controller still takes it out of DNS.
    beating.get('jp-2')?.();
    // The policy is raised while the server is down: the scale-out comes due now.
    await waitFor('max_nodes raised to 5', async () => {
      try {
        await declareWorld(plane, declarations(5));
        return true;
      } catch (err) {
        const [message, ...frames] = ((err as Error).stack ?? String(err)).split('\n');
        mark(`declaring max_nodes 5 failed (retried): ${[message, ...frames.filter((f) => !f.includes('node_modules')).slice(0, 2)].join(' |')}`);
        return undefined;
      }
    }, 120_000, 500); // generous: the cluster's JetStream API may not answer for a while under load
    mark('max_nodes raised to 5');
    await waitFor('jp-2 out of DNS with a server down', async () => {
      const seen = await answers(40);
      return !seen.has('127.0.2.3') && seen.has('127.0.2.1') ? true : undefined;
    }, 150_000, 200); // generous: the cluster elects new stream leaders and the lease may move
    // The server stays down a while longer, so the scale-out has its chance to go through the
    // outage (not required: the commit is asserted once the cluster has converged).
    const committedDuringOutage = await waitFor('a commit with a server down', async () => (/Autoscale-Decision: /.test(git(repo.remote, 'log', '--format=%B', 'main')) ? true : undefined), 30_000, 250).catch(() => false);
    mark(`scale-out committed before the server returned: ${committedDuringOutage ? 'yes' : 'not yet'}`);

    // The server returns; a node comes back; everything converges.
    mark(`starting NATS server n${victim + 1} again`);
    await cluster.servers[victim]!.start();
    mark('NATS server started');
    startBeating('jp-2');
    await waitFor('jp-2 back in DNS', async () => ((await answers(40)).has('127.0.2.3') ? true : undefined), 150_000, 200);
    mark('jp-2 back in DNS');
    // The autoscaler commits the scale-out that came due during the outage (jp still runs hot).
    await waitFor('the scale-out commit', async () => (/Autoscale-Decision: /.test(git(repo.remote, 'log', '--format=%B', 'main')) ? true : undefined), 120_000, 500);
    mark('scale-out committed');

    // No lost event: every acked heartbeat is on the stream (the stream keeps the last 1,000 per node).
    for (const stop of beating.values()) stop();
    await new Promise((r) => setTimeout(r, 500));
    let heartbeats = 0;
    for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.nodes.name, filter: 'node.*.*.*.heartbeat' })) if (s.event.type === 'NodeHeartbeat') heartbeats++;
    expect(heartbeats).toBe(acked);

    // No duplicate DNS change: each decision applied at most once.
    const applied = new Map<string, number>();
    for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.outcomes.name, filter: 'dns.applied.>' })) {
      const id = (s.event as DnsOutcome).data.decision_id;
      applied.set(id, (applied.get(id) ?? 0) + 1);
    }
    expect(applied.size).toBeGreaterThanOrEqual(2);
    for (const [id, count] of applied) expect(count, id).toBe(1);

    // The autoscaler, through the same outage: jp runs hot, so it committed 3 -> 4, and no
    // decision was committed twice (a redelivered command finds its trailer and changes nothing).
    const trailers = [...git(repo.remote, 'log', '--format=%B%x00', 'main').matchAll(/Autoscale-Decision: (\S+)/g)].map((m) => m[1]!);
    expect(trailers.length).toBeGreaterThanOrEqual(1);
    expect(git(repo.remote, 'log', '--format=%s', 'main')).toMatch(/autoscale: svc-plus jp scale_out 3 -> 4 \(cpu=0\.9\)/);
    expect(new Set(trailers).size).toBe(trailers.length);
    passed = true;
  }, 420_000);
});
