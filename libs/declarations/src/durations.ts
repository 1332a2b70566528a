// Durations are strings of whole units, largest first: `500ms`, `5s`, `10m`,
// `1h`, `1m30s`. No fractions, no spaces, each unit at most once.

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ['h', 'm', 's', 'ms'];
const PART = /([0-9]+)(ms|h|m|s)/y;

/** '500ms' | '5s' | '10m' | '1h' | '1m30s' -> milliseconds. Throws on anything else. */
export function parseDuration(s: string): number {
  if (typeof s !== 'string' || s.length === 0 || s.length > 40) {
    throw new Error(`invalid duration ${JSON.stringify(s)}: expected e.g. 500ms, 5s, 10m, 1h or 1m30s`);
  }
  let total = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null || m.index !== start) {
      throw new Error(`invalid duration ${JSON.stringify(s)}: expected e.g. 500ms, 5s, 10m, 1h or 1m30s`);
    }
    const unit = m[2] as Unit;
    const rank = ORDER.indexOf(unit);
    if (rank <= lastUnit) {
      throw new Error(`invalid duration ${JSON.stringify(s)}: units go from largest to smallest, each once (h, m, s, ms)`);
    }
    lastUnit = rank;
    total += Number(m[1]) * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) throw new Error(`invalid duration ${JSON.stringify(s)}: too large`);
  return total;
}

/** The inverse for messages: 90000 -> '1m30s', 0 -> '0s'. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return out;
}

/** parseDuration that returns undefined instead of throwing (for tolerant checks). */
export function tryParseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}
