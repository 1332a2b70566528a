// evolve: fold one NODES event into a node's record. Pure; the clock of an event is its stream
// timestamp, so a replay folds to the same values.
import type { NodeStreamEvent } from '@plane/events';
import type { MetricAverages, MetricSample, NodeHealth, NodeRecord, WindowSums } from './types.js';

export function newNodeRecord(e: { service: string; region: string; node_id: string }, at: number): NodeRecord {
  return {
    health: {
      service: e.service,
      region: e.region,
      node_id: e.node_id,
      ips: [],
      labels: {},
      registered_at: at,
      state: null,
      state_reason: 'known from its events; not registered yet',
      state_since: at,
      ready_since: null,
      last_heartbeat_at: null,
      last_heartbeat_seq: 0,
      exporter_ok: true,
      exporter_error: null,
      metrics: null,
      probe: { seen: 0, passes: 0, fails: 0, by_ip: {}, last_ok: null, last_at: null, last_latency_ms: null, last_error: null },
      draining: false,
      drain_reason: null,
      deregistered: false,
      last_seq: 0,
    },
    samples: [],
  };
}

export function averages(samples: MetricSample[]): MetricAverages | null {
  if (samples.length === 0) return null;
  return averagesOf(sumsOf(samples), samples.length, null);
}

/** Fixed point: metric values are added as integers of millionths, which sum exactly. */
const SCALE = 1_000_000;
const fixed = (x: number): number => Math.round(x * SCALE);

function sumsOf(samples: MetricSample[]): WindowSums {
  const sums: WindowSums = { cpu: 0, ram: 0, qps: 0, rtt_ms: 0, error_rate: 0 };
  for (const s of samples) add(sums, s, 1);
  return sums;
}

function add(sums: WindowSums, s: MetricSample, sign: 1 | -1): void {
  sums.cpu += sign * fixed(s.cpu);
  sums.ram += sign * fixed(s.ram);
  sums.qps += sign * fixed(s.qps);
  sums.rtt_ms += sign * fixed(s.rtt_ms);
  sums.error_rate += sign * fixed(s.error_rate);
}

/** Means rounded to 4 decimals; written into `into` when given (no allocation per heartbeat). */
function averagesOf(sums: WindowSums, n: number, into: MetricAverages | null): MetricAverages {
  const r = (sum: number) => Math.round(sum / n / (SCALE / 10_000)) / 10_000;
  const out = into ?? { cpu: 0, ram: 0, qps: 0, rtt_ms: 0, error_rate: 0, samples: 0 };
  out.cpu = r(sums.cpu);
  out.ram = r(sums.ram);
  out.qps = r(sums.qps);
  out.rtt_ms = r(sums.rtt_ms);
  out.error_rate = r(sums.error_rate);
  out.samples = n;
  return out;
}

/** Adds a heartbeat's metrics to the window (the averages follow at the next trim). */
export function addSample(rec: NodeRecord, sample: MetricSample): void {
  rec.samples.push(sample);
  if (rec.sums) add(rec.sums, sample, 1);
}

/**
 * Drops samples older than the window (relative to `now`) and refreshes the averages: constant
 * work per heartbeat, however many samples the window holds.
 */
export function trimWindow(rec: NodeRecord, now: number, windowMs: number): void {
  const from = now - windowMs;
  const sums = (rec.sums ??= sumsOf(rec.samples));
  let i = 0;
  while (i < rec.samples.length && rec.samples[i]!.at < from) add(sums, rec.samples[i++]!, -1);
  if (i > 0) rec.samples.splice(0, i);
  if (rec.samples.length === 0) {
    rec.health.metrics = null;
    rec.sums = { cpu: 0, ram: 0, qps: 0, rtt_ms: 0, error_rate: 0 };
    return;
  }
  rec.health.metrics = averagesOf(sums, rec.samples.length, rec.health.metrics);
}

/**
 * Folds an event in. `at` is the event's stream timestamp (ms), `seq` its stream sequence.
 * Returns false when the event says nothing about health (so nothing needs writing).
 */
export function evolveNode(rec: NodeRecord, event: NodeStreamEvent, seq: number, at: number, windowMs: number): boolean {
  const h: NodeHealth = rec.health;
  h.last_seq = seq;
  switch (event.type) {
    case 'NodeRegistered':
      h.ips = [...event.data.ips].sort();
      h.labels = { ...event.data.labels };
      if (h.deregistered || h.registered_at === 0 || h.state === null) h.registered_at = at;
      h.deregistered = false;
      return true;
    case 'NodeHeartbeat': {
      const d = event.data;
      h.last_heartbeat_at = at;
      h.last_heartbeat_seq = seq;
      h.exporter_ok = d.exporter_ok;
      h.exporter_error = d.exporter_ok ? null : (d.exporter_error ?? 'the metric source failed');
      if (d.exporter_ok) addSample(rec, { at, cpu: d.cpu, ram: d.ram, qps: d.qps, rtt_ms: d.rtt_ms, error_rate: d.error_rate });
      trimWindow(rec, at, windowMs);
      return true;
    }
    case 'ProbeResult': {
      const p = h.probe;
      p.seen++;
      p.last_ok = event.data.ok;
      p.last_at = at;
      p.last_latency_ms = event.data.latency_ms;
      p.last_error = event.data.error;
      const streak = p.by_ip[event.data.ip] ?? { passes: 0, fails: 0 };
      if (event.data.ok) {
        streak.passes++;
        streak.fails = 0;
      } else {
        streak.fails++;
        streak.passes = 0;
      }
      p.by_ip[event.data.ip] = streak;
      // IPs the node no longer has stop counting.
      for (const ip of Object.keys(p.by_ip)) if (h.ips.length > 0 && !h.ips.includes(ip)) delete p.by_ip[ip];
      const streaks = Object.values(p.by_ip);
      p.passes = Math.min(...streaks.map((x) => x.passes));
      p.fails = Math.max(...streaks.map((x) => x.fails));
      return true;
    }
    case 'NodeDeregistered':
      h.deregistered = true;
      return true;
    case 'NodeDrainChanged':
      h.draining = event.data.draining;
      h.drain_reason = event.data.draining ? `${event.data.reason} (by ${event.data.by})` : null;
      return true;
    case 'NodeReady':
    case 'NodeSuspect':
    case 'NodeDown': {
      const d = event.data;
      if (h.state !== d.to) {
        h.state = d.to;
        h.state_since = d.at;
        h.ready_since = d.to === 'ready' ? d.at : d.to === 'suspect' ? h.ready_since : null;
      }
      h.state_reason = d.reason;
      return true;
    }
    default: {
      const never: never = event;
      void never;
      return false;
    }
  }
}
