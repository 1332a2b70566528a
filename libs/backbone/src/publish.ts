import { headers } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { decodeEvent, encodeEvent, type EventEnvelope } from '@plane/events';

export interface PublishOptions {
  /** Optimistic concurrency: the stream sequence of the last message on this subject (0 = none). */
  expectLastSubjectSequence?: number;
  timeoutMs?: number;
}

export interface Published {
  seq: number;
  duplicate: boolean;
}

/** Publishes an event with Nats-Msg-Id = event.id, so a retry never records it twice. */
export async function publishEvent(js: JetStreamClient, subject: string, event: EventEnvelope, opts: PublishOptions = {}): Promise<Published> {
  const expect: { lastSubjectSequence?: number } = {};
  if (opts.expectLastSubjectSequence !== undefined) expect.lastSubjectSequence = opts.expectLastSubjectSequence;
  const ack = await js.publish(subject, encodeEvent(event), {
    msgID: event.id,
    expect,
    timeout: opts.timeoutMs ?? 5000,
  });
  return { seq: ack.seq, duplicate: ack.duplicate };
}

export function isWrongLastSequence(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10071 || /wrong last sequence/i.test(e?.message ?? '');
}

export interface StoredEvent<E extends EventEnvelope = EventEnvelope> {
  seq: number;
  subject: string;
  event: E;
}

/** The last event on a subject, or undefined when the subject is empty. */
export async function lastEventOn(jsm: JetStreamManager, stream: string, subject: string): Promise<StoredEvent | undefined> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (!m) return undefined;
    return { seq: m.seq, subject: m.subject, event: decodeEvent(m.data) };
  } catch (err) {
    const e = err as { api_error?: { err_code?: number }; message?: string };
    if (e?.api_error?.err_code === 10037 || /no message found/i.test(e?.message ?? '')) return undefined;
    throw err;
  }
}

export { headers };
