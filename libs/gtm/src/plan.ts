// From region health to the answer: failover, fail open, dead band.
import type { DomainAnswer } from '@plane/dns';
import { buildAnswer, emptyAnswer, sameIps } from './answer.js';
import type { RegionHealth } from './region.js';
import type { DomainInput, DomainState } from './types.js';

export interface AnswerPlan {
  outcome: 'changed' | 'unchanged_weights_within_dead_band' | 'fail_open';
  answer: DomainAnswer;
  /** Per region: the weight formula and failover's result (what would be published without dead band / fail open). */
  computed: number[];
  /** `priority`: the index of the region that serves (-1: none). `weighted`: -1. */
  chosen: number;
  /** Every region declared weight 0: an operator's choice, not a health failure, so no fail open. */
  allDeclaredZero: boolean;
}

/**
 * `weighted`: every region that is up serves with its effective weight. `fallback: false` cannot be
 * expressed in DNS shares (a withdrawn region's share goes to every region in proportion), so it
 * is ignored there. `priority`: the first region in declared order serves when it is up; otherwise
 * the first region after it that is up and may be a failover target (`fallback: true`).
 */
export function failoverWeights(input: DomainInput, health: readonly RegionHealth[]): { weights: number[]; chosen: number } {
  const n = health.length;
  const weights = new Array<number>(n);
  let chosen = -1;
  if (input.failover === 'priority') {
    for (let i = 0; i < n; i++) {
      const h = health[i]!;
      if (h.withdrawn === null && (i === 0 || h.region.fallback)) {
        chosen = i;
        break;
      }
    }
    for (let i = 0; i < n; i++) weights[i] = i === chosen ? health[i]!.effective : 0;
  } else {
    for (let i = 0; i < n; i++) weights[i] = health[i]!.effective;
  }
  return { weights, chosen };
}

/**
 * The dead band holds the previous weights when nothing structural changed (same regions, same IP
 * sets, no region crossing between 0 and up) and every weight moved by less than `deadBand`
 * relative to its previous value. Comparing with the answer last decided (not the last computed
 * one) keeps a slow drift from creeping: it goes through once it adds up to the band.
 */
export function withinDeadBand(prev: DomainAnswer | null, input: DomainInput, weights: readonly number[], health: readonly RegionHealth[]): boolean {
  const band = input.weighting.dead_band;
  if (prev === null || band <= 0 || prev.regions.length !== weights.length) return false;
  let moved = false;
  for (let i = 0; i < weights.length; i++) {
    const p = prev.regions[i]!;
    const w = weights[i]!;
    if (p.name !== input.regions[i]!.name) return false;
    if (p.weight > 0 !== w > 0) return false;
    if (w > 0 && p.weight !== w) {
      if (Math.abs(w - p.weight) / p.weight >= band) return false;
      moved = true;
    }
  }
  if (!moved) return false;
  // An IP set change always goes through.
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0 && !sameIps(prev.regions[i]!.ips, health[i]!.ips)) return false;
  return true;
}

export function planAnswer(input: DomainInput, state: DomainState, health: readonly RegionHealth[]): AnswerPlan {
  const { weights, chosen } = failoverWeights(input, health);
  let anyServes = false;
  let allDeclaredZero = true;
  for (let i = 0; i < health.length; i++) {
    if (weights[i]! > 0) anyServes = true;
    if (health[i]!.region.weight > 0) allDeclaredZero = false;
  }
  const ips = health.map((h) => h.ips);
  if (!anyServes && !allDeclaredZero) {
    // Never withdraw every region because of health: keep the last answer in which one served.
    return { outcome: 'fail_open', answer: state.last_good ?? emptyAnswer(input), computed: weights, chosen, allDeclaredZero };
  }
  const prev = state.answer;
  if (withinDeadBand(prev, input, weights, health)) {
    const held = weights.map((_, i) => prev!.regions[i]!.weight);
    return { outcome: 'unchanged_weights_within_dead_band', answer: buildAnswer(input, held, ips, prev), computed: weights, chosen, allDeclaredZero };
  }
  return { outcome: 'changed', answer: buildAnswer(input, weights, ips, prev), computed: weights, chosen, allDeclaredZero };
}
