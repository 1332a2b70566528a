// The binary as operators run it: settings checked at start (one line, exit 2), secrets never as
// flag values, and --dry-run (decisions recorded, no command, no drain, no commit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { STREAMS } from '@plane/backbone';
import { waitFor } from '@plane/testkit';
import { BIN, sleep, tfvars, World, QUICK_POLICY } from './world.js';

const POLICY = QUICK_POLICY;

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PLANE_NATS_URL: 'nats://127.0.0.1:1' }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

let w: World;

beforeAll(async () => {
  w = await World.start({ 'infra/node-pool/jp.tfvars': tfvars(2) });
  await w.declare({ 'autoscale/svc-plus.yaml': POLICY });
});

afterAll(async () => {
  await w?.dispose();
});

describe('autoscaler binary', () => {
  it('stops at start with one clear line and exit 2 on a missing or bad setting', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--repo is required/],
      [['--repo', '/tmp/x', '--github-token', 'hunter2'], /--github-token is not accepted on the command line/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('hunter2');
    }
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--evaluate-interval');
  });

  it('--dry-run records the decision but sends no command and commits nothing', async () => {
    await w.putNode('svc-plus', 'jp', 'jp-0', { cpu: 0.9 });
    await w.putNode('svc-plus', 'jp', 'jp-1', { cpu: 0.9 });
    const before = w.repo.head();
    const a = await w.spawn('dry', ['--dry-run']);
    await a.waitReady();
    const decided = await waitFor('the decision', async () => (await w.events(STREAMS.decisions.name, 'autoscale.decided.>'))[0]);
    expect(decided.event.data).toMatchObject({ kind: 'scale_out', from: 2, to: 3 });
    expect((await w.events(STREAMS.decisions.name, 'autoscale.commit.>')).map((s) => s.event.type)).toEqual(['ScaleCommitRequested']);
    await sleep(1500);
    expect(await w.events(STREAMS.commands.name, 'cmd.>')).toHaveLength(0);
    expect(w.repo.head()).toBe(before);
    expect(await a.metric('autoscaler_commands_total{kind="git_commit"}')).toBeUndefined();
    await a.stop();
  });
});
