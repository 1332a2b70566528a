import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm, type KV } from '@nats-io/kv';
import {
  connectPlane,
  deleteBucket,
  desiredProjection,
  ensureStream,
  publishEvent,
  readBucket,
  readDesiredSnapshot,
  readStream,
  runProjection,
  STREAMS,
  type Plane,
  type RunningProjection,
  type StoredEvent,
} from '@plane/backbone';
import { createLogger } from '@plane/runtime';
import { validateEvent, type SyncRejected } from '@plane/events';
import { createTestRepo, startNatsServer, type NatsServerHandle, type TestRepo } from '@plane/testkit';
import { GitSource } from '@plane/git';
import { Syncer } from '../src/syncer.js';
import { loadKnownState, resolveUnknownSubjects } from '../src/known-state.js';
import { planSync } from '../src/plan.js';
import { BASE, gtm, region } from './fixtures.js';

let server: NatsServerHandle;
let plane: Plane;
let repo: TestRepo;
let cacheDir: string;
let projection: RunningProjection;
let kv: KV;

const log = createLogger('test', 'silent');

async function allEvents(): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.declarations.name, filter: 'decl.>' })) out.push(s);
  return out;
}

function newSyncer(repoName: string): Syncer {
  const git = new GitSource({ url: repo.remote, branch: 'main', cacheDir });
  return new Syncer({ plane, git, repo: repoName, path: 'platform-config', log });
}

beforeAll(async () => {
  server = await startNatsServer();
  plane = await connectPlane({ url: server.url, name: 'sync-test' });
});

afterAll(async () => {
  await plane?.close();
  await server?.dispose();
});

beforeEach(async () => {
  // A fresh stream and bucket per test: each test tells its own story.
  await plane.jsm.streams.delete(STREAMS.declarations.name).catch(() => undefined);
  await deleteBucket(plane.jsm, 'desired');
  await ensureStream(plane.jsm, STREAMS.declarations);
  projection = await runProjection(plane.nc, plane.js, plane.jsm, desiredProjection);
  kv = await new Kvm(plane.nc).open('desired');
  repo = createTestRepo();
  cacheDir = mkdtempSync(join(tmpdir(), 'plane-sync-cache-'));

});

