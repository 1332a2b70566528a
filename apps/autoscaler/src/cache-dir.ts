// The Git caches (a bare clone to read node pools, one to build commits) allow one process per
// directory. A replica claims its directory with an owner file; a second replica on the same
// machine gets the next free one, and a directory given explicitly must not be in use.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@plane/runtime';

const OWNER = 'owner.pid';

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryClaim(dir: string): number | null {
  mkdirSync(dir, { recursive: true });
  const owner = join(dir, OWNER);
  try {
    writeFileSync(owner, String(process.pid), { flag: 'wx' });
    return null;
  } catch {
    const holder = Number(readFileSync(owner, 'utf8').trim());
    if (alive(holder)) return holder;
    writeFileSync(owner, String(process.pid));
    return null;
  }
}

export interface ClaimedDir {
  path: string;
  release(): void;
}

/** Claims `base` (explicit: or fails) or, when it is only the default, the first free `base-N`. */
export function claimCacheDir(base: string, explicit: boolean): ClaimedDir {
  for (let i = 0; i < 64; i++) {
    const dir = i === 0 ? base : `${base}-${i}`;
    const holder = tryClaim(dir);
    if (holder === null) return { path: dir, release: () => rmSync(join(dir, OWNER), { force: true }) };
    if (explicit) throw new ConfigError(`--cache-dir ${dir} is in use by process ${holder} (one autoscaler per cache directory)`);
  }
  throw new ConfigError(`no free cache directory next to ${base}`);
}
