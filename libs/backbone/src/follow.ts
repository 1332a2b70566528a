// Following a stream (or a KV bucket) so that it survives a NATS server dying under it.
//
// The client's ordered consumers live on one server. When that server dies, or when a stream
// elects a new leader, the client library notices only after missed heartbeats (15 to 60 s, and
// then its own retries), and a consumer that fails for good ends its iterator quietly. A reader
// that must not fall behind therefore watches for itself: when nothing arrived for `stallMs`
// while the stream holds newer messages on the filter, or when the iterator ended, it subscribes
// again from the sequence after the last message it handled. Each such trouble is reported
// through `onTrouble` (the caller logs it) and retried until `stop()`; nothing stalls silently.
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { Bucket, type KV } from '@nats-io/kv';
import { messageOf, Resubscribing, startedOrStopped, STEP_MS, within } from './resubscribe.js';

export { within } from './resubscribe.js';

/** Where a follower starts: a stream sequence, a time, the last message of each subject, or only new messages. */
export type FollowFrom = { seq: number } | { time: Date } | 'last_per_subject' | 'new';

export interface FollowOptions {
  stream: string;
  /** One subject filter (2.9 takes one). */
  filter: string;
  from: FollowFrom;
  /** Called once per message, in stream order; the next waits for it. A throw is reported and the message counts as handled. */
  onMessage(m: JsMsg): void | Promise<void>;
  /** Trouble the follower works around (it keeps going): for the caller's log. */
  onTrouble?(message: string, err?: unknown): void;
  /** Called each time it subscribes again after trouble. */
  onResubscribed?(fromSeq: number): void;
  /** Nothing for this long while the stream has newer messages on the filter: subscribe again. Default 5 s. */
  stallMs?: number;
  /** How often the watchdog looks. Default 1 s. */
  checkMs?: number;
  maxMessages?: number;
}

export interface Follower {
  /** The stream sequence of the last message handled (or the sequence before the start). */
  position(): number;
  /** The last sequence on the filter when following began (0: none). */
  readonly target: number;
  /** Resolves once every message on the filter at start (from the start point) is handled. */
  readonly caughtUp: Promise<void>;
  /** Times it subscribed again after trouble. */
  resubscriptions(): number;
  stop(): Promise<void>;
}

/** The stream sequence of the last message on a subject filter (wildcards allowed); 0 when there is none. */
export async function lastSeqOn(jsm: JetStreamManager, stream: string, filter: string): Promise<number> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: filter });
    return m ? m.seq : 0;
  } catch (err) {
    const e = err as { api_error?: { err_code?: number }; message?: string };
    if (e?.api_error?.err_code === 10037 || /no message found/i.test(e?.message ?? '')) return 0;
    throw err;
  }
}

/** How many messages on `filter` lie beyond `position`, a reader's last sequence handled (for lag metrics). */
export async function lagBehind(jsm: JetStreamManager, stream: string, filter: string, position: number): Promise<number> {
  return Math.max(0, (await lastSeqOn(jsm, stream, filter)) - position);
}

