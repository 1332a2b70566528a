// replay --verify: run decide again on a decision's recorded inputs and compare byte for byte.
import { canonicalJson, digestOf, type EventEnvelope } from '@plane/events';
import { decide } from './decide.js';
import { DECIDER_VERSION } from './version.js';
import type { ScaleInput } from './types.js';

export interface ReplayResult {
  same: boolean;
  /** Why not the same; for another decider version it starts with `decider version`. */
  reason?: string;
  verdict: 'same' | 'different' | 'other_version' | 'not_replayable';
}

interface Recorded {
  inputs?: unknown;
  inputs_digest?: unknown;
  decider_version?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The first JSON pointer where two JSON values differ ('' = the whole value). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}/${i}`);
      if (d !== null) return d;
    }
    return null;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (d !== null) return d;
    }
    return null;
  }
  return canonicalJson(a) === canonicalJson(b) ? null : path;
}

/** Re-run `decide` on the inputs a decision event recorded; the same event must come out. */
export function replayDecision(recorded: EventEnvelope): ReplayResult {
  const data: Recorded = isRecord(recorded.data) ? recorded.data : {};
  if (!isRecord(data.inputs)) return { same: false, verdict: 'not_replayable', reason: `${recorded.type} ${recorded.id} records no inputs: not a decision` };
  if (data.decider_version !== DECIDER_VERSION) {
    return { same: false, verdict: 'other_version', reason: `decider version ${String(data.decider_version)} recorded it; this is ${DECIDER_VERSION}: not comparable` };
  }
  const inputs = data.inputs as unknown as ScaleInput;
  const digest = digestOf(inputs);
  if (digest !== data.inputs_digest) return { same: false, verdict: 'different', reason: `the recorded inputs digest to ${digest}, not the recorded ${String(data.inputs_digest)}` };
  let again;
  try {
    again = decide(inputs, recorded.source).events;
  } catch (err) {
    return { same: false, verdict: 'different', reason: `decide failed on the recorded inputs: ${err instanceof Error ? err.message : String(err)}` };
  }
  const twin = again.find((e) => e.id === recorded.id);
  if (twin === undefined) {
    const got = again.filter((e) => e.data.region === (data as { region?: unknown }).region).map((e) => `${e.type} ${e.id}`);
    return { same: false, verdict: 'different', reason: `the decider no longer emits ${recorded.id}; for its region it emits ${got.length > 0 ? got.join(', ') : 'nothing'}` };
  }
  const replayed: unknown = JSON.parse(JSON.stringify(twin));
  const diff = firstDifference(recorded, replayed);
  if (diff !== null) return { same: false, verdict: 'different', reason: `differs at ${diff === '' ? 'the whole event' : diff}` };
  return { same: true, verdict: 'same' };
}
