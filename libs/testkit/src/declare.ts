// Puts declarations in force on a real NATS the way gitops-sync does (DeclarationApplied events,
// then the SyncCompleted commit point, folded by the real `desired` projection), for tests of
// the apps that read them.
import { createHash } from 'node:crypto';
import { desiredProjection, ensureStream, publishEvent, runProjection, STREAMS, lastEventOn, type Plane } from '@plane/backbone';
import { validateTree, formatError } from '@plane/declarations';
import { envelope, subjects, type DeclarationManifest } from '@plane/events';

let counter = 0;

/** Validates `files` (paths relative to platform-config/) and records them as one commit. Returns the commit point's sequence. */
export async function declareWorld(plane: Plane, files: Record<string, string>, repo = 'test'): Promise<number> {
  const result = validateTree(Object.entries(files).map(([path, content]) => ({ path, content })));
  if (result.errors.length > 0) throw new Error(`declareWorld: invalid declarations:\n${result.errors.map(formatError).join('\n')}`);
  await ensureStream(plane.jsm, STREAMS.declarations);
  const commit = createHash('sha1').update(`${Date.now()}:${counter++}:${JSON.stringify(files)}`).digest('hex');
  const manifest: DeclarationManifest = {};
  for (const d of result.declarations) {
    const subject = subjects.declaration(d.kind, d.name);
    const prev = await lastEventOn(plane.jsm, STREAMS.declarations.name, subject);
    const event = envelope('DeclarationApplied', `decl:${d.kind}/${d.name}:${prev?.seq ?? 'new'}:${d.digest.slice(0, 16)}:${commit}`, { kind: d.kind, name: d.name, file: d.file, repo, commit, digest: d.digest, spec: d.spec }, 'testkit');
    const pub = await publishEvent(plane.js, subject, event);
    manifest[`${d.kind}/${d.name}`] = { version: pub.seq, digest: d.digest, file: d.file };
  }
  const prevSync = await lastEventOn(plane.jsm, STREAMS.declarations.name, subjects.sync(repo));
  const done = envelope(
    'SyncCompleted',
    `sync:${repo}:${commit}:${prevSync?.seq ?? 0}`,
    { repo, url: 'test://declare-world', branch: 'main', path: 'platform-config', commit, previous_commit: null, declarations: manifest, added: Object.keys(manifest), changed: [], removed: [], warnings: [] },
    'testkit',
  );
  const pub = await publishEvent(plane.js, subjects.sync(repo), done);
  const projection = await runProjection(plane.nc, plane.js, plane.jsm, desiredProjection);
  await projection.waitFor(pub.seq);
  await projection.stop();
  return pub.seq;
}
