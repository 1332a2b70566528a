// The gateway-sync binary's face: bad or missing settings stop it with one line and exit 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/gateway-sync.js', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plane-gateway-bin-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  // No NATS is running at this URL: every case must stop before connecting.
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PLANE_NATS_URL: 'nats://127.0.0.1:1', ...env }, timeout: 20_000 });
}

describe('gateway-sync binary', () => {
  it('prints its flags with --help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--nginx-upstreams-file', '--nginx-reload-command', '--nginx-test-command', '--upstream-port', '--debounce', '--metrics-listen']) expect(r.stdout).toContain(flag);
  });

  it.each([
    [[], {}, /--nginx-upstreams-file is required/],
    [['--nginx-upstreams-file', '/nonexistent/dir/up.conf'], {}, /directory \/nonexistent\/dir does not exist/],
    [['--upstream-port', '70000'], {}, /--upstream-port: 70000 is not a port/],
    [[], { PLANE_DEBOUNCE: 'soon' }, /PLANE_DEBOUNCE: "soon" is not a duration/],
    [['--nginx-reload-command', "nginx -g 'daemon"], {}, /--nginx-reload-command: unterminated/],
    [['--service-port', 'api:8080'], {}, /--service-port: "api:8080" is not SERVICE=PORT/],
    [['--fail-timeout', '1500ms'], {}, /--fail-timeout must be whole seconds/],
    [['--metrics-listen', 'everywhere'], {}, /--metrics-listen/],
    [['--log-level', 'loud'], {}, /--log-level/],
  ])('refuses %j %j with one line and exit 2', (args, env, message) => {
    const withFile = (args as string[]).includes('--nginx-upstreams-file') || (args.length === 0 && Object.keys(env).length === 0) ? args : ['--nginx-upstreams-file', join(dir, 'up.conf'), ...args];
    const r = run(withFile, env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
