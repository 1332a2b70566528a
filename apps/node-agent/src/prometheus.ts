// Prometheus text exposition (0.0.4, and the OpenMetrics subset exporters use) -> the service's
// request counters -> rates between two scrapes. Pure.
import { nonNegative, ratio } from './round.js';
import type { ServiceNumbers } from './service-metrics.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromScrape {
  samples: PromSample[];
  /** Metric families named by `# TYPE` / `# HELP` lines (present even before their first sample). */
  families: Set<string>;
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`"${text}" is not a sample value`);
  return n;
}

function parseLabels(text: string, lineNo: number): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) {
      if (text.slice(pos).trim() === '') break;
      throw new Error(`line ${lineNo}: bad label set "{${text.slice(0, 80)}}"`);
    }
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    pos = re.lastIndex;
  }
  return labels;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})?\s+(\S+)(?:\s+\S+)?\s*$/;

/** Parses the text format. A line that is neither a comment nor a sample is an error naming it. */
export function parsePrometheusText(text: string): PromScrape {
  const samples: PromSample[] = [];
  const families = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*(?:TYPE|HELP)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
      if (m) families.add(m[1]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: "${line.slice(0, 80)}"`);
    let value: number;
    try {
      value = parseValue(m[3]!);
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}`);
    }
    samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2], i + 1) : {}, value });
  }
  return { samples, families };
}

export interface RequestMetricNames {
  /** A counter of requests with a status label, e.g. `http_requests_total`. */
  requests: string;
  /** Labels tried in order for the status code (`code`, then `status`). */
  statusLabels: string[];
  /** A histogram or summary of request durations: its `_sum` and `_count` are read. */
  duration: string;
  /** Unit of the duration metric: seconds unless its name ends in `_ms` / `_milliseconds`. */
  durationUnit: 'seconds' | 'milliseconds';
}

export const DEFAULT_METRIC_NAMES: RequestMetricNames = {
  requests: 'http_requests_total',
  statusLabels: ['code', 'status'],
  duration: 'http_request_duration_seconds',
  durationUnit: 'seconds',
};

export function durationUnitOf(name: string): 'seconds' | 'milliseconds' {
  return /_(ms|milliseconds)$/.test(name) ? 'milliseconds' : 'seconds';
}

/** The counters one scrape holds, per series (so a reset or a new series is handled per series). */
export interface RequestCounters {
  requests: Map<string, number>;
  errors: Map<string, number>;
  durationSum: Map<string, number>;
  durationCount: Map<string, number>;
}

function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function declared(scrape: PromScrape, ...names: string[]): boolean {
  return names.some((n) => scrape.families.has(n));
}

/**
 * Picks the request counter and the duration histogram/summary out of a scrape. A metric that is
 * declared (# TYPE) but has no sample yet counts as zero: client libraries export a labelled
 * counter only after its first increment. A metric that is neither is an error naming it.
 */
export function requestCountersOf(scrape: PromScrape, names: RequestMetricNames): RequestCounters {
  const out: RequestCounters = { requests: new Map(), errors: new Map(), durationSum: new Map(), durationCount: new Map() };
  const sumName = `${names.duration}_sum`;
  const countName = `${names.duration}_count`;
  let statusLabel: string | undefined;
  for (const s of scrape.samples) {
    if (!Number.isFinite(s.value)) continue;
    const key = seriesKey(s.labels);
    if (s.name === names.requests) {
      statusLabel ??= names.statusLabels.find((l) => s.labels[l] !== undefined);
      const status = statusLabel === undefined ? undefined : s.labels[statusLabel];
      if (status === undefined) throw new Error(`${names.requests}{${key}} has no ${names.statusLabels.join(' or ')} label: the error rate needs it`);
      out.requests.set(key, s.value);
      if (status.startsWith('5')) out.errors.set(key, s.value);
    } else if (s.name === sumName) {
      out.durationSum.set(key, s.value);
    } else if (s.name === countName) {
      out.durationCount.set(key, s.value);
    }
  }
  if (out.requests.size === 0 && !declared(scrape, names.requests, names.requests.replace(/_total$/, ''))) {
    throw new Error(`no ${names.requests} in the scrape`);
  }
  if (out.durationCount.size === 0 && !declared(scrape, names.duration)) {
    throw new Error(`no ${sumName} / ${countName} in the scrape`);
  }
  return out;
}

/** The increase of a set of counters between two scrapes; a series that went down was reset (counted from 0). */
export function counterIncrease(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [key, now] of after) {
    const was = before.get(key);
    total += was === undefined || now < was ? now : now - was;
  }
  return total;
}

/** qps, mean latency and 5xx share between two scrapes `seconds` apart. No requests: all zero. */
export function serviceRates(before: RequestCounters, after: RequestCounters, seconds: number, unit: 'seconds' | 'milliseconds' = 'seconds'): ServiceNumbers {
  if (!(seconds > 0)) throw new Error('two scrapes at the same instant');
  const requests = counterIncrease(before.requests, after.requests);
  const errors = counterIncrease(before.errors, after.errors);
  const durationSum = counterIncrease(before.durationSum, after.durationSum);
  const durationCount = counterIncrease(before.durationCount, after.durationCount);
  const meanMs = durationCount > 0 ? (durationSum / durationCount) * (unit === 'seconds' ? 1000 : 1) : 0;
  return {
    qps: nonNegative(requests / seconds),
    rtt_ms: nonNegative(meanMs),
    error_rate: requests > 0 ? ratio(errors / requests, 4) : 0,
  };
}
