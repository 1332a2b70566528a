// A durable consumer on a work-queue stream (COMMANDS), one message at a time, that survives a
// NATS server dying under it.
//
// The client's pull requests die with the server they were routed through, and the client
// library notices only after missed heartbeats and its own retries; an iterator that fails for
// good ends quietly. So the runner watches for itself: when its subscription ended, or when
// messages wait on the consumer with none in flight and none delivered for a while, it consumes
// again (creating the consumer again when it is gone). Each such trouble is reported through
// `onTrouble` and retried until `stop()`; nothing stalls silently.
import type { ConsumerInfo, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { messageOf, Resubscribing, startedOrStopped, STEP_MS, within } from './resubscribe.js';
import { isNotFound } from './topology.js';

export interface WorkQueueOptions {
  stream: string;
  durable: string;
  /** Creates the durable consumer or brings its settings up to date (at start, and before each new subscription). */
  ensure(): Promise<void>;
  /** Handles one message and settles it (ack, nak, term); the next waits for it. A throw is reported; the message is then redelivered after its ack wait. */
  handle(m: JsMsg): Promise<void>;
  onTrouble?(message: string, err?: unknown): void;
  /** Nothing delivered for this long while messages wait and none is in flight: consume again. Default 10 s. */
  stallMs?: number;
  /** How often that is checked. Default 2 s. */
  checkMs?: number;
}

export interface WorkQueueRunner {
  /** Times it consumed again after trouble. */
  resubscriptions(): number;
  stop(): Promise<void>;
}

class Runner extends Resubscribing implements WorkQueueRunner {
  /** When a check first saw messages waiting with none delivered (0: not seen). */
  private waitingSince = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: WorkQueueOptions,
  ) {
    super();
  }

  protected trouble(message: string, err?: unknown): void {
    this.opts.onTrouble?.(`${this.opts.stream} ${this.opts.durable}: ${message}`, err);
  }

  protected stallMs(): number {
    return this.opts.stallMs ?? 10_000;
  }

  async start(): Promise<void> {
    await this.opts.ensure();
    await this.subscribe();
    this.watch(this.opts.checkMs ?? 2000);
  }

  protected async subscribe(): Promise<void> {
    const attempt = ++this.attempt;
    const consumer = await this.js.consumers.get(this.opts.stream, this.opts.durable);
    const messages = await consumer.consume({ max_messages: 1 });
    this.adopt(attempt, messages);
    this.loop = (async () => {
      try {
        for await (const m of messages) {
          // A subscription replaced by a newer one takes nothing more: handed back at once.
          if (this.stopped || this.messages !== messages) {
            m.nak();
            break;
          }
          this.handling = true;
          this.lastActivity = Date.now();
          this.waitingSince = 0;
          try {
            await this.opts.handle(m);
          } catch (err) {
            this.trouble(`message ${m.info.streamSequence} (${m.subject}) not settled; it is redelivered after the ack wait: ${messageOf(err)}`, err);
          } finally {
            this.handling = false;
            this.lastActivity = Date.now();
          }
        }
      } catch (err) {
        if (!this.stopped) this.trouble(`consumer failed: ${messageOf(err)}`, err);
      }
      if (!this.stopped && this.messages === messages) this.ended = true;
    })();
  }

  protected async diagnose(): Promise<boolean> {
    if (this.ended) {
      this.trouble('consumer ended; consuming again');
    } else {
      let info: ConsumerInfo | undefined;
      try {
        info = await within(this.jsm.consumers.info(this.opts.stream, this.opts.durable), STEP_MS, 'reading the consumer');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (info === undefined) {
        this.trouble('consumer gone; creating it again and consuming');
      } else {
        if (info.num_pending === 0 || info.num_ack_pending > 0) {
          // Nothing waiting, or a message in flight (here or at another replica): not stalled.
          this.lastActivity = Date.now();
          this.waitingSince = 0;
          return false;
        }
        // A message that has just arrived is about to be delivered: act only when it keeps waiting.
        const now = Date.now();
        if (this.waitingSince === 0) this.waitingSince = now;
        if (now - this.waitingSince < Math.min(this.stallMs(), 3000)) return false;
        this.trouble(`${info.num_pending} waiting for ${now - this.waitingSince} ms, nothing delivered for ${now - this.lastActivity} ms; consuming again`);
      }
    }
    this.waitingSince = 0;
    return true;
  }

  /** The durable consumer is created again when it is gone, its settings brought up to date. */
  protected override prepare(): Promise<void> {
    return this.opts.ensure();
  }
}

/** Consumes `durable` on `stream` one message at a time, consuming again by itself after trouble (see the top of this file). Throws when the first subscription cannot be made. */
export function runWorkQueue(js: JetStreamClient, jsm: JetStreamManager, opts: WorkQueueOptions): Promise<WorkQueueRunner> {
  return startedOrStopped(new Runner(js, jsm, opts));
}