class StreamFollower extends Resubscribing implements Follower {
  private pos = 0;
  private started = false;
  private consumer: { delete(): Promise<boolean> } | undefined;
  target = 0;
  private markCaughtUp!: () => void;
  readonly caughtUp = new Promise<void>((r) => (this.markCaughtUp = r));

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: FollowOptions,
  ) {
    super();
  }

  position(): number {
    return this.pos;
  }

  async start(): Promise<void> {
    this.target = await lastSeqOn(this.jsm, this.opts.stream, this.opts.filter);
    const from = this.opts.from;
    if (typeof from === 'object' && 'seq' in from && from.seq > this.target) this.markCaughtUp();
    await this.subscribeWithin(`subscribing to ${this.opts.stream} ${this.opts.filter}`);
    this.watch(this.opts.checkMs ?? 1000);
  }

  private startOptions(): Partial<OrderedConsumerOptions> {
    const from = this.opts.from;
    if (this.started || (typeof from === 'object' && 'seq' in from)) {
      const seq = this.started ? this.pos + 1 : Math.max(1, (from as { seq: number }).seq);
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq };
    }
    if (from === 'new') return { deliver_policy: DeliverPolicy.New };
    if (from === 'last_per_subject') return { deliver_policy: DeliverPolicy.LastPerSubject };
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
  }

  private settle(): void {
    if (this.pos >= this.target) this.markCaughtUp();
  }

  protected trouble(message: string, err?: unknown): void {
    this.opts.onTrouble?.(`${this.opts.stream} ${this.opts.filter}: ${message}`, err);
  }

  protected stallMs(): number {
    return this.opts.stallMs ?? 5000;
  }

  protected async subscribe(): Promise<void> {
    const attempt = ++this.attempt;
    const consumer = await this.js.consumers.get(this.opts.stream, { filter_subjects: this.opts.filter, ...this.startOptions() });
    if (!this.started) {
      // The sequence before the first one it will deliver (a time or `new` start skips the
      // older messages: they must not look like a backlog to the watchdog).
      const info = await consumer.info(true);
      if (this.opts.from !== 'last_per_subject') this.pos = Math.max(this.pos, info.delivered.stream_seq);
      this.settle();
    }
    const messages = await consumer.consume({ max_messages: this.opts.maxMessages ?? 256 });
    this.adopt(attempt, messages, () => void consumer.delete().catch(() => undefined));
    this.consumer = consumer;
    this.started = true;
    this.loop = (async () => {
      try {
        for await (const m of messages) {
          // A subscription replaced by a newer one hands nothing on (the newer one delivers it).
          if (this.stopped || this.messages !== messages) break;
          const seq = m.info.streamSequence;
          if (seq <= this.pos) continue; // already handled (a consumer recreated by the library)
          this.handling = true;
          try {
            await this.opts.onMessage(m);
          } catch (err) {
            this.trouble(`message ${seq} not handled: ${messageOf(err)}`, err);
          } finally {
            this.handling = false;
          }
          this.pos = seq;
          this.lastActivity = Date.now();
          this.settle();
        }
      } catch (err) {
        if (!this.stopped) this.trouble(`consumer failed at ${this.pos}: ${messageOf(err)}`, err);
      }
      if (!this.stopped && this.messages === messages) this.ended = true;
    })();
  }

  protected async diagnose(): Promise<boolean> {
    if (this.ended) {
      this.trouble(`consumer ended at ${this.pos}; subscribing again`);
      return true;
    }
    const last = await within(lastSeqOn(this.jsm, this.opts.stream, this.opts.filter), STEP_MS, 'reading the last sequence');
    if (last <= this.pos) {
      // Idle, not stalled: look again after another stallMs.
      this.lastActivity = Date.now();
      return false;
    }
    this.trouble(`nothing received for ${Date.now() - this.lastActivity} ms while the stream is at ${last} and this reader at ${this.pos}; subscribing again`);
    return true;
  }

  protected override resubscribed(): void {
    this.opts.onResubscribed?.(this.pos + 1);
  }

  /** Also removes the ordered consumer from the server (best effort: one left behind expires by itself). */
  protected override release(): void {
    const consumer = this.consumer;
    this.consumer = undefined;
    super.release();
    void consumer?.delete().catch(() => undefined);
  }
}

/**
 * Follows `filter` on `stream` from `from`, handing each message to `onMessage` in order, and
 * subscribes again by itself after trouble (see the top of this file). Throws when the first
 * subscription cannot be made (the caller retries its start).
 */
export function followStream(js: JetStreamClient, jsm: JetStreamManager, opts: FollowOptions): Promise<Follower> {
  return startedOrStopped(new StreamFollower(js, jsm, opts));
}

export interface BucketEntry {
  key: string;
  operation: 'PUT' | 'DEL' | 'PURGE';
  value: Uint8Array;
  revision: number;
}

export interface FollowBucketOptions extends Omit<FollowOptions, 'stream' | 'filter' | 'onMessage' | 'from'> {
  /** Keys to follow (KV wildcards); default every key. */
  key?: string;
  /** `last_per_subject` (default): the current value of each key, then every change; `new`: changes only. */
  from?: FollowFrom;
  onEntry(e: BucketEntry): void | Promise<void>;
}

/** A KV watch that recovers like `followStream` (a KV bucket is a stream: `$KV.<bucket>.<key>`). */
export async function followBucket(kv: KV, opts: FollowBucketOptions): Promise<Follower> {
  if (!(kv instanceof Bucket)) throw new Error('followBucket: a bucket opened through @nats-io/kv is needed');
  const prefix = `${kv.prefix}.`;
  const { key, onEntry, from, ...rest } = opts;
  return followStream(kv.js, kv.jsm, {
    ...rest,
    stream: kv.stream,
    filter: `${prefix}${key ?? '>'}`,
    from: from ?? 'last_per_subject',
    onMessage: (m) => {
      const op = m.headers?.get('KV-Operation');
      return onEntry({ key: m.subject.slice(prefix.length), operation: op === 'DEL' || op === 'PURGE' ? op : 'PUT', value: m.data, revision: m.info.streamSequence });
    },
  });
}
