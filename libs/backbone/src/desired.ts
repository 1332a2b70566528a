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
import { followBucket, within, type Follower } from './follow.js';
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
 * The declarations listed by these commit points, read from the bucket; undefined while the
 * projection is between two commits (a declaration's version differs from its manifest).
 */
export async function readDeclarationsOf(kv: KV, syncs: DesiredSync[]): Promise<DesiredSnapshot | undefined> {
  const wanted = syncs.flatMap((s) => Object.entries(s.declarations).map(([key, v]) => ({ key, version: v.version })));
  const values = await Promise.all(wanted.map((w) => getJson<DesiredDeclaration>(kv, bucketKeyOfManifestKey(w.key))));
  if (!values.every((v, i) => v !== undefined && v.version === wanted[i]!.version)) return undefined;
  const declarations = (values as DesiredDeclaration[]).sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
  return { syncs: [...syncs].sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0)), declarations };
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
    const snapshot = await readDeclarationsOf(kv, syncs);
    if (snapshot) return snapshot;
    await new Promise((r) => setTimeout(r, 20 + attempt * 10));
  }
  throw new Error('desired: no consistent snapshot (the projection kept changing); try again');
}

export interface DesiredWatcherOptions {
  /** A transient failure it retries (a re-read, the watch): for the caller's log. */
  onTrouble?: (message: string, err?: unknown) => void;
  /** See followStream. */
  stallMs?: number;
  /** The commit points must be loaded within this at start. Default 30 s. */
  loadTimeoutMs?: number;
}

/**
 * Keeps the latest consistent snapshot of the `desired` bucket. It follows the commit points
 * (`sync.<repo>`, each with the manifest of its declarations) itself, and on each change reads the
 * declarations they list (debounced). Readers call `current()`; `onChange` hears each new snapshot.
 *
 * Every NATS call it makes is bounded (gets, and a follower that subscribes again after a NATS
 * server goes away, see followBucket); a failed read is reported and retried with backoff, so a
 * change is never left unread.
 */
export class DesiredWatcher {
  private snapshot: DesiredSnapshot = { syncs: [], declarations: [] };
  private stopped = false;
  private follower: Follower | undefined;
  /** bucket key (`sync.<repo>`) -> the commit point it holds. */
  private readonly syncs = new Map<string, DesiredSync>();
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private failures = 0;
  private listeners: ((s: DesiredSnapshot) => void)[] = [];

  constructor(
    private readonly kv: KV,
    private readonly debounceMs = 50,
    private readonly opts: DesiredWatcherOptions = {},
  ) {}

  async start(): Promise<void> {
    const follower = await followBucket(this.kv, {
      key: 'sync.*',
      from: 'last_per_subject',
      onEntry: (e) => {
        let sync: DesiredSync | undefined;
        if (e.operation === 'PUT' && e.value.length > 0) {
          try {
            sync = JSON.parse(decoder.decode(e.value)) as DesiredSync;
          } catch {
            sync = undefined;
          }
        }
        if (sync) this.syncs.set(e.key, sync);
        else this.syncs.delete(e.key);
        if (this.loaded) this.schedule();
      },
      // A new subscription may have missed nothing, but a re-read is cheap and settles any doubt.
      onResubscribed: () => this.schedule(),
      ...(this.opts.onTrouble ? { onTrouble: this.opts.onTrouble } : {}),
      ...(this.opts.stallMs !== undefined ? { stallMs: this.opts.stallMs } : {}),
    });
    this.follower = follower;
    try {
      await within(follower.caughtUp, this.opts.loadTimeoutMs ?? 30_000, 'desired: loading the commit points');
      this.snapshot = await this.read();
      this.loaded = true;
    } catch (err) {
      await follower.stop();
      throw err;
    }
    if (this.stopped) await follower.stop();
  }

  /** The declarations of the commit points followed; while the projection is between two commits, the commit points are read again. */
  private async read(): Promise<DesiredSnapshot> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const snapshot = await readDeclarationsOf(this.kv, [...this.syncs.values()]);
      if (snapshot) return snapshot;
      // A newer commit may be under way: take its commit points straight from the bucket.
      for (const key of [...this.syncs.keys()]) {
        const sync = await getJson<DesiredSync>(this.kv, key);
        if (sync && sync.seq > (this.syncs.get(key)?.seq ?? 0)) this.syncs.set(key, sync);
      }
      await new Promise((r) => setTimeout(r, 20 + attempt * 10));
    }
    throw new Error('desired: no consistent snapshot (the projection kept changing); try again');
  }

  private schedule(delayMs = this.debounceMs): void {
    if (this.stopped || !this.loaded) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reading = true;
      this.again = false;
      this.read().then(
        (s) => {
          this.reading = false;
          this.failures = 0;
          this.snapshot = s;
          for (const l of this.listeners) l(s);
          if (this.again) this.schedule();
        },
        (err: unknown) => {
          this.reading = false;
          this.failures++;
          this.opts.onTrouble?.(`desired: reading the declarations in force failed (attempt ${this.failures}, retried): ${err instanceof Error ? err.message : String(err)}`, err);
          this.schedule(Math.min(5000, this.debounceMs * 2 ** Math.min(this.failures, 7)));
        },
      );
    }, delayMs);
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
    void this.follower?.stop();
  }
}

/** The declarations of one kind in a snapshot, by name. */
export function declarationsOf<Spec>(snapshot: DesiredSnapshot, kind: DeclarationKind): Map<string, DesiredDeclaration<Spec>> {
  return new Map(snapshot.declarations.filter((d) => d.kind === kind).map((d) => [d.name, d as DesiredDeclaration<Spec>]));
}
