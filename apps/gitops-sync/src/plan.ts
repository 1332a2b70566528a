// The pure part of a sync: what the stream already holds + a validated tree -> the events to record.
import {
  envelope,
  subjects,
  type DeclarationApplied,
  type DeclarationKind,
  type DeclarationManifest,
  type DeclarationRemoved,
  type LocatedError,
  type SyncCompleted,
  type SyncRejected,
} from '@plane/events';

export interface TreeDeclaration {
  kind: DeclarationKind;
  name: string;
  file: string;
  digest: string;
  spec: unknown;
}

/** The latest event on one declaration subject, committed or not. */
export interface LatestDeclaration {
  seq: number;
  /** null: the last event removed it. */
  digest: string | null;
  file: string;
}

export interface KnownState {
  repo: string;
  /** Last SyncCompleted of this repo: the commit in force and its manifest. */
  lastCompleted?: { seq: number; commit: string; declarations: DeclarationManifest };
  /** Last SyncRejected of this repo. */
  lastRejected?: { seq: number; commit: string };
  /** manifest key -> the latest event on its subject (includes events of an interrupted sync). */
  latest: Map<string, LatestDeclaration>;
}

export interface SyncSource {
  url: string;
  branch: string;
  path: string;
}

export interface DeclarationStep {
  key: string;
  subject: string;
  event: DeclarationApplied | DeclarationRemoved;
  /** Optimistic concurrency: the sequence the subject must still end at (undefined: look it up). */
  expectLastSubjectSequence: number | undefined;
  digest: string | null;
}

export type SyncPlan =
  | { kind: 'unchanged'; commit: string; reason: string }
  | { kind: 'reject'; subject: string; event: SyncRejected; expectLastSubjectSequence: number }
  | {
      kind: 'apply';
      steps: DeclarationStep[];
      /** Builds the commit point once every step has its stream sequence. */
      complete(versions: Map<string, number>): { subject: string; event: SyncCompleted; expectLastSubjectSequence: number };
      added: string[];
      changed: string[];
      removed: string[];
    };

export function lastProcessedCommit(known: KnownState): string | undefined {
  const c = known.lastCompleted;
  const r = known.lastRejected;
  if (c && r) return c.seq > r.seq ? c.commit : r.commit;
  return c?.commit ?? r?.commit;
}

export interface PlanInput {
  known: KnownState;
  source: SyncSource;
  commit: string;
  declarations: TreeDeclaration[];
  errors: LocatedError[];
  warnings: LocatedError[];
  now: Date;
  recorder: string;
}

export function planSync(input: PlanInput): SyncPlan {
  const { known, source, commit, now, recorder } = input;
  const repo = known.repo;
  if (lastProcessedCommit(known) === commit) {
    return { kind: 'unchanged', commit, reason: `commit ${commit.slice(0, 12)} was already ${known.lastRejected?.commit === commit && (known.lastCompleted?.seq ?? 0) < (known.lastRejected?.seq ?? 0) ? 'rejected' : 'synced'}` };
  }
  const lastGood = known.lastCompleted?.commit ?? null;
  if (input.errors.length > 0) {
    const prev = known.lastRejected?.seq ?? 0;
    const event: SyncRejected = envelope(
      'SyncRejected',
      `rejected:${repo}:${commit}:${prev}`,
      { repo, url: source.url, branch: source.branch, path: source.path, commit, last_good_commit: lastGood, errors: input.errors },
      recorder,
      now,
    );
    return { kind: 'reject', subject: subjects.rejected(repo), event, expectLastSubjectSequence: prev };
  }

  const committed = known.lastCompleted?.declarations ?? {};
  const steps: DeclarationStep[] = [];
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  const inTree = new Set<string>();
  for (const d of [...input.declarations].sort((a, b) => key(a).localeCompare(key(b)))) {
    const k = key(d);
    inTree.add(k);
    if (!committed[k]) added.push(k);
    else if (committed[k]!.digest !== d.digest) changed.push(k);
    const latest = known.latest.get(k);
    if (latest && latest.digest === d.digest) continue;
    const prevSeq = latest?.seq;
    const event: DeclarationApplied = envelope(
      'DeclarationApplied',
      `decl:${k}:${prevSeq ?? 'new'}:${d.digest.slice(0, 16)}`,
      { kind: d.kind, name: d.name, file: d.file, repo, commit, digest: d.digest, spec: d.spec },
      recorder,
      now,
    );
    steps.push({ key: k, subject: subjects.declaration(d.kind, d.name), event, expectLastSubjectSequence: prevSeq, digest: d.digest });
  }
  for (const [k, latest] of [...known.latest].sort(([a], [b]) => a.localeCompare(b))) {
    if (inTree.has(k)) continue;
    if (committed[k]) removed.push(k);
    if (latest.digest === null) continue;
    const [kind, name] = k.split('/') as [DeclarationKind, string];
    const event: DeclarationRemoved = envelope(
      'DeclarationRemoved',
      `decl:${k}:${latest.seq}:removed`,
      { kind, name, file: latest.file, repo, commit },
      recorder,
      now,
    );
    steps.push({ key: k, subject: subjects.declaration(kind, name), event, expectLastSubjectSequence: latest.seq, digest: null });
  }

  const complete = (versions: Map<string, number>) => {
    const manifest: DeclarationManifest = {};
    for (const d of input.declarations) {
      const k = key(d);
      const version = versions.get(k) ?? known.latest.get(k)?.seq;
      if (version === undefined) throw new Error(`sync: no version for ${k}`);
      manifest[k] = { version, digest: d.digest, file: d.file };
    }
    const prev = known.lastCompleted?.seq ?? 0;
    const event: SyncCompleted = envelope(
      'SyncCompleted',
      `sync:${repo}:${commit}:${prev}`,
      {
        repo,
        url: source.url,
        branch: source.branch,
        path: source.path,
        commit,
        previous_commit: lastGood,
        declarations: sortObject(manifest),
        added,
        changed,
        removed,
        warnings: input.warnings,
      },
      recorder,
      now,
    );
    return { subject: subjects.sync(repo), event, expectLastSubjectSequence: prev };
  };
  return { kind: 'apply', steps, complete, added, changed, removed };
}

function key(d: { kind: string; name: string }): string {
  return `${d.kind}/${d.name}`;
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
