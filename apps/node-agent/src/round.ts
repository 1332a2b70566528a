/** Rounds to a number of decimals (heartbeats carry sensible precision, not float noise). */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** A share of something: clamped to 0..1, three decimals. */
export function ratio(value: number, decimals = 3): number {
  if (!Number.isFinite(value)) return 0;
  return roundTo(Math.min(1, Math.max(0, value)), decimals);
}

/** A non-negative quantity (qps, ms), two decimals. */
export function nonNegative(value: number, decimals = 2): number {
  if (!Number.isFinite(value)) return 0;
  return roundTo(Math.max(0, value), decimals);
}
