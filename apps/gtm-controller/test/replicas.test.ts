// Two gtm-controller replicas: only the lease holder decides and commands; when it dies the other
// takes over within the lease time and DNS keeps following the nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, openBucket, readStream, STREAMS, type Plane } from '@plane/backbone';
import type { NodeRef } from '@plane/events';
import { declareWorld, heartbeatEvery, registerNode, startNatsServer, startPdnsServer, waitFor, type NatsServerHandle, type PdnsServerHandle } from '@plane/testkit';

const BIN = fileURLToPath(new URL('../bin/gtm-controller.js', import.meta.url));
const LEASE_MS = 2000;

let nats: NatsServerHandle;
let pdns: PdnsServerHandle;
let plane: Plane;
const controllers = new Map<string, ChildProcess>();
const beating = new Map<string, () => void>();
let resolver: Resolver;

const nodes: Record<string, { ref: NodeRef; ip: string }> = {
  'jp-0': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-0' }, ip: '127.0.3.1' },
  'jp-1': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-1' }, ip: '127.0.3.2' },
  'jp-2': { ref: { service: 'svc-plus', region: 'jp', node_id: 'jp-2' }, ip: '127.0.3.3' },
};

function startBeating(id: string) {
  beating.set(id, heartbeatEvery(plane, nodes[id]!.ref, { metrics: { qps: 1, rtt_ms: 5 } }));
}

function start(id: string) {
  controllers.set(
    id,
    spawn(process.execPath, [BIN, '--instance-id', id, '--reconcile-interval', '200ms', '--lease-ttl', `${LEASE_MS}ms`, '--log-level', 'error'], {
      env: { ...process.env, PLANE_NATS_URL: nats.url, TEST_PDNS_KEY: pdns.apiKey },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
}

async function answers(n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) for (const ip of await resolver.resolve4('api.svc.plus').catch(() => [] as string[])) seen.add(ip);
  return seen;
}

async function holder(): Promise<string | undefined> {
  const e = await (await openBucket(plane.nc, 'leases')).get('gtm-controller');
  return e?.operation === 'PUT' ? (e.json() as { holder: string }).holder : undefined;
}

beforeAll(async () => {
  nats = await startNatsServer();
  pdns = await startPdnsServer();
  await pdns.createZone('svc.plus');
  plane = await connectPlane({ url: nats.url, name: 'replicas-test' });
  await ensureStream(plane.jsm, STREAMS.nodes);
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': `service: svc-plus
dns: { provider: powerdns, zone: svc.plus, ttl: 1, api_url: ${pdns.apiUrl}, credentials: { env: TEST_PDNS_KEY } }
health: { type: http, interval: 200ms, timeout: 100ms, heartbeat_timeout: 1500ms, max_ejection_percent: 60 }
domain: api.svc.plus
regions:
  - { name: jp, weight: 100, min_ready_nodes: 1 }
`,
  });
  for (const { ref, ip } of Object.values(nodes)) await registerNode(plane, ref, [ip]);
  for (const id of Object.keys(nodes)) startBeating(id);
  start('replica-a');
  start('replica-b');
  resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
});

afterAll(async () => {
  for (const stop of beating.values()) stop();
  for (const c of controllers.values()) {
    c.kill('SIGKILL');
    await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)));
  }
  await plane?.close();
  await nats?.dispose();
  await pdns?.dispose();
});

describe('two gtm-controller replicas', () => {
  it('only the lease holder decides; the standby takes over within the lease time when it dies', async () => {
    await waitFor('all IPs in DNS', async () => ((await answers(30)).size === 3 ? true : undefined), 30_000, 100);
    const first = (await holder())!;
    expect(['replica-a', 'replica-b']).toContain(first);
    const sources = async () => {
      const out: string[] = [];
      for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.decisions.name, filter: 'gtm.decision.>' })) out.push(s.event.source);
      return out;
    };
    expect(new Set(await sources())).toEqual(new Set([`gtm-controller@${first}`]));

    // The leader dies without a word.
    controllers.get(first)!.kill('SIGKILL');
    const diedAt = Date.now();
    const other = first === 'replica-a' ? 'replica-b' : 'replica-a';
    await waitFor('the standby holds the lease', async () => ((await holder()) === other ? true : undefined), 20_000, 100);
    expect(Date.now() - diedAt).toBeLessThan(LEASE_MS + 3000);

    // It acts: a node that stops is withdrawn by the new leader.
    beating.get('jp-2')?.();
    await waitFor('jp-2 out of DNS', async () => ((await answers(30)).has('127.0.3.3') ? undefined : true), 30_000, 100);
    const after = await sources();
    expect(after.at(-1)).toBe(`gtm-controller@${other}`);
  });
});
