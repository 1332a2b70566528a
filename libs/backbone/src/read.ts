import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { decodeEvent, type EventEnvelope } from '@plane/events';
import type { StoredEvent } from './publish.js';

export interface ReadOptions {
  stream: string;
  /** One subject filter (2.9 takes one). */
  filter: string;
  /** First stream sequence to read (1 = from the start). */
  fromSeq?: number;
}

/**
 * Reads a stream's events from a sequence up to the end as it was when reading started, then stops.
 * Undecodable messages are skipped and reported through onBadMessage.
 */
export async function* readStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  opts: ReadOptions,
  onBadMessage?: (seq: number, err: unknown) => void,
): AsyncGenerator<StoredEvent> {
  const info = await jsm.streams.info(opts.stream);
  const last = info.state.last_seq;
  const from = Math.max(1, opts.fromSeq ?? 1);
  if (last < from || info.state.messages === 0) return;
  const consumer = await js.consumers.get(opts.stream, {
    filter_subjects: opts.filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const ci = await consumer.info(true);
  if (ci.num_pending === 0) {
    await consumer.delete().catch(() => undefined);
    return;
  }
  const messages = await consumer.consume({ max_messages: 1024 });
  try {
    for await (const m of messages) {
      const seq = m.info.streamSequence;
      if (seq > last) break;
      let event: EventEnvelope | undefined;
      try {
        event = decodeEvent(m.data);
      } catch (err) {
        onBadMessage?.(seq, err);
      }
      if (event) yield { seq, subject: m.subject, event };
      if (m.info.pending === 0 || seq >= last) break;
    }
  } finally {
    messages.stop();
    await consumer.delete().catch(() => undefined);
  }
}
