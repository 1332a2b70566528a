// decide: what state a node should be in now, and why (in words and numbers). Pure.
import type { NodeState } from '@plane/events';
import type { HealthSettings, NodeHealth } from './types.js';

export interface Assessment {
  state: NodeState;
  reason: string;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Why the node must be out, or null when nothing forbids serving. */
export function ejectionCause(h: NodeHealth, s: HealthSettings, now: number): string | null {
  if (h.ips.length === 0) return 'not registered: no IPs known (heartbeats alone do not make a node)';
  if (h.last_heartbeat_at === null) return 'registered; no heartbeat yet';
  const age = now - h.last_heartbeat_at;
  if (age > s.heartbeat_timeout_ms) return `no heartbeat for ${secs(age)} (heartbeat_timeout ${secs(s.heartbeat_timeout_ms)})`;
  if (!h.exporter_ok) return `exporter error: ${h.exporter_error ?? 'metric source failed'}`;
  if (h.probe.fails >= s.fall) return `${h.probe.fails} failed probes in a row (fall ${s.fall})${h.probe.last_error ? `: ${h.probe.last_error}` : ''}`;
  const m = h.metrics;
  if (m && m.error_rate > s.eject_error_rate_above) return `error rate ${m.error_rate} over ${s.eject_error_rate_above} (mean of ${m.samples} heartbeats)`;
  if (m && m.rtt_ms > s.eject_rtt_ms_above) return `rtt ${m.rtt_ms} ms over ${s.eject_rtt_ms_above} ms (mean of ${m.samples} heartbeats)`;
  return null;
}

/**
 * The state a node should be in at `now`. A node that is out comes back only after `rise` passing
 * probes in a row (when it is probed at all); one failed probe or one late heartbeat makes it
 * suspect (still served), `fall` failed probes or `heartbeat_timeout` make it down.
 */
export function assessNode(h: NodeHealth, s: HealthSettings, now: number): Assessment {
  if (h.deregistered) return { state: 'deregistered', reason: 'deregistered' };
  if (h.draining) return { state: 'draining', reason: `draining: ${h.drain_reason ?? 'asked to drain'}` };
  const cause = ejectionCause(h, s, now);
  if (cause) return { state: 'down', reason: cause };
  const wasOut = h.state === null || h.state === 'down' || h.state === 'draining' || h.state === 'deregistered';
  if (wasOut && h.probe.seen > 0 && h.probe.passes < s.rise) {
    return { state: 'down', reason: `${h.probe.passes} of ${s.rise} passing probes in a row needed to return (rise ${s.rise})` };
  }
  const age = now - (h.last_heartbeat_at ?? now);
  if (h.probe.fails > 0) return { state: 'suspect', reason: `${h.probe.fails} failed probe(s) in a row (fall ${s.fall})` };
  if (age > 2 * s.interval_ms) return { state: 'suspect', reason: `heartbeat overdue: ${secs(age)} since the last (interval ${secs(s.interval_ms)})` };
  const m = h.metrics;
  return { state: 'ready', reason: m ? `healthy: cpu ${m.cpu}, rtt ${m.rtt_ms} ms, error rate ${m.error_rate}${h.probe.seen > 0 ? `, ${h.probe.passes} passing probes` : ''}` : 'healthy' };
}

/** Whether a node in this state takes traffic (its IPs are published). */
export function isServing(state: NodeState | null): boolean {
  return state === 'ready' || state === 'suspect';
}
