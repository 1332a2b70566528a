// Pipelined JetStream publishing: many publishes in flight, each acked on its own, none awaited
// one by one. `publish` waits only when the window of unacked events is full (back-pressure).
// A failed publish is retried with the same Nats-Msg-Id, so the stream keeps one copy.
import type { Plane } from '@plane/backbone';
import { encodeEvent, type EventEnvelope } from '@plane/events';

export interface EventPublisherOptions {
  /** Unacked events allowed in flight (default 1024). */
  window?: number;
  /** Per attempt (default 5 s). */
  ackTimeoutMs?: number;
  /** Attempts per event (default 3). A probe result is perishable: the next round brings a fresh one. */
  attempts?: number;
  retryDelayMs?: number;
  onStored?(subject: string, event: EventEnvelope, seq: number, duplicate: boolean): void;
  onFailed?(subject: string, event: EventEnvelope, err: unknown): void;
}

export class EventPublisher {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #window: number;
  #closed = false;

  constructor(
    private readonly js: Plane['js'],
    private readonly opts: EventPublisherOptions = {},
  ) {
    this.#window = opts.window ?? 1024;
  }

  get pending(): number {
    return this.#inFlight.size;
  }

  /** Hands the event over; resolves once it is in flight (not when it is acked). */
  async publish(subject: string, event: EventEnvelope): Promise<void> {
    if (this.#closed) throw new Error('publisher closed');
    while (this.#inFlight.size >= this.#window) await Promise.race(this.#inFlight);
    const p = this.#deliver(subject, event).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /** Waits for every event in flight to be acked or given up. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #deliver(subject: string, event: EventEnvelope): Promise<void> {
    const attempts = this.opts.attempts ?? 3;
    const data = encodeEvent(event);
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await this.js.publish(subject, data, { msgID: event.id, timeout: this.opts.ackTimeoutMs ?? 5000 });
        this.opts.onStored?.(subject, event, ack.seq, ack.duplicate);
        return;
      } catch (err) {
        if (attempt >= attempts || this.#closed) {
          this.opts.onFailed?.(subject, event, err);
          return;
        }
        await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 500) * attempt));
      }
    }
  }
}
