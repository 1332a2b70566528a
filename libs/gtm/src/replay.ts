// replay --verify for gtm decisions: run decide again on what the decision recorded.
import { canonicalJson, type EventEnvelope } from '@plane/events';
import { decideDomain } from './decide.js';
import type { GtmDecidedData, ReplayResult } from './types.js';
import { DECIDER_VERSION } from './version.js';

export function replayDecision(event: EventEnvelope): ReplayResult {
  if (event.type !== 'GtmDecided') return { same: false, verdict: 'not_a_decision', reason: `${event.type} ${event.id} is not a decision: nothing to replay` };
  const d = event.data as Partial<GtmDecidedData> | null;
  if (d === null || typeof d !== 'object') return { same: false, verdict: 'mismatch', reason: 'the event has no data' };
  if (d.decider_version !== DECIDER_VERSION) {
    return { same: false, verdict: 'other_version', reason: `decided by ${String(d.decider_version)}; this is ${DECIDER_VERSION}: not comparable, not replayed` };
  }
  if (d.inputs === undefined || d.state_before === undefined || typeof d.clock !== 'number') {
    return { same: false, verdict: 'mismatch', reason: 'the decision lacks inputs, state_before or clock' };
  }
  let replayed: EventEnvelope | undefined;
  try {
    replayed = decideDomain(d.inputs, d.state_before, d.clock, event.source).events.find((e) => e.type === 'GtmDecided');
  } catch (err) {
    return { same: false, verdict: 'mismatch', reason: `the decider failed on the recorded inputs: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (replayed === undefined) return { same: false, verdict: 'mismatch', reason: 'replayed, the decider records nothing: the recorded inputs change nothing from state_before' };
  if (canonicalJson(replayed) === canonicalJson(event)) return { same: true, verdict: 'same' };
  return { same: false, verdict: 'mismatch', reason: firstDifference(event, replayed, '') ?? 'the events differ' };
}

/** Where two JSON values first differ, as `path: recorded X, replayed Y`. */
function firstDifference(recorded: unknown, replayed: unknown, path: string): string | null {
  if (canonicalJson(recorded) === canonicalJson(replayed)) return null;
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'undefined';
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  };
  if (recorded !== null && replayed !== null && typeof recorded === 'object' && typeof replayed === 'object' && Array.isArray(recorded) === Array.isArray(replayed)) {
    const a = recorded as Record<string, unknown>;
    const b = replayed as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const sub = firstDifference(a[k], b[k], Array.isArray(recorded) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
      if (sub !== null) return sub;
    }
  }
  return `${path || '(event)'}: recorded ${show(recorded)}, replayed ${show(replayed)}`;
}
