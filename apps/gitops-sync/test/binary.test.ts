// The gitops-sync binary as users run it: flags, exit codes, --once output, the webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPlane, lastEventOn, STREAMS, type Plane } from '@plane/backbone';
import { createTestRepo, freePort, startNatsServer, waitFor, type NatsServerHandle, type TestRepo } from '@plane/testkit';
import { signatureOf } from '../src/webhook.js';
import { BASE, region } from './fixtures.js';

const BIN = fileURLToPath(new URL('../bin/gitops-sync.js', import.meta.url));

let server: NatsServerHandle;
let plane: Plane;
let repo: TestRepo;
let dir: string;

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'binary-test' });
  repo = createTestRepo();
  dir = mkdtempSync(join(tmpdir(), 'plane-bin-'));
});

afterAll(async () => {
  await plane?.close();
  await server?.dispose();
  repo?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('gitops-sync binary', () => {
  it('stops at start with one clear line and exit 2 on a missing or bad setting', () => {
    const missing = run([]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/--repo is required/);
    const bad = run(['--repo', repo.remote, '--interval', 'soon']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--interval/);
    const noSecret = run(['--repo', repo.remote, '--webhook-listen', '127.0.0.1:0']);
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toMatch(/webhook-secret-file/);
  });

  it('--once syncs, prints what it recorded, and exits 0; a bad commit exits 1 with located errors', () => {
    repo.commit(BASE);
    const env = { PLANE_NATS_URL: server.url, PLANE_CACHE_DIR: join(dir, 'cache') };
    const ok = run(['--repo', repo.remote, '--once', '--log-level', 'warn'], env);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/synced: 4 added, 0 changed, 0 removed/);
    expect(ok.stdout).toMatch(/recorded DeclarationApplied\s+decl\.gtm\.svc-plus/);
    expect(ok.stdout).toMatch(/recorded SyncCompleted\s+decl\.sync\.remote/);

    const again = run(['--repo', repo.remote, '--once', '--log-level', 'warn'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing new to record/);

    repo.commit({ 'platform-config/regions/jp.yaml': 'version: 1\nname: jp\nprovider: moon\nnode_mode: containerd-only\n' });
    const bad = run(['--repo', repo.remote, '--once', '--log-level', 'silent'], env);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/REJECTED/);
    expect(bad.stdout).toMatch(/regions\/jp\.yaml:3:\d+: .*provider/);
  });

  it('the webhook syncs on a correctly signed push and refuses a bad or missing signature', async () => {
    const secretFile = join(dir, 'webhook-secret');
    writeFileSync(secretFile, 'hook-secret\n');
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      [BIN, '--repo', repo.remote, '--repo-name', 'hooked', '--interval', '1h', '--webhook-listen', `127.0.0.1:${port}`, '--webhook-secret-file', secretFile, '--log-level', 'warn'],
      { env: { ...process.env, PLANE_NATS_URL: server.url, PLANE_CACHE_DIR: join(dir, 'cache2') }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      repo.commit({ 'platform-config/regions/jp.yaml': region('jp') });
      // the start-up sync
      await waitFor('the first sync', async () => (await lastEventOn(plane.jsm, STREAMS.declarations.name, 'decl.sync.hooked')) !== undefined, 30_000, 100);
      const first = await lastEventOn(plane.jsm, STREAMS.declarations.name, 'decl.sync.hooked');

      const head = repo.commit({ 'platform-config/regions/us.yaml': region('us') });
      const body = JSON.stringify({ ref: 'refs/heads/main', after: head });
      const post = (sig?: string) =>
        fetch(`http://127.0.0.1:${port}/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...(sig ? { 'x-hub-signature-256': sig } : {}) } });

      expect((await post()).status).toBe(401);
      expect((await post(signatureOf('wrong-secret', body))).status).toBe(401);
      expect((await post('sha256=zz')).status).toBe(401);
      await new Promise((r) => setTimeout(r, 500));
      expect((await lastEventOn(plane.jsm, STREAMS.declarations.name, 'decl.sync.hooked'))!.seq).toBe(first!.seq);

      const other = await fetch(`http://127.0.0.1:${port}/webhook`, { method: 'POST', body: JSON.stringify({ ref: 'refs/heads/dev' }), headers: { 'x-hub-signature-256': signatureOf('hook-secret', JSON.stringify({ ref: 'refs/heads/dev' })) } });
      expect(other.status).toBe(202);
      expect(await other.json()).toMatchObject({ ignored: expect.stringContaining('refs/heads/dev') });

      const good = await post(signatureOf('hook-secret', body));
      expect(good.status).toBe(202);
      const synced = await waitFor('the webhook sync', async () => {
        const last = await lastEventOn(plane.jsm, STREAMS.declarations.name, 'decl.sync.hooked');
        return last && last.seq !== first!.seq ? last : undefined;
      }, 30_000, 100);
      expect((synced.event.data as { commit: string }).commit).toBe(head);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
