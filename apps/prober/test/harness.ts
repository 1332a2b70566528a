// Real infrastructure for the prober's tests: a nats-server, the `desired` projection fed by real
// DeclarationApplied / SyncCompleted events (declarations parsed from YAML by @plane/declarations),
// a `nodes` bucket holding NodeHealth values, and node:http servers standing in for the nodes.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { KV } from '@nats-io/kv';
import {
  BUCKETS,
  connectPlane,
  desiredProjection,
  ensureBucket,
  ensureStream,
  publishEvent,
  readStream,
  runProjection,
  STREAMS,
  type Plane,
  type RunningProjection,
} from '@plane/backbone';
import { parseDeclarationFile } from '@plane/declarations';
import { envelope, subjects, type DeclarationApplied, type DeclarationManifest, type DeclarationRemoved, type ProbeResult, type SyncCompleted } from '@plane/events';
import { newNodeRecord, type NodeHealth } from '@plane/health';
import type { NodeState } from '@plane/events';
import { freePort, startNatsServer, type NatsServerHandle } from '@plane/testkit';

const REPO = 'platform';

export interface HealthYaml {
  type: 'http' | 'tcp';
  port: number;
  path?: string;
  interval: string;
  timeout: string;
}

export function gtmYaml(service: string, health: HealthYaml): string {
  return [
    'version: 1',
    `service: ${service}`,
    'dns:',
    '  provider: powerdns',
    '  zone: svc.plus',
    'health:',
    `  type: ${health.type}`,
    ...(health.type === 'http' ? [`  path: ${health.path ?? '/healthz'}`] : []),
    `  port: ${health.port}`,
    `  interval: ${health.interval}`,
    `  timeout: ${health.timeout}`,
    `domain: ${service}.svc.plus`,
    'regions:',
    '  - name: jp',
    '    weight: 100',
    '',
  ].join('\n');
}

export interface TestPlane {
  server: NatsServerHandle;
  plane: Plane;
  nodesKv: KV;
  /** Records a commit in which exactly these gtm declarations are in force (real events, real projection). */
  commit(declarations: Record<string, HealthYaml>): Promise<void>;
  putNode(service: string, region: string, nodeId: string, ips: string[], extra?: Partial<NodeHealth>): Promise<void>;
  probeEvents(): Promise<ProbeResult[]>;
  dispose(): Promise<void>;
}

export async function startTestPlane(): Promise<TestPlane> {
  const server = await startNatsServer();
  const plane = await connectPlane({ url: server.url, name: 'prober-test' });
  await ensureStream(plane.jsm, STREAMS.declarations);
  await ensureStream(plane.jsm, STREAMS.nodes);
  const projection: RunningProjection = await runProjection(plane.nc, plane.js, plane.jsm, desiredProjection);
  const nodesKv = await ensureBucket(plane.nc, BUCKETS.nodes);
  const manifest: DeclarationManifest = {};
  let commits = 0;
  let previous: string | null = null;

  return {
    server,
    plane,
    nodesKv,
    async commit(declarations) {
      const commit = `c0ffee${String(++commits).padStart(34, '0')}`;
      const added: string[] = [];
      const removed: string[] = [];
      for (const [service, health] of Object.entries(declarations)) {
        const file = `gtm/${service}.yaml`;
        const parsed = parseDeclarationFile({ path: file, content: gtmYaml(service, health) });
        if (!parsed.declaration) throw new Error(`test declaration invalid: ${JSON.stringify(parsed.errors)}`);
        const d = parsed.declaration;
        const key = `gtm/${service}`;
        if (manifest[key]?.digest === d.digest) continue;
        const event: DeclarationApplied = envelope('DeclarationApplied', `decl:${key}:${commit}`, { kind: 'gtm', name: service, file, repo: REPO, commit, digest: d.digest, spec: d.spec }, 'test');
        const { seq } = await publishEvent(plane.js, subjects.declaration('gtm', service), event);
        manifest[key] = { version: seq, digest: d.digest, file };
        added.push(key);
      }
      for (const key of Object.keys(manifest)) {
        const service = key.slice('gtm/'.length);
        if (service in declarations) continue;
        const event: DeclarationRemoved = envelope('DeclarationRemoved', `decl:${key}:${commit}:removed`, { kind: 'gtm', name: service, file: `gtm/${service}.yaml`, repo: REPO, commit }, 'test');
        await publishEvent(plane.js, subjects.declaration('gtm', service), event);
        delete manifest[key];
        removed.push(key);
      }
      const sync: SyncCompleted = envelope(
        'SyncCompleted',
        `sync:${REPO}:${commit}`,
        { repo: REPO, url: '/srv/platform.git', branch: 'main', path: 'platform-config', commit, previous_commit: previous, declarations: { ...manifest }, added, changed: [], removed, warnings: [] },
        'test',
      );
      previous = commit;
      const { seq } = await publishEvent(plane.js, subjects.sync(REPO), sync);
      await projection.waitFor(seq, 10_000);
    },
    async putNode(service, region, nodeId, ips, extra = {}) {
      const rec = newNodeRecord({ service, region, node_id: nodeId }, Date.now());
      const state: NodeState = 'ready';
      const health: NodeHealth = { ...rec.health, ips, state, state_reason: 'test', ...extra };
      await nodesKv.put(`${service}.${region}.${nodeId}`, JSON.stringify(health));
    },
    async probeEvents() {
      const out: ProbeResult[] = [];
      for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.nodes.name, filter: 'node.*.*.*.probe' })) {
        if (s.event.type === 'ProbeResult') out.push(s.event as ProbeResult);
      }
      return out;
    },
    async dispose() {
      await projection.stop();
      await plane.close();
      await server.dispose();
    },
  };
}

export type NodeBehaviour = 'ok' | 'error' | 'hang';

export interface TestNodeServer {
  host: string;
  port: number;
  /** performance.now() of each request's arrival. */
  arrivals: number[];
  close(): Promise<void>;
}

/** An HTTP server on host:port answering /healthz with 200, 500, or never. */
export async function startNodeServer(host: string, port: number, behaviour: NodeBehaviour): Promise<TestNodeServer> {
  const arrivals: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer((req, res) => {
    arrivals.push(performance.now());
    if (behaviour === 'hang') return; // holds the request until the client gives up
    res.writeHead(behaviour === 'ok' ? 200 : 500, { 'content-type': 'text/plain' }).end(behaviour === 'ok' ? 'ok\n' : 'broken\n');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One port free on every one of these loopback addresses (nodes differ by IP, as in production). */
export async function portFreeOn(hosts: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    const probes = await Promise.all(
      hosts.map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const s = createHttpServer();
            s.once('error', () => resolve(false));
            s.listen(port, host, () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (probes.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

/** The most request arrivals within any window of `windowMs`. */
export function maxArrivalsWithin(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
