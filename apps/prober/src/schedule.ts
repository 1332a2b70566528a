// When each target is probed. Rounds are aligned to the epoch (slot k of a target is
// k * interval + offset), and the offset comes from a hash of the target's key, so:
// - one round's probes are spread over the whole interval instead of firing in one burst;
// - a target keeps its place when others come and go, and across restarts;
// - two prober replicas compute the same slots, so their results share event ids (one is kept).
import { createHash } from 'node:crypto';

/** A stable offset in [0, intervalMs) for a target key. */
export function scheduleOffset(key: string, intervalMs: number): number {
  if (!(intervalMs > 0)) throw new Error(`interval must be positive, got ${intervalMs}`);
  const digest = createHash('sha256').update(key).digest();
  // 48 bits are exact in a double and far more than any interval in ms needs.
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(fraction * intervalMs);
}

/** The first slot (k * interval + offset) strictly after `t` (ms since epoch). */
export function nextSlotAfter(t: number, intervalMs: number, offsetMs: number): number {
  const k = Math.floor((t - offsetMs) / intervalMs) + 1;
  return k * intervalMs + offsetMs;
}
