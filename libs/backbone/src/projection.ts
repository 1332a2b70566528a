import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Bucket, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEvent } from '@plane/events';
import type { StoredEvent } from './publish.js';
import { followBucket, followStream } from './follow.js';
import { ensureBucket, type BucketDefinition } from './topology.js';

export type KvOp = { op: 'put'; key: string; value: unknown } | { op: 'delete'; key: string };

/**
 * A projection folds a stream into a KV bucket: `apply` is the pure evolve step (it may keep
 * in-memory state, such as events waiting for their commit point) and returns the bucket writes.
 */
export interface ProjectionDefinition<S> {
  name: string;
  stream: string;
  filter: string;
  bucket: BucketDefinition;
  /** Rebuilds the in-memory state from what the bucket holds now. */
  init(entries: Map<string, unknown>): S;
  apply(state: S, event: StoredEvent): KvOp[];
  /** The highest sequence up to which nothing is held in memory only: the resume point. */
  safePosition(state: S, lastApplied: number): number;
}

/** The key that records how far the bucket reflects the stream. */
export const POSITION_KEY = '_position';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Every key's current value (JSON), read by following the bucket's stream up to where it stood
 * when reading began: a NATS server going away makes it subscribe again, and the read fails after
 * `timeoutMs` rather than waiting forever (a `kv.keys()` listing can).
 */
export async function readBucket(kv: KV, timeoutMs = 30_000): Promise<Map<string, unknown>> {
  const entries = new Map<string, unknown>();
  let bad: unknown;
  const follower = await followBucket(kv, {
    from: 'last_per_subject',
    maxMessages: 1024,
    onEntry: (e) => {
      if (e.operation !== 'PUT' || e.value.length === 0) {
        entries.delete(e.key);
        return;
      }
      try {
        entries.set(e.key, JSON.parse(decoder.decode(e.value)));
      } catch (err) {
        bad ??= new Error(`bucket key ${e.key}: not JSON (${(err as Error).message})`);
      }
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      follower.caughtUp,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`bucket ${kv instanceof Bucket ? kv.bucket : ''} not read within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await follower.stop();
  }
  if (bad) throw bad;
  return entries;
}

export async function writeOps(kv: KV, ops: KvOp[]): Promise<void> {
  await Promise.all(ops.map((op) => (op.op === 'put' ? kv.put(op.key, encoder.encode(JSON.stringify(op.value))) : kv.delete(op.key))));
}

export interface RunningProjection {
  /** Resolves once the bucket reflects every event on the filter stored when the runner started. */
  caughtUp: Promise<void>;
  /** Last applied stream sequence. */
  position(): number;
  /** Resolves when the bucket reflects the stream at least up to seq. */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Events that could not be folded (they are skipped). */
  errors: unknown[];
}

export interface RunProjectionOptions {
  /** An event that could not be folded (skipped). */
  onError?: (err: unknown) => void;
  /** A transient failure the runner retries (a bucket write, the stream consumer): for the log. */
  onTrouble?: (message: string, err?: unknown) => void;
  onApplied?: (event: StoredEvent, ops: KvOp[]) => void;
  replicas?: number;
  /** See followStream. */
  stallMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs a projection: loads the bucket, resumes the stream from the bucket's recorded position and
 * keeps folding new events in. Deleting the bucket and starting again replays from the start and
 * rebuilds identical contents.
 *
 * Bucket writes that fail (a NATS server going away, a stream electing a new leader) are retried
 * until they succeed: an event is never skipped because its writes failed, and the stream is
 * followed again when its consumer stalls (followStream).
 */
export async function runProjection<S>(
  nc: NatsConnection,
  js: JetStreamClient,
  jsm: JetStreamManager,
  def: ProjectionDefinition<S>,
  opts: RunProjectionOptions = {},
): Promise<RunningProjection> {
  const kv = opts.replicas ? await ensureBucket(nc, def.bucket, opts.replicas) : await ensureBucket(nc, def.bucket);
  const entries = await readBucket(kv);
  const stored = entries.get(POSITION_KEY);
  entries.delete(POSITION_KEY);
  let position = typeof stored === 'number' ? stored : 0;
  let lastWrittenPosition = position;
  const state = def.init(entries);
  const errors: unknown[] = [];
  const waiters: { seq: number; resolve: () => void }[] = [];
  let stopped = false;

  const settle = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (position >= waiters[i]!.seq) {
        waiters[i]!.resolve();
        waiters.splice(i, 1);
      }
    }
  };

  /** Retries a bucket write that failed until it is stored (or the runner stops). */
  const retry = async (what: string, write: () => Promise<unknown>, first: unknown): Promise<void> => {
    let err = first;
    for (let attempt = 1; ; attempt++) {
      if (stopped) throw err;
      opts.onTrouble?.(`projection ${def.name}: ${what} failed (attempt ${attempt}, retried): ${err instanceof Error ? err.message : String(err)}`, err);
      await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
      try {
        await write();
        return;
      } catch (e) {
        err = e;
      }
    }
  };

  let sinceCheckpoint = 0;
  const follower = await followStream(js, jsm, {
    stream: def.stream,
    filter: def.filter,
    from: { seq: position + 1 },
    maxMessages: 1024,
    ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
    ...(opts.onTrouble ? { onTrouble: opts.onTrouble } : {}),
    onMessage: async (m) => {
      if (stopped) return;
      const seq = m.info.streamSequence;
      let applied: { ev: StoredEvent; ops: KvOp[] } | undefined;
      try {
        const event = decodeEvent(m.data);
        const ev: StoredEvent = { seq, subject: m.subject, event };
        applied = { ev, ops: def.apply(state, ev) };
      } catch (err) {
        errors.push(err);
        opts.onError?.(err);
      }
      if (applied) {
        const { ev, ops } = applied;
        // The first try is awaited directly, as before retries existed: a reader that sees this
        // write sees the position move with it (no extra turn in between).
        try {
          await writeOps(kv, ops);
        } catch (err) {
          await retry(`writing event ${seq}`, () => writeOps(kv, ops), err);
        }
        opts.onApplied?.(ev, ops);
      }
      position = seq;
      sinceCheckpoint++;
      if (m.info.pending === 0 || sinceCheckpoint >= 500) {
        sinceCheckpoint = 0;
        const safe = def.safePosition(state, position);
        if (safe !== lastWrittenPosition) {
          const write = () => kv.put(POSITION_KEY, encoder.encode(JSON.stringify(safe)));
          try {
            await write();
          } catch (err) {
            await retry(`writing ${POSITION_KEY} ${safe}`, write, err);
          }
          lastWrittenPosition = safe;
        }
      }
      settle();
    },
  });
  settle();

  return {
    caughtUp: follower.caughtUp,
    errors,
    position: () => position,
    waitFor(seq, timeoutMs = 30_000) {
      if (position >= seq) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`projection ${def.name} did not reach seq ${seq} within ${timeoutMs} ms (at ${position})`)), timeoutMs);
        waiters.push({ seq, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    async stop() {
      stopped = true;
      await follower.stop();
    },
  };
}
