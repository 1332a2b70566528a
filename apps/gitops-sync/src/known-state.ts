// What the DECLARATIONS stream already holds for one repository: the commit point in force, the
// last rejection, and the latest event on every declaration subject (an interrupted sync included).
import { lastEventOn, readStream, STREAMS, type Plane } from '@plane/backbone';
import { subjects, type DeclarationKind, type DeclarationStreamEvent, type SyncCompleted, type SyncRejected } from '@plane/events';
import type { KnownState, LatestDeclaration } from './plan.js';

const STREAM = STREAMS.declarations.name;

export async function loadKnownState(plane: Plane, repo: string): Promise<KnownState> {
  const [completed, rejected] = await Promise.all([
    lastEventOn(plane.jsm, STREAM, subjects.sync(repo)),
    lastEventOn(plane.jsm, STREAM, subjects.rejected(repo)),
  ]);
  const known: KnownState = { repo, latest: new Map() };
  if (completed) {
    const d = (completed.event as SyncCompleted).data;
    known.lastCompleted = { seq: completed.seq, commit: d.commit, declarations: d.declarations };
    for (const [k, v] of Object.entries(d.declarations)) known.latest.set(k, { seq: v.version, digest: v.digest, file: v.file });
  }
  if (rejected) known.lastRejected = { seq: rejected.seq, commit: (rejected.event as SyncRejected).data.commit };
  // Events recorded after the commit point: an interrupted sync (or another writer) left them.
  for await (const s of readStream(plane.js, plane.jsm, { stream: STREAM, filter: 'decl.>', fromSeq: (completed?.seq ?? 0) + 1 })) {
    const e = s.event as DeclarationStreamEvent;
    if (e.type === 'DeclarationApplied' && e.data.repo === repo) known.latest.set(`${e.data.kind}/${e.data.name}`, { seq: s.seq, digest: e.data.digest, file: e.data.file });
    if (e.type === 'DeclarationRemoved' && e.data.repo === repo) known.latest.set(`${e.data.kind}/${e.data.name}`, { seq: s.seq, digest: null, file: e.data.file });
  }
  return known;
}

/**
 * Fills in the latest event of declaration subjects the commit point does not list (a declaration
 * removed long ago and now added again), so every event id and concurrency check is exact.
 */
export async function resolveUnknownSubjects(plane: Plane, known: KnownState, keys: string[]): Promise<void> {
  const unknown = keys.filter((k) => !known.latest.has(k));
  const BATCH = 256;
  for (let i = 0; i < unknown.length; i += BATCH) {
    const slice = unknown.slice(i, i + BATCH);
    const found = await Promise.all(
      slice.map((k) => {
        const [kind, name] = k.split('/') as [DeclarationKind, string];
        return lastEventOn(plane.jsm, STREAM, subjects.declaration(kind, name));
      }),
    );
    found.forEach((s, j) => {
      if (!s) return;
      const e = s.event as DeclarationStreamEvent;
      const latest: LatestDeclaration =
        e.type === 'DeclarationApplied' ? { seq: s.seq, digest: e.data.digest, file: e.data.file } : { seq: s.seq, digest: null, file: e.type === 'DeclarationRemoved' ? e.data.file : '' };
      known.latest.set(slice[j]!, latest);
    });
  }
}
