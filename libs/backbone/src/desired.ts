// The `desired` projection: declarations in force. A declaration event waits in memory until its
// commit's SyncCompleted (the commit point) lists it, so no reader ever sees half a commit.
import type { KV } from '@nats-io/kv';
import {
  desiredKey,
  type DeclarationAppliedData,
  type DeclarationKind,
  type DeclarationManifest,
  type DeclarationStreamEvent,
  type LocatedError,
} from '@plane/events';
import { BUCKETS, STREAMS } from './topology.js';
import type { KvOp, ProjectionDefinition } from './projection.js';
import type { StoredEvent } from './publish.js';

export interface DesiredDeclaration<Spec = unknown> {
  kind: DeclarationKind;
  name: string;
  file: string;
  repo: string;
  /** The commit that brought this version. */
  commit: string;
  /** Stream sequence of the DeclarationApplied event: the declaration's version. */
  version: number;
  digest: string;
  spec: Spec;
}

export interface DesiredSync {
  repo: string;
  url: string;
  branch: string;
  path: string;
  commit: string;
  seq: number;
  time: string;
  declarations: DeclarationManifest;
}

export interface DesiredRejection {
  repo: string;
  commit: string;
  seq: number;
  time: string;
  last_good_commit: string | null;
  error_count: number;
  errors: LocatedError[];
}

interface Pending {
  seq: number;
  event: DeclarationStreamEvent;
}

export interface DesiredState {
  /** manifest key (`kind/name`) -> version and owning repo, as the bucket holds them. */
  committed: Map<string, { version: number; repo: string }>;
  /** manifest key -> the latest declaration event not yet committed. */
  pending: Map<string, Pending>;
}

export function manifestKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

function bucketKeyOfManifestKey(key: string): string {
  const [kind, name] = key.split('/') as [DeclarationKind, string];
  return desiredKey(kind, name);
}

export function initDesired(entries: Map<string, unknown>): DesiredState {
  const committed = new Map<string, { version: number; repo: string }>();
  for (const [key, value] of entries) {
    if (key.startsWith('sync.') || key.startsWith('rejected.')) continue;
    const d = value as DesiredDeclaration;
    committed.set(manifestKey(d.kind, d.name), { version: d.version, repo: d.repo });
  }
  return { committed, pending: new Map() };
}

/** evolve: one stored event -> the bucket writes it causes (pure apart from the state it folds). */
export function applyDesired(state: DesiredState, stored: StoredEvent): KvOp[] {
  const event = stored.event as DeclarationStreamEvent;
  switch (event.type) {
    case 'DeclarationApplied':
    case 'DeclarationRemoved':
      state.pending.set(manifestKey(event.data.kind, event.data.name), { seq: stored.seq, event });
      return [];
    case 'SyncCompleted': {
      const d = event.data;
      const ops: KvOp[] = [];
      for (const [key, { version }] of Object.entries(d.declarations)) {
        if (state.committed.get(key)?.version === version) continue;
        const p = state.pending.get(key);
        if (!p || p.seq !== version || p.event.type !== 'DeclarationApplied') {
          throw new Error(`desired: commit ${d.commit} lists ${key} at version ${version}, but that event was not seen (stream truncated?)`);
        }
        const a: DeclarationAppliedData = p.event.data;
        const value: DesiredDeclaration = { kind: a.kind, name: a.name, file: a.file, repo: a.repo, commit: a.commit, version, digest: a.digest, spec: a.spec };
        ops.push({ op: 'put', key: bucketKeyOfManifestKey(key), value });
        state.committed.set(key, { version, repo: a.repo });
      }
      for (const [key, c] of [...state.committed]) {
        if (c.repo === d.repo && !(key in d.declarations)) {
          ops.push({ op: 'delete', key: bucketKeyOfManifestKey(key) });
          state.committed.delete(key);
        }
      }
      for (const [key, p] of [...state.pending]) if (p.seq < stored.seq) state.pending.delete(key);
      const sync: DesiredSync = { repo: d.repo, url: d.url, branch: d.branch, path: d.path, commit: d.commit, seq: stored.seq, time: event.time, declarations: d.declarations };
      ops.push({ op: 'put', key: `sync.${d.repo}`, value: sync });
      return ops;
    }
    case 'SyncRejected': {
      const d = event.data;
      const value: DesiredRejection = {
        repo: d.repo,
        commit: d.commit,
        seq: stored.seq,
        time: event.time,
        last_good_commit: d.last_good_commit,
        error_count: d.errors.length,
        errors: d.errors.slice(0, 100),
      };
      return [{ op: 'put', key: `rejected.${d.repo}`, value }];
    }
    default: {
      const never: never = event;
      void never;
      return [];
    }
  }
}

