import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEvent } from '@plane/events';
import type { StoredEvent } from './publish.js';
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

export async function readBucket(kv: KV): Promise<Map<string, unknown>> {
  const entries = new Map<string, unknown>();
  const keys = await kv.keys();
  const names: string[] = [];
  for await (const k of keys) names.push(k);
  await Promise.all(
    names.map(async (k) => {
      const e = await kv.get(k);
      if (e && e.operation === 'PUT' && e.value.length > 0) entries.set(k, JSON.parse(decoder.decode(e.value)));
    }),
  );
  return entries;
}

export async function writeOps(kv: KV, ops: KvOp[]): Promise<void> {
  await Promise.all(ops.map((op) => (op.op === 'put' ? kv.put(op.key, encoder.encode(JSON.stringify(op.value))) : kv.delete(op.key))));
}

export interface RunningProjection {
  /** Resolves once the bucket reflects every event stored when the runner started. */
  caughtUp: Promise<void>;
  /** Last applied stream sequence. */
  position(): number;
  /** Resolves when the bucket reflects the stream at least up to seq. */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Failures of the loop (it keeps running where it can). */
  errors: unknown[];
}

export interface RunProjectionOptions {
  onError?: (err: unknown) => void;
  onApplied?: (event: StoredEvent, ops: KvOp[]) => void;
  replicas?: number;
}

/**
 * Runs a projection: loads the bucket, resumes the stream from the bucket's recorded position and
 * keeps folding new events in. Deleting the bucket and starting again replays from the start and
 * rebuilds identical contents.
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

  const streamInfo = await jsm.streams.info(def.stream);
  const target = streamInfo.state.last_seq;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
  const settle = () => {
    if (position >= target) markCaughtUp();
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (position >= waiters[i]!.seq) {
        waiters[i]!.resolve();
        waiters.splice(i, 1);
      }
    }
  };
  settle();

  const consumer = await js.consumers.get(def.stream, {
    filter_subjects: def.filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: position + 1,
  });
  const messages = await consumer.consume({ max_messages: 1024 });
  let sinceCheckpoint = 0;
  const loop = (async () => {
    for await (const m of messages) {
      if (stopped) break;
      const seq = m.info.streamSequence;
      try {
        const event = decodeEvent(m.data);
        const ev: StoredEvent = { seq, subject: m.subject, event };
        const ops = def.apply(state, ev);
        await writeOps(kv, ops);
        opts.onApplied?.(ev, ops);
      } catch (err) {
        errors.push(err);
        opts.onError?.(err);
      }
      position = seq;
      sinceCheckpoint++;
      if (m.info.pending === 0 || sinceCheckpoint >= 500) {
        sinceCheckpoint = 0;
        const safe = def.safePosition(state, position);
        if (safe !== lastWrittenPosition) {
          await kv.put(POSITION_KEY, encoder.encode(JSON.stringify(safe)));
          lastWrittenPosition = safe;
        }
      }
      settle();
    }
  })();

  return {
    caughtUp,
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
      messages.stop();
      await loop.catch(() => undefined);
      await consumer.delete().catch(() => undefined);
    },
  };
}
