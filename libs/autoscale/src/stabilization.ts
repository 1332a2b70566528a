// Scale-down stabilization (as Kubernetes' HPA does it): a scale-in acts on the HIGHEST
// recommendation seen within the window, so a dip shorter than the window changes nothing.
// The history holds change points only: a value stands from its `at` until the next point.
import type { RecommendationPoint } from './types.js';

/**
 * The highest recommendation within [now - window, now], `current` included. A window the
 * history does not cover yet (a new policy, a new region) counts as the node count it had, so
 * the first scale-in comes a full window after the first low recommendation was recorded.
 */
export function highestInWindow(history: readonly RecommendationPoint[], now: number, windowMs: number, current: number, count: number): number {
  const start = now - windowMs;
  let highest = current;
  const first = history[0];
  if (first === undefined || first.at > start) highest = Math.max(highest, count);
  for (let i = 0; i < history.length; i++) {
    const next = history[i + 1];
    if (next !== undefined && next.at <= start) continue; // ended before the window
    highest = Math.max(highest, history[i]!.value);
  }
  return highest;
}

/**
 * When a scale-in to `current` may act if the recommendation stays where it is: every point above
 * it has left the window, and the window is covered by history.
 */
export function stabilizedUntil(history: readonly RecommendationPoint[], now: number, windowMs: number, current: number): number {
  let until = now;
  const first = history[0];
  if (first === undefined || first.at > now - windowMs) until = Math.max(until, (first?.at ?? now) + windowMs);
  for (let i = 0; i < history.length; i++) {
    if (history[i]!.value <= current) continue;
    const ended = history[i + 1]?.at ?? now;
    until = Math.max(until, ended + windowMs);
  }
  return until;
}

/** Append a recommendation when it changed, and drop the points that ended before the window. */
export function recordRecommendation(history: readonly RecommendationPoint[], at: number, value: number, windowMs: number): RecommendationPoint[] {
  const last = history[history.length - 1];
  const out = last !== undefined && last.value === value ? history.slice() : [...history, { at, value }];
  const start = at - windowMs;
  let drop = 0;
  while (drop + 1 < out.length && out[drop + 1]!.at <= start) drop++;
  return drop > 0 ? out.slice(drop) : out;
}
