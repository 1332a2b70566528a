// What a region's nodes say about its load: the mean of its warm, fresh, reporting nodes, and
// each declared signal against its bounds.
import type { AutoscaleRegionSpec } from '@plane/declarations';
import type { NodeState } from '@plane/events';
import type { NodeObservation, RegionMetrics, Signal, SignalReading } from './types.js';
import { num } from './format.js';

const SIGNALS: readonly Signal[] = ['cpu', 'ram', 'qps'];

/** Nodes that take traffic: ready, or suspect (still served, still counted as ready since). */
export function isServing(state: NodeState | null): boolean {
  return state === 'ready' || state === 'suspect';
}

export interface MetricRules {
  now: number;
  warmup_ms: number;
  heartbeat_timeout_ms: number;
}

/** Whether a node's metrics count: serving, ready for warmup_ms, and reporting recently. */
export function countsForMetrics(n: NodeObservation, r: MetricRules): boolean {
  if (!isServing(n.state) || n.ready_since === null || r.now - n.ready_since < r.warmup_ms) return false;
  if (n.metrics === null || n.metrics.samples <= 0) return false;
  return n.last_heartbeat_at !== null && r.now - n.last_heartbeat_at <= r.heartbeat_timeout_ms;
}

/** The region's averages, or null when no warm ready node reports fresh metrics. */
export function regionMetrics(nodes: readonly NodeObservation[], r: MetricRules): RegionMetrics | null {
  let reporting = 0;
  let ready = 0;
  let cpu = 0;
  let ram = 0;
  let qps = 0;
  for (const n of nodes) {
    if (isServing(n.state)) ready++;
    if (!countsForMetrics(n, r) || n.metrics === null) continue;
    reporting++;
    cpu += n.metrics.cpu;
    ram += n.metrics.ram;
    qps += n.metrics.qps;
  }
  if (reporting === 0) return null;
  return { nodes_reporting: reporting, nodes_ready: ready, cpu: cpu / reporting, ram: ram / reporting, qps: qps / reporting };
}

export function servingCount(nodes: readonly NodeObservation[]): number {
  let n = 0;
  for (const node of nodes) if (isServing(node.state)) n++;
  return n;
}

/** The declared signals (a signal with neither bound is not used) with their current values. */
export function readSignals(spec: AutoscaleRegionSpec, m: RegionMetrics | null): SignalReading[] {
  if (m === null) return [];
  const out: SignalReading[] = [];
  for (const signal of SIGNALS) {
    const up = spec[`scale_up_${signal}`];
    const down = spec[`scale_down_${signal}`];
    if (up === undefined && down === undefined) continue;
    out.push({ signal, value: m[signal], up: up ?? null, down: down ?? null });
  }
  return out;
}

export interface Load {
  /** Signals over their up bound. */
  over: SignalReading[];
  /** True when every signal with a down bound is under it (and there is at least one). */
  under: boolean;
}

/**
 * Scale out when ANY signal is over its up bound; scale in when ALL signals with a down bound are
 * under it. A signal with only an up bound does not block a scale-in (it is not over its bound).
 */
export function classifyLoad(signals: readonly SignalReading[]): Load {
  const over = signals.filter((s) => s.up !== null && s.value > s.up);
  const withDown = signals.filter((s) => s.down !== null);
  const under = over.length === 0 && withDown.length > 0 && withDown.every((s) => s.down !== null && s.value < s.down);
  return { over, under };
}

/** `cpu=0.82 > 0.7, qps=900 > 800` */
export function overText(over: readonly SignalReading[]): string {
  return over.map((s) => `${s.signal}=${num(s.value)} > ${num(s.up ?? 0)}`).join(', ');
}

/** `cpu=0.21 < 0.3, ram=0.3 < 0.4` */
export function underText(signals: readonly SignalReading[]): string {
  return signals
    .filter((s) => s.down !== null)
    .map((s) => `${s.signal}=${num(s.value)} < ${num(s.down ?? 0)}`)
    .join(', ');
}

/** `cpu=0.82, qps=900`: the values for a commit message. */
export function valuesText(signals: readonly SignalReading[]): string {
  return signals.map((s) => `${s.signal}=${num(s.value)}`).join(', ');
}

/** All declared values with their bounds, for a steady region: `cpu=0.5 (0.3..0.7)`. */
export function withinText(signals: readonly SignalReading[]): string {
  return signals
    .map((s) => `${s.signal}=${num(s.value)} (${s.down === null ? '-' : num(s.down)}..${s.up === null ? '-' : num(s.up)})`)
    .join(', ');
}
