// A probe's outcome as the ProbeResult event recorded on the NODES stream.
import { envelope, nodeKey, nodeSubject, type ProbeResult } from '@plane/events';
import type { ProbeTarget } from './targets.js';

/** What one probe found, whoever measured it. */
export interface ProbeOutcome {
  ok: boolean;
  latency_ms: number;
  /** HTTP status, when an HTTP answer came. */
  status: number | null;
  error: string | null;
}

/**
 * Deterministic: the node, the IP and the round's scheduled time. The same round recorded twice
 * (a publish retry, or a second prober replica on the same schedule) is stored once.
 */
export function probeEventId(target: ProbeTarget, slotMs: number): string {
  return `probe:${nodeKey(target.node)}:${target.ip}:${slotMs}`;
}

export function probeSubject(target: ProbeTarget): string {
  return nodeSubject(target.node, 'probe');
}

/** Latencies to 0.01 ms: loopback answers take well under a millisecond. */
export function roundLatency(ms: number): number {
  return Math.max(0, Math.round(ms * 100) / 100);
}

export function probeResultEvent(
  target: ProbeTarget,
  slotMs: number,
  startedAt: Date,
  outcome: ProbeOutcome,
  prober: string,
  source: string,
): ProbeResult {
  return envelope(
    'ProbeResult',
    probeEventId(target, slotMs),
    {
      service: target.node.service,
      region: target.node.region,
      node_id: target.node.node_id,
      ip: target.ip,
      check: target.check,
      target: target.target,
      ok: outcome.ok,
      latency_ms: roundLatency(outcome.latency_ms),
      status: outcome.status,
      error: outcome.ok ? null : (outcome.error ?? 'failed'),
      prober,
    },
    source,
    startedAt,
  );
}
