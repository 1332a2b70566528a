// The binary's settings: --help without a server, and a bad setting refused at start with one
// line and exit code 2 (INTERFACES.md), before any connection is tried.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/gtm-controller.js', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });

describe('gtm-controller settings', () => {
  it('prints its flags with --help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--lease-ttl', '--reconcile-interval', '--dry-run', '--health-write-interval', '--zone-refresh', '--zone-retry', '--nats-url', '--metrics-listen']) expect(r.stdout).toContain(flag);
  });

  it.each([
    [['--health-write-interval', '200ms'], {}, /--health-write-interval must be between 1s and 1m/],
    [['--health-write-interval', '5m'], {}, /--health-write-interval must be between 1s and 1m/],
    [[], { PLANE_HEALTH_WRITE_INTERVAL: 'often' }, /PLANE_HEALTH_WRITE_INTERVAL: "often" is not a duration/],
    [['--lease-ttl', '100ms'], {}, /--lease-ttl must be at least 1s/],
    [['--log-level', 'loud'], {}, /--log-level/],
  ] as [string[], Record<string, string>, RegExp][])('refuses %j %j with one line and exit 2', (args, env, message) => {
    const r = run(args, env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
