// A real PowerDNS Authoritative server (Debian's pdns-server + pdns-backend-sqlite3) on free
// loopback ports, for tests that must see what the vendor's API accepts and what DNS answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort, waitFor } from './ports.js';

const SQLITE_SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

export interface PdnsServerHandle {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8081 (append /api/v1/...). */
  apiUrl: string;
  apiKey: string;
  /** UDP and TCP port of the DNS listener on 127.0.0.1. */
  dnsPort: number;
  serverId: 'localhost';
  dataDir: string;
  /** Creates a Native zone (SOA + one NS) through the API. `name` without trailing dot. */
  createZone(name: string): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL) and keeps the database. */
  stop(): Promise<void>;
  /** Stops it and removes the database and config. */
  dispose(): Promise<void>;
  readonly log: string[];
}

export interface PdnsServerOptions {
  /** Extra pdns.conf lines (`key=value`). */
  config?: string[];
  /** Milliseconds to wait for the API to answer. */
  startTimeoutMs?: number;
}

/**
 * The sqlite3 backend does not create its own schema and pdnsutil cannot either; the sqlite3 CLI
 * does, without a native npm addon (node:sqlite is missing on Node 20).
 */
function createDatabase(file: string): void {
  const sqlite3 = requireBinary('sqlite3', 'sqlite3');
  const res = spawnSync(sqlite3, [file], { input: readFileSync(SQLITE_SCHEMA), stdio: ['pipe', 'pipe', 'pipe'] });
  if (res.status !== 0) throw new Error(`sqlite3 could not create ${file}: ${res.stderr?.toString() ?? res.error?.message}`);
}

function configLines(dir: string, dbFile: string, dnsPort: number, apiPort: number, apiKey: string): string[] {
  return [
    'launch=gsqlite3',
    `gsqlite3-database=${dbFile}`,
    'local-address=127.0.0.1',
    `local-port=${dnsPort}`,
    'webserver=yes',
    'webserver-address=127.0.0.1',
    `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.0/8',
    'api=yes',
    `api-key=${apiKey}`,
    'daemon=no',
    'guardian=no',
    `socket-dir=${dir}`,
    // LUA records on; 'shared' (documented: "Shared Lua state model") keeps one Lua state per
    // thread instead of building one per query: 15-40x faster, so thousands of sampled answers
    // take well under a second. pickwrandom behaves the same in both modes.
    'enable-lua-records=shared',
    // Every answer straight from the database, so a test sees an API write at once.
    'cache-ttl=0',
    'negquery-cache-ttl=0',
    'query-cache-ttl=0',
    'zone-cache-refresh-interval=0',
    'consistent-backends=yes',
    // No outbound DNS query for the security poll (tests have loopback only).
    'security-poll-suffix=',
  ];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `pdns_server --config-dir=<tmp>` with a fresh sqlite3 database; resolves once the API answers. */
export async function startPdnsServer(opts: PdnsServerOptions = {}): Promise<PdnsServerHandle> {
  const bin = requireBinary('pdns_server', 'pdns-server');
  const dataDir = mkdtempSync(join(tmpdir(), 'plane-pdns-'));
  const dbFile = join(dataDir, 'pdns.sqlite3');
  createDatabase(dbFile);
  const dnsPort = await freePort();
  const apiPort = await freePort();
  const apiKey = randomBytes(16).toString('hex');
  const lines = [...configLines(dataDir, dbFile, dnsPort, apiPort, apiKey), ...(opts.config ?? [])];
  writeFileSync(join(dataDir, 'pdns.conf'), lines.join('\n') + '\n');

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const serverUrl = `${apiUrl}/api/v1/servers/localhost`;
  const headers = { 'X-API-Key': apiKey, 'Content-Type': 'application/json' };
  const log: string[] = [];
  const child = spawn(bin, [`--config-dir=${dataDir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    log.push(...b.toString().split('\n').filter(Boolean));
    if (log.length > 500) log.splice(0, log.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited(child);
    clearTimeout(timer);
  };

  try {
    await waitFor(`pdns_server API on port ${apiPort}`, async () => {
      if (child.exitCode !== null) throw new Error(`pdns_server exited: ${log.slice(-5).join(' | ')}`);
      const res = await fetch(serverUrl, { headers });
      return res.ok;
    }, opts.startTimeoutMs ?? 20_000);
  } catch (err) {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    apiUrl,
    apiKey,
    dnsPort,
    serverId: 'localhost',
    dataDir,
    log,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    createZone: async (name: string) => {
      const zone = `${name.replace(/\.$/, '')}.`;
      const res = await fetch(`${serverUrl}/zones`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: zone,
          kind: 'Native',
          nameservers: [`ns1.${zone}`],
          rrsets: [{ name: zone, type: 'SOA', ttl: 3600, records: [{ content: `ns1.${zone} hostmaster.${zone} 1 10800 3600 604800 3600`, disabled: false }] }],
        }),
      });
      if (res.status !== 201) throw new Error(`creating zone ${zone} failed: ${res.status} ${await res.text()}`);
    },
  };
}
