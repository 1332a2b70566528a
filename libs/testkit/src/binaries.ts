import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin', '/sbin'];

/** Finds an executable on PATH or in the usual system directories; `PLANE_<NAME>_BIN` wins. */
export function findBinary(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const override = env[`PLANE_${name.replace(/[^a-z0-9]/gi, '_').toUpperCase()}_BIN`];
  if (override) return override;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function requireBinary(name: string, debianPackage: string): string {
  const found = findBinary(name);
  if (!found) {
    throw new Error(`${name} not found: install Debian's ${debianPackage} package (apt-get install -y ${debianPackage}) or set PLANE_${name.replace(/[^a-z0-9]/gi, '_').toUpperCase()}_BIN`);
  }
  return found;
}