export function desiredSafePosition(state: DesiredState, lastApplied: number): number {
  let min = Infinity;
  for (const p of state.pending.values()) min = Math.min(min, p.seq);
  return min === Infinity ? lastApplied : min - 1;
}

export const desiredProjection: ProjectionDefinition<DesiredState> = {
  name: 'desired',
  stream: STREAMS.declarations.name,
  filter: 'decl.>',
  bucket: BUCKETS.desired,
  init: initDesired,
  apply: applyDesired,
  safePosition: desiredSafePosition,
};

export interface DesiredSnapshot {
  syncs: DesiredSync[];
  declarations: DesiredDeclaration[];
}

const decoder = new TextDecoder();

async function getJson<T>(kv: KV, key: string): Promise<T | undefined> {
  const e = await kv.get(key);
  if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
  return JSON.parse(decoder.decode(e.value)) as T;
}

/**
 * Reads the declarations in force as one consistent commit per repository: every declaration's
 * version must match its commit's manifest; while the projection is between two commits the read
 * is retried.
 */
export async function readDesiredSnapshot(kv: KV, attempts = 50): Promise<DesiredSnapshot> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const keys: string[] = [];
    for await (const k of await kv.keys('sync.*')) keys.push(k);
    const syncs = (await Promise.all(keys.sort().map((k) => getJson<DesiredSync>(kv, k)))).filter((s): s is DesiredSync => s !== undefined);
    const wanted = syncs.flatMap((s) => Object.entries(s.declarations).map(([key, v]) => ({ key, version: v.version })));
    const values = await Promise.all(wanted.map((w) => getJson<DesiredDeclaration>(kv, bucketKeyOfManifestKey(w.key))));
    const consistent = values.every((v, i) => v !== undefined && v.version === wanted[i]!.version);
    if (consistent) {
      const declarations = (values as DesiredDeclaration[]).sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
      return { syncs, declarations };
    }
    await new Promise((r) => setTimeout(r, 20 + attempt * 10));
  }
  throw new Error('desired: no consistent snapshot (the projection kept changing); try again');
}

/**
 * Keeps the latest consistent snapshot of the `desired` bucket: re-read (debounced) whenever the
 * bucket changes. Readers call `current()`; `onChange` hears each new snapshot.
 */
export class DesiredWatcher {
  private snapshot: DesiredSnapshot = { syncs: [], declarations: [] };
  private stopped = false;
  private watchStop: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loaded!: Promise<void>;
  private listeners: ((s: DesiredSnapshot) => void)[] = [];

  constructor(private readonly kv: KV, private readonly debounceMs = 50) {}

  async start(): Promise<void> {
    this.snapshot = await readDesiredSnapshot(this.kv);
    this.loaded = Promise.resolve();
    const iter = await this.kv.watch({ key: 'sync.*', include: 'updates' });
    this.watchStop = () => iter.stop();
    void (async () => {
      for await (const _ of iter) {
        void _;
        if (this.stopped) break;
        this.schedule();
      }
    })();
    await this.loaded;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      readDesiredSnapshot(this.kv).then(
        (s) => {
          this.snapshot = s;
          for (const l of this.listeners) l(s);
        },
        () => this.schedule(),
      );
    }, this.debounceMs);
  }

  current(): DesiredSnapshot {
    return this.snapshot;
  }

  onChange(listener: (s: DesiredSnapshot) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.watchStop?.();
  }
}

/** The declarations of one kind in a snapshot, by name. */
export function declarationsOf<Spec>(snapshot: DesiredSnapshot, kind: DeclarationKind): Map<string, DesiredDeclaration<Spec>> {
  return new Map(snapshot.declarations.filter((d) => d.kind === kind).map((d) => [d.name, d as DesiredDeclaration<Spec>]));
}
