import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { decodeEvent, type EventEnvelope, type DeclarationStreamEvent } from '@plane/events';
import { parseDurationMs } from '@plane/runtime';

export interface EventsOptions {
  stream: string;
  subject: string;
  /** A sequence number, an ISO time, or a duration back from now (10m). */
  since?: string;
  follow: boolean;
  json: boolean;
  limit?: number;
}

function summary(e: EventEnvelope): string {
  const ev = e as DeclarationStreamEvent;
  switch (ev.type) {
    case 'DeclarationApplied':
      return `${ev.data.kind}/${ev.data.name} from ${ev.data.file} @${ev.data.commit.slice(0, 12)} digest ${ev.data.digest.slice(0, 12)}`;
    case 'DeclarationRemoved':
      return `${ev.data.kind}/${ev.data.name} (${ev.data.file}) removed @${ev.data.commit.slice(0, 12)}`;
    case 'SyncCompleted':
      return `${ev.data.repo}@${ev.data.commit.slice(0, 12)} in force: ${Object.keys(ev.data.declarations).length} declarations (+${ev.data.added.length} ~${ev.data.changed.length} -${ev.data.removed.length})`;
    case 'SyncRejected':
      return `${ev.data.repo}@${ev.data.commit.slice(0, 12)} rejected, ${ev.data.errors.length} error(s), ${ev.data.last_good_commit ? `${ev.data.last_good_commit.slice(0, 12)} stays in force` : 'nothing in force'}: ${ev.data.errors[0] ? `${ev.data.errors[0].file}:${ev.data.errors[0].line}:${ev.data.errors[0].column}: ${ev.data.errors[0].message}` : ''}`;
    default: {
      const data = JSON.stringify((e as EventEnvelope).data);
      return data.length > 160 ? `${data.slice(0, 157)}...` : data;
    }
  }
}

export function formatEventLine(seq: number, subject: string, e: EventEnvelope): string {
  return `#${seq} ${e.time} ${subject} ${e.type} ${summary(e)}`;
}

function startOf(since: string | undefined): { deliver_policy: DeliverPolicy; opt_start_seq?: number; opt_start_time?: string } {
  if (!since) return { deliver_policy: DeliverPolicy.All };
  if (/^\d+$/.test(since)) return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Number(since) };
  if (/^\d{4}-\d\d-\d\d/.test(since)) {
    const t = new Date(since);
    if (Number.isNaN(t.getTime())) throw new Error(`--since: "${since}" is not a time`);
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: t.toISOString() };
  }
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - parseDurationMs(since)).toISOString() };
}

/** Prints a stream's events as readable lines (or JSON lines), like `nats stream view` would. */
export async function eventsCommand(js: JetStreamClient, jsm: JetStreamManager, opts: EventsOptions, out: (s: string) => void): Promise<number> {
  const info = await jsm.streams.info(opts.stream);
  const last = info.state.last_seq;
  const consumer = await js.consumers.get(opts.stream, { filter_subjects: opts.subject, ...startOf(opts.since) });
  const pending = (await consumer.info(true)).num_pending;
  if (pending === 0 && !opts.follow) {
    await consumer.delete().catch(() => undefined);
    return 0;
  }
  const messages = await consumer.consume({ max_messages: 512 });
  let count = 0;
  for await (const m of messages) {
    let line: string;
    try {
      const e = decodeEvent(m.data);
      line = opts.json ? JSON.stringify({ seq: m.info.streamSequence, subject: m.subject, ...e }) : formatEventLine(m.info.streamSequence, m.subject, e);
    } catch {
      line = opts.json ? JSON.stringify({ seq: m.info.streamSequence, subject: m.subject, undecodable: true }) : `#${m.info.streamSequence} ${m.subject} (not a plane event)`;
    }
    out(line);
    count++;
    if (opts.limit !== undefined && count >= opts.limit) break;
    if (!opts.follow && (m.info.pending === 0 || m.info.streamSequence >= last)) break;
  }
  messages.stop();
  await consumer.delete().catch(() => undefined);
  return 0;
}
