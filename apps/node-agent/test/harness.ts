// Real processes for the agent's tests: nats-server, the plane-api binary, the node-agent binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPlane, ensureStream, readStream, STREAMS, type Plane, type StoredEvent } from '@plane/backbone';
import type { NodeHeartbeat, NodeHeartbeatData } from '@plane/events';
import { declareWorld, freePort, startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';

export const AGENT_BIN = fileURLToPath(new URL('../bin/node-agent.js', import.meta.url));
export const API_BIN = fileURLToPath(new URL('../../api/bin/plane-api.js', import.meta.url));
export const TOKEN = 'node-bootstrap-token';
export const SERVICE = 'svc-plus';
export const REGION = 'jp';

const GTM = `service: svc-plus
domain: api.svc.plus
regions:
  - { name: jp, weight: 100, min_ready_nodes: 1 }
  - { name: sg, weight: 10, min_ready_nodes: 1 }
dns: { provider: powerdns, zone: svc.plus, ttl: 30 }
`;

export interface Proc {
  child: ChildProcess;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function track(child: ChildProcess): Proc {
  const logs: string[] = [];
  const keep = (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    logs,
    exited,
    alive,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (alive()) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

export interface World {
  server: NatsServerHandle;
  plane: Plane;
  dir: string;
  tokenFile: string;
  apiUrl: string;
  apiPort: number;
  api: Proc | undefined;
  startApi(): Promise<void>;
  stopApi(): Promise<void>;
  agent(nodeId: string, extra?: string[], opts?: { natsUrl?: string; env?: Record<string, string> }): Proc;
  heartbeats(nodeId: string): Promise<NodeHeartbeatData[]>;
  events(filter: string): Promise<StoredEvent[]>;
  dispose(): Promise<void>;
}

export async function startWorld(opts: { api?: boolean } = {}): Promise<World> {
  const server = await startNatsServer();
  const plane = await connectPlane({ url: server.url, name: 'node-agent-test' });
  // The NODES stream exists before plane-api runs (an operator's setup), so the agent's NATS
  // heartbeats are stored whether or not plane-api has started yet.
  await ensureStream(plane.jsm, STREAMS.nodes);
  await declareWorld(plane, {
    'gtm/svc-plus.yaml': GTM,
    'regions/jp.yaml': 'name: jp\nprovider: aws\nnode_mode: containerd-only\nallowed_cidrs: [127.0.0.0/8, "::1/128"]\n',
    'regions/sg.yaml': 'name: sg\nprovider: alicloud\nnode_mode: containerd-only\n',
  });
  const dir = mkdtempSync(join(tmpdir(), 'node-agent-test-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const agents: Proc[] = [];

  const world: World = {
    server,
    plane,
    dir,
    tokenFile,
    apiUrl,
    apiPort,
    api: undefined,
    async startApi() {
      const child = spawn(process.execPath, [API_BIN, '--listen', `127.0.0.1:${apiPort}`, '--token-file', tokenFile, '--log-level', 'warn'], {
        env: { ...process.env, PLANE_NATS_URL: server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      world.api = track(child);
      await waitFor('plane-api ready', async () => (await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.ok, 20_000, 100);
    },
    async stopApi() {
      await world.api?.stop();
      world.api = undefined;
    },
    agent(nodeId, extra = [], o = {}) {
      const args = [
        AGENT_BIN,
        '--api-url', apiUrl,
        '--token-file', tokenFile,
        '--service', SERVICE,
        '--region', REGION,
        '--node-id', nodeId,
        '--ip', '127.0.0.1',
        '--interval', '200ms',
        '--nats-url', o.natsUrl ?? server.url,
        '--log-level', 'debug',
        ...extra,
      ];
      const p = track(spawn(process.execPath, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
      agents.push(p);
      return p;
    },
    async heartbeats(nodeId) {
      const out: NodeHeartbeatData[] = [];
      for (const e of await world.events(`node.${SERVICE}.${REGION}.${nodeId}.heartbeat`)) out.push((e.event as NodeHeartbeat).data);
      return out;
    },
    async events(filter) {
      const out: StoredEvent[] = [];
      for await (const e of readStream(plane.js, plane.jsm, { stream: STREAMS.nodes.name, filter })) out.push(e);
      return out;
    },
    async dispose() {
      await Promise.all(agents.map((a) => a.stop('SIGKILL')));
      await world.stopApi();
      await plane.close();
      await server.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.api !== false) await world.startApi();
  return world;
}

/** Waits until the node has heartbeats passing `pick`, returning them (all of the node's heartbeats are checked each time). */
export async function waitForHeartbeats(world: World, nodeId: string, what: string, pick: (hbs: NodeHeartbeatData[]) => boolean, timeoutMs = 10_000, agent?: Proc): Promise<NodeHeartbeatData[]> {
  try {
    return await waitFor(what, async () => {
      const hbs = await world.heartbeats(nodeId);
      return pick(hbs) ? hbs : undefined;
    }, timeoutMs, 100);
  } catch (err) {
    if (agent) process.stderr.write(`--- agent ${nodeId} log (last 30 lines) ---\n${agent.logs.slice(-30).join('\n')}\n`);
    throw err;
  }
}
