import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type ConnectionOptions } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { setDefaultReplicas } from './topology.js';

export interface NatsSettings {
  /** One or more URLs, comma separated. */
  url: string;
  name: string;
  caFile?: string;
  credsFile?: string;
  user?: string;
  passwordFile?: string;
  /** Replicas of the streams and buckets this program creates (`--stream-replicas`). */
  streamReplicas?: number;
  /** Keep reconnecting forever (services) or give up quickly (CLI). */
  reconnectForever?: boolean;
  timeoutMs?: number;
}

export interface Plane {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  serverVersion: string;
  close(): Promise<void>;
}

export const MIN_SERVER_VERSION = '2.9.0';

export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function connectionOptions(s: NatsSettings): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: s.url.split(',').map((u) => u.trim()).filter(Boolean),
    name: s.name,
    timeout: s.timeoutMs ?? 5000,
    maxReconnectAttempts: s.reconnectForever === false ? 3 : -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: s.reconnectForever !== false,
  };
  if (s.caFile) opts.tls = { caFile: s.caFile };
  if (s.credsFile) opts.authenticator = credsAuthenticator(readFileSync(s.credsFile));
  if (s.user) {
    opts.user = s.user;
    if (s.passwordFile) opts.pass = readFileSync(s.passwordFile, 'utf8').trim();
  }
  return opts;
}

/**
 * Connects, checks the server is 2.9 or newer with JetStream enabled, and returns the clients.
 * A server that is too old or has no JetStream is a clear error, not a later mystery.
 */
export async function connectPlane(s: NatsSettings): Promise<Plane> {
  const nc = await connect(connectionOptions(s));
  const serverVersion = nc.info?.version ?? '0.0.0';
  if (compareVersions(serverVersion, MIN_SERVER_VERSION) < 0) {
    await nc.close();
    throw new Error(`nats-server ${serverVersion} is too old: JetStream features of ${MIN_SERVER_VERSION} or newer are needed`);
  }
  if (nc.info && nc.info.jetstream === false) {
    await nc.close();
    throw new Error(`nats-server ${serverVersion} at ${s.url} has JetStream disabled: start it with -js`);
  }
  if (s.streamReplicas !== undefined) setDefaultReplicas(s.streamReplicas);
  const jsm = await jetstreamManager(nc, { timeout: s.timeoutMs ?? 5000 });
  const js = jetstream(nc, { timeout: s.timeoutMs ?? 5000 });
  return {
    nc,
    js,
    jsm,
    serverVersion,
    close: async () => {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
