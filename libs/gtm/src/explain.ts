// The words of a decision: a stable status (compared between evaluations), a one-line reason with
// the transitions, and one reason per region. Built only when needed except the status.
import type { DomainAnswer } from '@plane/dns';
import { regionIn, weightIn } from './answer.js';
import type { LeftNode } from './ejection.js';
import type { AnswerPlan } from './plan.js';
import type { RegionHealth } from './region.js';
import type { DomainInput, DomainState, RegionOutcome } from './types.js';

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** Why a region gets no traffic, short; null when it serves. */
function zeroWhy(input: DomainInput, health: readonly RegionHealth[], i: number, chosen: number, long: boolean): string | null {
  const h = health[i]!;
  switch (h.withdrawn) {
    case 'declared_zero':
      return 'declared 0';
    case 'min_ready':
      return `${h.ready} of ${h.total} ready, min ${h.region.min_ready_nodes}`;
    case 'no_ips':
      return `${h.ready} ready, no IPs`;
    case null:
      if (input.failover !== 'priority' || i === chosen) return null;
      if (chosen >= 0) return long ? `standby: priority failover, ${health[chosen]!.region.name} serves` : `standby: ${health[chosen]!.region.name} serves`;
      return 'fallback: false, never a failover target';
  }
}

/** Stable text of a normal or fail-open decision: changes only when the answer or a withdrawal's cause does. */
export function planStatus(input: DomainInput, health: readonly RegionHealth[], plan: AnswerPlan, lastGood: DomainAnswer | null): string {
  let out = `${input.domain}: `;
  if (plan.outcome === 'fail_open') out += 'fail open: ';
  for (let i = 0; i < health.length; i++) {
    if (i > 0) out += '; ';
    const name = health[i]!.region.name;
    const applied = plan.outcome === 'fail_open' ? 0 : plan.answer.regions[i]!.weight;
    out += applied > 0 ? `${name} ${applied}` : `${name} 0 (${zeroWhy(input, health, i, plan.chosen, false) ?? 'standby'})`;
  }
  if (health.length === 0) out += 'no regions declared';
  if (plan.outcome === 'fail_open' && lastGood === null) out += '; never served: nothing published';
  return out;
}

function leftOf(left: readonly LeftNode[], region: string): string[] {
  const out: string[] = [];
  for (const l of left) if (l.region === region) out.push(`${l.node_id} out: ${l.reason}`);
  return out;
}

/** `+ip` / `-ip` between two sorted IP lists. */
function ipChanges(before: readonly string[], after: readonly string[]): string[] {
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    if (b !== undefined && a !== undefined && a === b) {
      i++;
      j++;
    } else if (a !== undefined && (b === undefined || a < b)) {
      added.push(`+${a}`);
      j++;
    } else {
      removed.push(`-${b!}`);
      i++;
    }
  }
  return added.concat(removed);
}

function healthDetails(input: DomainInput, h: RegionHealth): string[] {
  const w = input.weighting;
  const out: string[] = [];
  if (h.rttHigh) out.push(`rtt ${round1(h.rtt_ms!)} ms > ${w.rtt_ms_above}`);
  if (h.errorHigh) out.push(`error rate ${round4(h.error_rate!)} > ${w.error_rate_above}`);
  return out;
}

/** The one line of a normal decision: `api.svc.plus: jp 100 -> 0 (0 of 1 ready, min 1); sg 10`. */
export function planReason(input: DomainInput, state: DomainState, health: readonly RegionHealth[], plan: AnswerPlan, left: readonly LeftNode[]): string {
  const prev = state.answer;
  if (plan.outcome === 'fail_open') {
    const parts = health.map((h, i) => `${h.region.name} ${zeroWhy(input, health, i, plan.chosen, true) ?? 'withdrawn'}`);
    const kept = state.last_good ? 'last good answer kept (fail open)' : 'no good answer ever: nothing published';
    const gone = left.map((l) => `${l.region}/${l.node_id} out: ${l.reason}`);
    return `${input.domain}: every region withdrawn (${parts.join('; ')})${gone.length ? ` [${gone.join('; ')}]` : ''}: ${kept}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < health.length; i++) {
    const h = health[i]!;
    const name = h.region.name;
    const applied = plan.answer.regions[i]!.weight;
    const computed = plan.computed[i]!;
    const head = prev !== null && weightIn(prev, name, i) !== applied ? `${name} ${weightIn(prev, name, i)} -> ${applied}` : `${name} ${applied}`;
    const details: string[] = [];
    const why = computed === 0 ? zeroWhy(input, health, i, plan.chosen, true) : null;
    if (why !== null) details.push(why);
    if (computed > 0) details.push(...healthDetails(input, h));
    if (computed !== applied) details.push(`computed ${computed}, within dead band ${input.weighting.dead_band}`);
    const before = regionIn(prev, name, i);
    if (applied > 0 && before !== undefined && before.weight > 0) details.push(...ipChanges(before.ips, h.ips));
    details.push(...leftOf(left, name));
    parts.push(details.length > 0 ? `${head} (${details.join(', ')})` : head);
  }
  if (parts.length === 0) parts.push('no regions declared');
  if (plan.allDeclaredZero && health.length > 0) parts.push('every region declared weight 0');
  return `${input.domain}: ${parts.join('; ')}`;
}

export type Keeping = 'frozen' | 'fail open' | 'stale inputs' | 'suspended';

/** One RegionOutcome per declared region. `applied` is the answer DNS holds after the decision. */
export function regionOutcomes(
  input: DomainInput,
  state: DomainState,
  health: readonly RegionHealth[],
  applied: DomainAnswer | null,
  computed: readonly number[] | null,
  chosen: number,
  left: readonly LeftNode[],
  keeping: Keeping | null,
): RegionOutcome[] {
  return health.map((h, i) => {
    const name = h.region.name;
    const before = weightIn(state.answer, name, i);
    const after = weightIn(applied, name, i);
    const c = computed?.[i] ?? null;
    const counts = `${name}: ${h.ready} of ${h.total} ready nodes${h.withdrawn === 'min_ready' ? ` (min ${h.region.min_ready_nodes})` : ''}`;
    const details: string[] = [];
    if (keeping !== null) details.push(c === null ? keeping : `${keeping}; computed ${c}`);
    if (c === 0) {
      const why = zeroWhy(input, health, i, chosen, true);
      if (why !== null && h.withdrawn !== 'min_ready') details.push(why);
    }
    if (c !== null && c > 0) {
      const hd = healthDetails(input, h);
      if (hd.length > 0) details.push(`${hd.join(', ')}: x${h.factor}`);
      const a = applied?.regions[i];
      if (keeping === null && a !== undefined && a.name === name && a.weight !== c) details.push(`computed ${c}, within dead band ${input.weighting.dead_band}`);
    }
    const weight = keeping !== null ? `weight ${after} kept` : state.answer !== null && before !== after ? `weight ${before} -> ${after}` : `weight ${after}`;
    const gone = leftOf(left, name);
    const reason = `${counts}: ${weight}${details.length > 0 ? ` (${details.join('; ')})` : ''}${gone.length > 0 ? `; ${gone.join('; ')}` : ''}`;
    return {
      name,
      base_weight: h.region.weight,
      weight_before: before,
      weight: after,
      ready: h.ready,
      total: h.total,
      min_ready_nodes: h.region.min_ready_nodes,
      rtt_ms: h.rtt_ms === null ? null : round1(h.rtt_ms),
      error_rate: h.error_rate === null ? null : round4(h.error_rate),
      factor: h.factor,
      ips: h.ips,
      reason,
    };
  });
}
