// `plane-demo --ci` end to end, as CI runs `npm run demo`: it builds, runs the whole scenario as
// a child process, and must exit 0 with every step named as observed, leave no process behind,
// and leave the streams and the Git remote in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'apps/demo/bin/plane-demo.js');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** The demo's own bounds fail a step long before this; this only guards against a hang. */
const HARD_LIMIT_MS = 12 * 60_000;

let work: string;
let child: ChildProcess | undefined;
let output = '';
let result: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };

function killGroup(sig: NodeJS.Signals): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // gone
  }
}

/** Processes whose command line mentions `needle` (Linux /proc). */
function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd.trim()}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [TSC, '-b', 'apps/demo'], { cwd: ROOT, encoding: 'utf8', timeout: 5 * 60_000 });
  if (build.status !== 0) throw new Error(`npx tsc -b apps/demo failed:\n${build.stdout}${build.stderr}`);
  work = mkdtempSync(join(tmpdir(), 'plane-demo-test-'));
  const started = Date.now();
  child = spawn(process.execPath, [BIN, '--ci', '--work-dir', work], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    // Its own process group: if this test is torn down, the whole demo goes with it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  result = await new Promise((resolve) => {
    const hang = setTimeout(() => {
      output += `\n[test] the demo still runs after ${HARD_LIMIT_MS / 60_000} min: SIGTERM\n`;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 20_000).unref();
    }, HARD_LIMIT_MS);
    child!.once('exit', (code, signal) => {
      clearTimeout(hang);
      resolve({ code, signal });
    });
  });
  output += `\n[test] the demo exited ${result.code ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(1)}s\n`;
}, HARD_LIMIT_MS + 6 * 60_000);

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) killGroup('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run demo -- --ci', () => {
  it('exits 0: every step was observed', () => {
    expect(result.code, output).toBe(0);
    expect(output).toMatch(/demo passed: every step was observed/);
    expect(output).toMatch(/Summary: every step observed for real/);
  });

  it('names each step as observed, in the summary', () => {
    expect(output, output).toMatch(/✓ setup {2}The fleet: CI applies infra\/node-pool\/\*\.tfvars/);
    for (const n of [1, 2, 3, 4]) expect(output, output).toMatch(new RegExp(`✓ step ${n} {2}\\S`));
    expect(output).not.toMatch(/✗ step/);
  });

  it('step 1: real DNS answers of both regions, in shares near 100:10', () => {
    expect(output).toMatch(/dig @127\.0\.0\.1 -p \d+ api\.svc\.plus/);
    const m = /✓ 400 answers: jp (\d+\.\d)%, sg (\d+\.\d)%/.exec(output);
    expect(m, output).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(80);
    expect(Number(m![2])).toBeGreaterThan(0);
  });

  it('step 2: the scale-out commit, the new VM, its registration and its DNS answers', () => {
    expect(output).toMatch(/✓ node-agents of jp-0, jp-1 restarted .*same node ids/);
    expect(output).toMatch(/✓ commit [0-9a-f]{7} on the remote: "autoscale: svc-plus jp scale_out 2 -> 3 \(cpu=0\.82\)"/);
    expect(output).toMatch(/✓ CI runner started VM jp-2 at 127\.0\.0\.13/);
    expect(output).toMatch(/✓ jp-2 registered through plane-api/);
    expect(output).toMatch(/✓ 127\.0\.0\.13 \(jp-2\) answered by DNS/);
    expect(output).toMatch(/✓ gateway-sync rendered 127\.0\.0\.13 \(jp-2\) into nginx upstream plane_svc-plus_jp/);
  });

  it('step 3: the killed node leaves DNS, jp keeps its weight', () => {
    expect(output).toMatch(/✓ jp-1 killed: node-agent SIGKILL, service SIGKILL/);
    expect(output).toMatch(/✓ 127\.0\.0\.12 no longer answered/);
    expect(output).toMatch(/✓ jp: 2 of 3 nodes ready >= min_ready_nodes 1: weight 100/);
  });

  it('step 4: drained out of DNS first, then the scale-in commit, then the VM destroyed', () => {
    const drained = output.search(/✓ 127\.0\.0\.13 \(jp-2\) no longer answered/);
    const committed = output.search(/✓ commit [0-9a-f]{7} on the remote, .*"autoscale: svc-plus jp scale_in 3 -> 2/);
    const destroyed = output.search(/✓ CI runner destroyed VM jp-2/);
    expect(drained, output).toBeGreaterThan(0);
    expect(committed).toBeGreaterThan(drained);
    expect(destroyed).toBeGreaterThan(committed);
  });

  it('the commits are in the real remote', () => {
    const log = spawnSync('git', ['--git-dir', join(work, 'platform.git'), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.status).toBe(0);
    const subjects = log.stdout.trim().split('\n');
    expect(subjects[0]).toMatch(/^autoscale: svc-plus jp scale_in 3 -> 2\b/);
    expect(subjects[1]).toBe('autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)');
    const tfvars = spawnSync('git', ['--git-dir', join(work, 'platform.git'), 'show', 'main:infra/node-pool/jp.tfvars'], { encoding: 'utf8' });
    expect(tfvars.stdout).toMatch(/^node_count = 2$/m);
  });

  it('stops every process it started and leaves the streams in place, with the commands to read them', () => {
    expect(processesWith(work)).toEqual([]);
    const port = /health port (\d+)/.exec(output)?.[1];
    expect(port).toBeDefined();
    expect(processesWith(`vm-service.js 127.0.0.`).filter((p) => p.includes(` ${port} `))).toEqual([]);
    expect(existsSync(join(work, 'nats', 'jetstream'))).toBe(true);
    expect(output).toMatch(/export PLANE_NATS_URL=nats:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/npx planectl replay --verify/);
    expect(output).toMatch(/✓ planectl replay --verify: replayed \d+ decision\(s\): \d+ identical, 0 different/);
  });
});
