// A real 3-node NATS cluster with R3 streams and buckets: gtm-controller keeps deciding and
// applying while one NATS server is killed, loses no event, applies no change twice, and
// everything converges once the server returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, publishEvent, readStream, setDefaultReplicas, STREAMS, type Plane } from '@plane/backbone';
import { envelope, nodeSubject, type DnsOutcome, type NodeRef } from '@plane/events';
import { declareWorld, startNatsCluster, startPdnsServer, waitFor, type NatsClusterHandle, type PdnsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../../apps/gtm-controller/bin/gtm-controller.js', import.meta.url));
const TIMEOUT_MS = 2000;

let cluster: NatsClusterHandle;
let pdns: PdnsServerHandle;
let plane: Plane;
let controller: ChildProcess;
let resolver: Resolver;
const beating = new Map<string, NodeJS.Timeout>();
let acked = 0;
let boot = 0;

const nodes: Record<string, { ref: NodeRef; ip: string }> = {
  'jp-0': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-0' }, ip: '127.0.2.1' },
  'jp-1': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-1' }, ip: '127.0.2.2' },
  'jp-2': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-2' }, ip: '127.0.2.3' },
  'sg-0': { ref: { service: 'svc-plus', region: 'sg', node_id: 'sg-0' }, ip: '127.0.2.11' },
};

function startBeating(id: string) {
  const { ref } = nodes[id]!;
  let seq = 0;
  const b = ++boot;
  const beat = () =>
    void publishEvent(plane.js, nodeSubject(ref, 'heartbeat'), envelope('NodeHeartbeat', `hb:${id}:${b}:${++seq}`, { ...ref, seq, boot: b, cpu: 0.3, ram: 0.3, qps: 10, rtt_ms: 20, error_rate: 0, exporter_ok: true, via: 'nats' as const }, 'test'), { timeoutMs: 10_000 }).then(
      (r) => {
        if (!r.duplicate) acked++;
      },
      () => undefined,
    );
  beat();
  beating.set(id, setInterval(beat, 250));
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
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': `service: svc-plus
dns: { provider: powerdns, zone: svc.plus, ttl: 1, api_url: ${pdns.apiUrl}, credentials: { env: TEST_PDNS_KEY } }
health: { type: http, interval: 250ms, timeout: 100ms, heartbeat_timeout: ${TIMEOUT_MS}ms, max_ejection_percent: 60 }
domains:
  - name: api.svc.plus
    regions:
      - { name: jp, weight: 100, min_ready_nodes: 1 }
      - { name: sg, weight: 100, min_ready_nodes: 1 }
`,
  });
  for (const { ref, ip } of Object.values(nodes)) await publishEvent(plane.js, nodeSubject(ref, 'registered'), envelope('NodeRegistered', `reg:${ref.node_id}`, { ...ref, ips: [ip], labels: {}, replaced_ips: null }, 'test'));
  for (const id of Object.keys(nodes)) startBeating(id);
  controller = spawn(process.execPath, [BIN, '--reconcile-interval', '250ms', '--lease-ttl', '10s', '--stream-replicas', '3', '--log-level', process.env.CLUSTER_LOG ?? 'error'], {
    env: { ...process.env, PLANE_NATS_URL: cluster.urls, TEST_PDNS_KEY: pdns.apiKey },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
}, 120_000);

afterAll(async () => {
  for (const t of beating.values()) clearInterval(t);
  controller?.kill('SIGTERM');
  await new Promise((r) => controller?.once('exit', r));
  await plane?.close();
  await cluster?.dispose();
  await pdns?.dispose();
});

describe('on a 3-node NATS cluster with R3 streams', () => {
  it('keeps working while a NATS server is down, loses no event, applies nothing twice, converges', async () => {
    await waitFor('every IP in DNS', async () => ((await answers(40)).size === 4 ? true : undefined), 60_000, 200);
    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    expect(info.config.num_replicas).toBe(3);

    // One NATS server dies.
    await cluster.servers[0]!.kill();
    await new Promise((r) => setTimeout(r, 1000));
    // A node dies while the server is down: the controller still takes it out of DNS.
    clearInterval(beating.get('jp-2'));
    await waitFor('jp-2 out of DNS with a server down', async () => {
      const seen = await answers(40);
      return !seen.has('127.0.2.3') && seen.has('127.0.2.1') ? true : undefined;
    }, 150_000, 200); // generous: the cluster elects new stream leaders and the lease may move

    // The server returns; a node comes back; everything converges.
    await cluster.servers[0]!.start();
    startBeating('jp-2');
    await waitFor('jp-2 back in DNS', async () => ((await answers(40)).has('127.0.2.3') ? true : undefined), 150_000, 200);

    // No lost event: every acked heartbeat is on the stream (the stream keeps the last 1,000 per node).
    for (const t of beating.values()) clearInterval(t);
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
  }, 420_000);
});
