// `planectl explain ID` and `planectl replay --verify`: decisions are recorded with their full
// inputs, so explaining one is reading it back, and verifying one is running the decider again.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { readStream, STREAMS, type StoredEvent } from '@plane/backbone';
import type { EventEnvelope } from '@plane/events';
import { replayDecision as replayScale } from '@plane/autoscale';
import { replayDecision as replayGtm, type RegionOutcome } from '@plane/gtm';

type Replayer = (e: EventEnvelope) => { same: boolean; verdict: string; reason?: string };

/** The deciders whose decisions can be verified, by event type. */
const REPLAYERS: Record<string, Replayer> = {
  GtmDecided: replayGtm,
  ScaleDecided: replayScale,
  ScaleHeld: replayScale,
  ScaleSteady: replayScale,
};

export async function findEvent(js: JetStreamClient, jsm: JetStreamManager, stream: string, id: string): Promise<StoredEvent | undefined> {
  for await (const s of readStream(js, jsm, { stream, filter: '>' })) if (s.event.id === id) return s;
  return undefined;
}

export async function explainCommand(js: JetStreamClient, jsm: JetStreamManager, id: string, json: boolean, out: (s: string) => void): Promise<number> {
  const found = await findEvent(js, jsm, STREAMS.decisions.name, id);
  if (!found) {
    out(`no decision with id ${id} on ${STREAMS.decisions.name}`);
    return 1;
  }
  const related: StoredEvent[] = [];
  for await (const s of readStream(js, jsm, { stream: STREAMS.outcomes.name, filter: '>' })) {
    if ((s.event.data as { decision_id?: string }).decision_id === id) related.push(s);
  }
  if (json) {
    out(JSON.stringify({ seq: found.seq, subject: found.subject, ...found.event, outcomes: related.map((r) => ({ seq: r.seq, subject: r.subject, ...r.event })) }, null, 2));
    return 0;
  }
  const e = found.event;
  const d = e.data as Record<string, unknown>;
  out(`${e.type} ${e.id}`);
  out(`  recorded  #${found.seq} on ${found.subject} at ${e.time} by ${e.source}`);
  if (d.reason) out(`  why       ${String(d.reason)}`);
  if (d.outcome) out(`  outcome   ${String(d.outcome)}`);
  if (d.clock !== undefined) out(`  clock     ${new Date(Number(d.clock)).toISOString()}`);
  if (d.policy_commit) out(`  policy    commit ${String(d.policy_commit)}`);
  if (d.decider_version) out(`  decider   version ${String(d.decider_version)}`);
  if (d.inputs_digest) out(`  inputs    digest ${String(d.inputs_digest)}`);
  const regions = d.regions as RegionOutcome[] | undefined;
  if (Array.isArray(regions)) {
    out('  regions');
    for (const r of regions) {
      out(`    ${r.name.padEnd(10)} weight ${String(r.weight_before).padStart(4)} -> ${String(r.weight).padEnd(4)} ready ${r.ready}/${r.total} (min ${r.min_ready_nodes})  rtt ${r.rtt_ms ?? '-'} ms  errors ${r.error_rate ?? '-'}  factor ${r.factor}  ${r.ips.join(', ')}`);
      out(`               ${r.reason}`);
    }
  }
  if (related.length > 0) {
    out('  executed');
    for (const r of related) {
      const o = r.event.data as { outcome?: string; status?: string; reason?: string; changes?: string[]; calls?: number; sha?: string | null; pr_number?: number | null };
      out(`    #${r.seq} ${r.event.time} ${o.outcome ?? o.status ?? r.event.type}: ${o.reason ?? ''}${o.calls !== undefined ? ` (${o.calls} API calls)` : ''}${o.sha ? ` commit ${o.sha}` : ''}${o.pr_number ? ` PR #${o.pr_number}` : ''}`);
      for (const c of o.changes ?? []) out(`      ${c}`);
    }
  } else {
    out('  executed  no command outcome recorded for it');
  }
  return 0;
}

export async function replayCommand(js: JetStreamClient, jsm: JetStreamManager, since: number | undefined, out: (s: string) => void): Promise<number> {
  let checked = 0;
  let differ = 0;
  let otherVersion = 0;
  for await (const s of readStream(js, jsm, { stream: STREAMS.decisions.name, filter: '>', ...(since ? { fromSeq: since } : {}) })) {
    const replay = REPLAYERS[s.event.type];
    if (!replay) continue;
    checked++;
    const r = replay(s.event);
    if (r.same) continue;
    if (r.verdict === 'other_version') {
      otherVersion++;
      out(`#${s.seq} ${s.event.id}: ${r.reason}`);
      continue;
    }
    differ++;
    out(`#${s.seq} ${s.event.id}: DIFFERS: ${r.reason ?? 'the decider gives another result'}`);
  }
  out(`replayed ${checked} decision(s): ${checked - differ - otherVersion} identical, ${differ} different, ${otherVersion} of another decider version`);
  return differ === 0 ? 0 : 1;
}
