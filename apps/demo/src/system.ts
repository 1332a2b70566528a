// What the demo needs from the machine: nats-server, pdns_server with its sqlite3 backend, the
// sqlite3 CLI, git, and the 127.0.0.0/8 loopback range. As root on Debian the missing packages
// are installed with scripts/install-system-deps.sh; otherwise it says exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findBinary } from '@plane/testkit';

export const PDNS_SQLITE_SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

interface Need {
  what: string;
  debian: string;
  found: () => string | undefined;
}

const NEEDS: Need[] = [
  { what: 'nats-server', debian: 'nats-server', found: () => findBinary('nats-server') },
  { what: 'pdns_server', debian: 'pdns-server', found: () => findBinary('pdns_server') },
  { what: 'the PowerDNS sqlite3 backend', debian: 'pdns-backend-sqlite3', found: () => (existsSync(PDNS_SQLITE_SCHEMA) ? PDNS_SQLITE_SCHEMA : undefined) },
  { what: 'sqlite3', debian: 'sqlite3', found: () => findBinary('sqlite3') },
  { what: 'git', debian: 'git', found: () => findBinary('git') },
];

function missing(): Need[] {
  return NEEDS.filter((n) => n.found() === undefined);
}

export interface DepsResult {
  ok: boolean;
  message: string;
  versions: string[];
}

function version(bin: string | undefined, args: string[], pick: RegExp): string | undefined {
  if (!bin) return undefined;
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return pick.exec(text)?.[1];
}

/** Finds the system packages; installs the missing ones as root on Debian. */
export function ensureSystemDeps(root: string, log: (line: string) => void): DepsResult {
  let gone = missing();
  if (gone.length > 0) {
    const names = gone.map((n) => n.debian);
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const apt = findBinary('apt-get');
    if (isRoot && apt) {
      log(`missing ${gone.map((n) => n.what).join(', ')}: installing Debian's packages (scripts/install-system-deps.sh)`);
      const r = spawnSync('bash', [join(root, 'scripts/install-system-deps.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
      gone = missing();
      if (r.status !== 0 || gone.length > 0) {
        const still = gone.map((n) => n.debian);
        return { ok: false, message: `installing the system packages failed${still.length ? `; still missing: ${still.join(' ')}` : ''}: run apt-get install -y ${(still.length ? still : names).join(' ')}`, versions: [] };
      }
    } else {
      return {
        ok: false,
        message: `missing ${gone.map((n) => n.what).join(', ')}. Install them with:\n    sudo apt-get install -y ${names.join(' ')}\n  (or point PLANE_NATS_SERVER_BIN / PLANE_PDNS_SERVER_BIN / PLANE_GIT_BIN at them), then run the demo again`,
        versions: [],
      };
    }
  }
  const versions = [
    `nats-server ${version(findBinary('nats-server'), ['--version'], /v?(\d+\.\d+\.\d+)/) ?? '?'}`,
    `pdns_server ${version(findBinary('pdns_server'), ['--version'], /PowerDNS Authoritative Server (\S+)/) ?? '?'}`,
    `git ${version(findBinary('git'), ['--version'], /git version (\S+)/) ?? '?'}`,
  ];
  return { ok: true, message: '', versions };
}

/** Whether a listener can bind 127.0.0.x (Linux routes all of 127.0.0.0/8 to lo; some systems do not). */
export function canBind(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err) => resolve((err as Error).message));
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}
