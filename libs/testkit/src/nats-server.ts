import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort, waitFor } from './ports.js';

export interface NatsServerHandle {
  url: string;
  port: number;
  monitorPort: number;
  storeDir: string;
  /** Stops the process (SIGTERM, then SIGKILL) and keeps the store, so `start()` resumes it. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store. */
  start(): Promise<void>;
  /** Stops it and removes the store. */
  dispose(): Promise<void>;
  readonly log: string[];
  /** The running process's id (undefined while stopped). */
  pid(): number | undefined;
}

export interface NatsServerOptions {
  /** Extra lines of nats-server configuration (for example accounts and permissions). */
  config?: string;
  serverName?: string;
  storeDir?: string;
  clusterName?: string;
  clusterPort?: number;
  routes?: string[];
}

async function healthy(monitorPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A real `nats-server -js` on free loopback ports with a temporary store. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const bin = requireBinary('nats-server', 'nats-server');
  const port = await freePort();
  const monitorPort = await freePort();
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'plane-nats-'));
  const name = opts.serverName ?? `test-${port}`;
  const lines = [
    `server_name: "${name}"`,
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitorPort}"`,
    `jetstream { store_dir: "${storeDir}" }`,
  ];
  if (opts.clusterPort) {
    lines.push(`cluster { name: "${opts.clusterName ?? 'plane'}", listen: "127.0.0.1:${opts.clusterPort}", routes: [${(opts.routes ?? []).map((r) => `"${r}"`).join(', ')}] }`);
  }
  if (opts.config) lines.push(opts.config);
  const confFile = join(storeDir, 'nats.conf');
  writeFileSync(confFile, lines.join('\n') + '\n');

  const log: string[] = [];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn(bin, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const keep = (b: Buffer) => {
      log.push(...b.toString().split('\n').filter(Boolean));
      if (log.length > 500) log.splice(0, log.length - 500);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    await waitFor(`nats-server on port ${port}`, async () => {
      if (c.exitCode !== null) throw new Error(`nats-server exited: ${log.slice(-5).join(' | ')}`);
      return healthy(monitorPort);
    }, 20_000);
  };
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c) return;
    child = undefined;
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited(c);
    clearTimeout(timer);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    storeDir,
    log,
    start,
    pid: () => child?.pid,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    dispose: async () => {
      await stopWith('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export interface NatsClusterHandle {
  servers: NatsServerHandle[];
  /** All client URLs, comma separated, as the apps' --nats-url takes them. */
  urls: string;
  dispose(): Promise<void>;
}

/** A real 3-node (by default) JetStream cluster on loopback ports. */
export async function startNatsCluster(size = 3): Promise<NatsClusterHandle> {
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = clusterPorts.map((p) => `nats-route://127.0.0.1:${p}`);
  const servers = await Promise.all(
    clusterPorts.map((clusterPort, i) => startNatsServer({ serverName: `n${i + 1}`, clusterPort, routes, clusterName: 'plane-test' })),
  );
  // Wait until JetStream has a meta leader (the cluster formed).
  await waitFor('JetStream cluster meta leader', async () => {
    const res = await fetch(`http://127.0.0.1:${servers[0]!.monitorPort}/jsz`);
    const body = (await res.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } };
    return Boolean(body.meta_cluster?.leader) && (body.meta_cluster?.cluster_size ?? 0) >= size;
  }, 30_000, 200);
  return {
    servers,
    urls: servers.map((s) => s.url).join(','),
    dispose: async () => {
      await Promise.all(servers.map((s) => s.dispose()));
    },
  };
}