afterEach(async () => {
  await projection.stop();
  repo.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('gitops-sync', () => {
  it('records added, changed and removed declarations across commits, one event each, and the commit point', async () => {
    const syncer = newSyncer('platform');
    const c1 = repo.commit(BASE, 'initial');
    const r1 = await syncer.sync();
    expect(r1.outcome).toBe('applied');
    expect(r1.commit).toBe(c1);
    expect(r1.added.sort()).toEqual(['autoscale/svc-plus', 'gtm/svc-plus', 'region/jp', 'region/sg']);
    await projection.waitFor(r1.seq!);
    let snap = await readDesiredSnapshot(kv);
    expect(snap.syncs.map((s) => s.commit)).toEqual([c1]);
    expect(snap.declarations.map((d) => `${d.kind}/${d.name}`)).toEqual(['autoscale/svc-plus', 'gtm/svc-plus', 'region/jp', 'region/sg']);

    // change one, add one, remove one; a README-only change records no declaration event
    const c2 = repo.commit({
      'platform-config/gtm/svc-plus.yaml': gtm('svc-plus', 'api.svc.plus', [['jp', 100], ['sg', 50]]),
      'platform-config/regions/us.yaml': region('us'),
      'platform-config/autoscale/svc-plus.yaml': null,
      'README.md': '# changed readme\n',
    });
    const r2 = await syncer.sync();
    expect(r2.outcome).toBe('applied');
    expect(r2).toMatchObject({ added: ['region/us'], changed: ['gtm/svc-plus'], removed: ['autoscale/svc-plus'] });
    expect(r2.recorded.map((r) => `${r.type} ${r.subject}`)).toEqual([
      'DeclarationApplied decl.gtm.svc-plus',
      'DeclarationApplied decl.region.us',
      'DeclarationRemoved decl.autoscale.svc-plus',
      'SyncCompleted decl.sync.platform',
    ]);
    await projection.waitFor(r2.seq!);
    snap = await readDesiredSnapshot(kv);
    expect(snap.syncs[0]!.commit).toBe(c2);
    expect(snap.declarations.map((d) => `${d.kind}/${d.name}`)).toEqual(['gtm/svc-plus', 'region/jp', 'region/sg', 'region/us']);
    const g = snap.declarations.find((d) => d.kind === 'gtm')!;
    expect(g.commit).toBe(c2);
    expect(JSON.stringify(g.spec)).toContain('"weight":50');
    // the unchanged regions keep the version (and commit) that introduced them
    expect(snap.declarations.find((d) => d.name === 'jp')!.commit).toBe(c1);

    const c3 = repo.commit({ 'README.md': '# only docs\n' });
    const r3 = await syncer.sync();
    expect(r3.recorded.map((r) => r.type)).toEqual(['SyncCompleted']);
    expect(r3.commit).toBe(c3);

    for (const e of await allEvents()) expect(validateEvent(e.event)).toEqual([]);
  });

  it('syncing the same commit twice records nothing new', async () => {
    const syncer = newSyncer('platform');
    repo.commit(BASE);
    await syncer.sync();
    const before = (await allEvents()).length;
    const again = await syncer.sync();
    expect(again.outcome).toBe('unchanged');
    // a second process (a restart) agrees
    const other = await newSyncer('platform').sync();
    expect(other.outcome).toBe('unchanged');
    expect((await allEvents()).length).toBe(before);
  });

  it('rejects a bad commit whole with every error located, keeps the last good state, then takes the next good commit', async () => {
    const syncer = newSyncer('platform');
    const good = repo.commit(BASE);
    const r1 = await syncer.sync();
    await projection.waitFor(r1.seq!);
    const goodSnap = await readDesiredSnapshot(kv);

    const bad = repo.commit({
      'platform-config/gtm/svc-plus.yaml': gtm('svc-plus', 'api.svc.plus', [['jp', 100], ['sg', 1001]]),
      'platform-config/regions/sg.yaml': 'version: 1\nname: sg\nprovider: aws\nnode_mode: containerd-only\nbogus_field: 1\n',
      'platform-config/regions/us.yaml': region('us'),
    });
    const r2 = await syncer.sync();
    expect(r2.outcome).toBe('rejected');
    expect(r2.recorded.map((r) => `${r.type} ${r.subject}`)).toEqual(['SyncRejected decl.rejected.platform']);
    const files = r2.errors.map((e) => e.file);
    expect(files).toContain('gtm/svc-plus.yaml');
    expect(files).toContain('regions/sg.yaml');
    const weightError = r2.errors.find((e) => e.file === 'gtm/svc-plus.yaml')!;
    expect(weightError.line).toBe(22); // the sg weight line
    expect(weightError.path).toContain('weight');
    const unknownField = r2.errors.find((e) => e.file === 'regions/sg.yaml')!;
    expect(unknownField.line).toBe(5);
    expect(unknownField.message).toMatch(/bogus_field/);

    await projection.waitFor(r2.seq!);
    const afterBad = await readDesiredSnapshot(kv);
    expect(afterBad).toEqual(goodSnap);
    const rejection = (await allEvents()).find((e) => e.event.type === 'SyncRejected')!.event as SyncRejected;
    expect(rejection.data.commit).toBe(bad);
    expect(rejection.data.last_good_commit).toBe(good);
    expect(validateEvent(rejection)).toEqual([]);
    // the rejection is not recorded again
    expect((await syncer.sync()).outcome).toBe('unchanged');

    const fixed = repo.commit({ 'platform-config/gtm/svc-plus.yaml': gtm('svc-plus', 'api.svc.plus', [['jp', 100], ['sg', 20]]), 'platform-config/regions/sg.yaml': region('sg') });
    const r3 = await syncer.sync();
    expect(r3.outcome).toBe('applied');
    expect(r3.commit).toBe(fixed);
    expect(r3.added).toEqual(['region/us']);
    expect(r3.changed).toEqual(['gtm/svc-plus', 'region/sg']);
    await projection.waitFor(r3.seq!);
    expect((await readDesiredSnapshot(kv)).syncs[0]!.commit).toBe(fixed);
  });

  it('resumes an interrupted sync: events already recorded are not recorded again and the commit completes', async () => {
    const syncer = newSyncer('platform');
    repo.commit(BASE);
    const r1 = await syncer.sync();
    await projection.waitFor(r1.seq!);
    const c2 = repo.commit({
      'platform-config/gtm/svc-plus.yaml': gtm('svc-plus', 'api.svc.plus', [['jp', 100], ['sg', 70]]),
      'platform-config/regions/us.yaml': region('us'),
    });
    // A crashed gitops-sync: it recorded the first declaration event of c2 and died before the rest.
    const { validateTree } = await import('@plane/declarations');
    const git = new GitSource({ url: repo.remote, branch: 'main', cacheDir });
    await git.fetch();
    const files = await git.listTree(c2, 'platform-config');
    const blobs = await git.readBlobs(files.map((f) => f.blob));
    const tree = validateTree(files.map((f) => ({ path: f.path, content: blobs.get(f.blob)! })));
    const known = await loadKnownState(plane, 'platform');
    await resolveUnknownSubjects(plane, known, tree.declarations.map((d) => `${d.kind}/${d.name}`));
    const plan = planSync({ known, source: { url: repo.remote, branch: 'main', path: 'platform-config' }, commit: c2, declarations: tree.declarations, errors: [], warnings: [], now: new Date(), recorder: 'crashed' });
    if (plan.kind !== 'apply') throw new Error('expected a plan');
    expect(plan.steps.length).toBe(2);
    await publishEvent(plane.js, plan.steps[0]!.subject, plan.steps[0]!.event, { expectLastSubjectSequence: plan.steps[0]!.expectLastSubjectSequence! });
    // Readers still see the last complete commit.
    expect((await readDesiredSnapshot(kv)).syncs[0]!.commit).toBe(r1.commit);

    const r2 = await newSyncer('platform').sync();
    expect(r2.outcome).toBe('applied');
    expect(r2.recorded.map((r) => r.subject)).toEqual(['decl.region.us', 'decl.sync.platform']);
    await projection.waitFor(r2.seq!);
    const snap = await readDesiredSnapshot(kv);
    expect(snap.syncs[0]!.commit).toBe(c2);
    expect(JSON.stringify(snap.declarations.find((d) => d.kind === 'gtm')!.spec)).toContain('"weight":70');
    const gtmEvents = (await allEvents()).filter((e) => e.subject === 'decl.gtm.svc-plus');
    expect(gtmEvents.length).toBe(2);
  });

  it('follows a force-pushed branch: the declared world is the tree at the new head', async () => {
    const syncer = newSyncer('platform');
    const c1 = repo.commit(BASE);
    await syncer.sync();
    repo.commit({ 'platform-config/regions/us.yaml': region('us') });
    await syncer.sync();
    repo.forcePush(c1);
    const r = await syncer.sync();
    expect(r.outcome).toBe('applied');
    expect(r.commit).toBe(c1);
    expect(r.removed).toEqual(['region/us']);
    await projection.waitFor(r.seq!);
    const snap = await readDesiredSnapshot(kv);
    expect(snap.declarations.map((d) => d.name)).not.toContain('us');
  });

  it('the desired bucket rebuilt from the stream equals the live one', async () => {
    const syncer = newSyncer('platform');
    repo.commit(BASE);
    await syncer.sync();
    repo.commit({ 'platform-config/regions/us.yaml': region('us'), 'platform-config/autoscale/svc-plus.yaml': null });
    await syncer.sync();
    repo.commit({ 'platform-config/gtm/svc-plus.yaml': 'version: 1\nservice: svc-plus\nnope: 1\n' });
    await syncer.sync();
    const last = await syncer.sync();
    const info = await plane.jsm.streams.info(STREAMS.declarations.name);
    await projection.waitFor(info.state.last_seq);
    void last;
    const live = await readBucket(kv);
    await projection.stop();
    await deleteBucket(plane.jsm, 'desired');
    projection = await runProjection(plane.nc, plane.js, plane.jsm, desiredProjection);
    await projection.caughtUp;
    const rebuilt = await readBucket(await new Kvm(plane.nc).open('desired'));
    expect(rebuilt).toEqual(live);
    expect([...rebuilt.keys()].sort()).toEqual(['_position', 'gtm.svc-plus', 'region.jp', 'region.sg', 'region.us', 'rejected.platform', 'sync.platform']);
  });
});
