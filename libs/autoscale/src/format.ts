// How numbers, times and durations read in reasons and commit messages.

/** A metric value as people read it: at most two decimals, no trailing zeros (0.82, 912.5, 3). */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A clock value: `12:05:00Z`, with the date when it is not the day of `now`. */
export function clockText(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)}Z` : `${iso.slice(0, 19)}Z`;
}

/** A duration the way declarations write it: 500ms, 30s, 10m, 1h30m. */
export function durationText(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
}
