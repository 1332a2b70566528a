#!/usr/bin/env node
// `npm run demo`: a local NATS server with JetStream, the bundled platform-config/ as a Git
// repository, and gitops-sync recording it; then the recorded events and the `desired` bucket.
// --keep-running leaves NATS up (Ctrl-C stops it).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keepRunning = process.argv.includes('--keep-running');

const deps = spawnSync('bash', [join(root, 'scripts/install-system-deps.sh')], { stdio: 'inherit' });
if (deps.status !== 0) process.exit(deps.status ?? 1);

const { startNatsServer, git } = await import('@plane/testkit');
const { connectPlane, openBucket, readBucket } = await import('@plane/backbone');

const say = (s) => process.stdout.write(`\n\x1b[1m${s}\x1b[0m\n`);
const work = mkdtempSync(join(tmpdir(), 'plane-demo-'));
const nats = await startNatsServer();
say(`1. NATS with JetStream at ${nats.url} (store ${nats.storeDir})`);

const repo = join(work, 'platform.git');
const clone = join(work, 'platform');
spawnSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
spawnSync('git', ['init', '-q', '-b', 'main', clone]);
cpSync(join(root, 'platform-config'), join(clone, 'platform-config'), { recursive: true });
if (existsSync(join(root, 'infra'))) cpSync(join(root, 'infra'), join(clone, 'infra'), { recursive: true });
git(clone, 'add', '-A');
git(clone, 'commit', '-q', '-m', 'platform: the bundled declarations');
git(clone, 'push', '-q', repo, 'HEAD:refs/heads/main');
say(`2. a Git remote holding platform-config/ at ${repo}`);

const env = { ...process.env, PLANE_NATS_URL: nats.url, PLANE_CACHE_DIR: join(work, 'cache') };
const bin = (app, name) => join(root, 'apps', app, 'bin', `${name}.js`);
say('3. gitops-sync --once: parse, validate, record');
const sync = spawnSync(process.execPath, [bin('gitops-sync', 'gitops-sync'), '--repo', repo, '--repo-name', 'platform', '--once', '--log-level', 'warn'], { env, stdio: 'inherit' });

say("4. planectl events: what the DECLARATIONS stream holds (nats stream view DECLARATIONS)");
spawnSync(process.execPath, [bin('ctl', 'planectl'), 'events', '--subject', 'decl.>'], { env, stdio: 'inherit' });

say('5. the `desired` bucket (nats kv ls desired)');
const plane = await connectPlane({ url: nats.url, name: 'demo', reconnectForever: false });
const entries = await readBucket(await openBucket(plane.nc, 'desired'));
for (const [key, value] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
  const v = value;
  const what = key.startsWith('sync.') ? `commit ${v.commit.slice(0, 12)} in force, ${Object.keys(v.declarations).length} declarations` : key === '_position' ? `projection at stream seq ${v}` : `${v.file} version ${v.version} digest ${v.digest.slice(0, 12)}`;
  process.stdout.write(`  ${key.padEnd(22)} ${what}\n`);
}
await plane.close();

if (keepRunning) {
  say(`NATS stays up at ${nats.url}; try: PLANE_NATS_URL=${nats.url} npx planectl events --follow   (Ctrl-C stops)`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
await nats.dispose();
rmSync(work, { recursive: true, force: true });
say(sync.status === 0 ? 'demo done: the bundled declarations are recorded and in force' : `demo: gitops-sync exited ${sync.status}`);
process.exit(sync.status ?? 1);
