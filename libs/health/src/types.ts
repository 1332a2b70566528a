import type { NodeRef, NodeState } from '@plane/events';

/** The health settings of a service's gtm declaration (DECLARATIONS.md, health). */
export interface HealthSettings {
  interval_ms: number;
  rise: number;
  fall: number;
  heartbeat_timeout_ms: number;
  window_ms: number;
  eject_error_rate_above: number;
  eject_rtt_ms_above: number;
}

export const DEFAULT_HEALTH: HealthSettings = {
  interval_ms: 5000,
  rise: 2,
  fall: 3,
  heartbeat_timeout_ms: 15_000,
  window_ms: 30_000,
  eject_error_rate_above: 0.5,
  eject_rtt_ms_above: 1000,
};

export interface MetricSample {
  at: number;
  cpu: number;
  ram: number;
  qps: number;
  rtt_ms: number;
  error_rate: number;
}

export interface MetricAverages {
  cpu: number;
  ram: number;
  qps: number;
  rtt_ms: number;
  error_rate: number;
  /** Heartbeats averaged. */
  samples: number;
}

/** One node's health as the `nodes` bucket holds it (key `<service>.<region>.<node_id>`). */
export interface NodeHealth extends NodeRef {
  ips: string[];
  labels: Record<string, string>;
  registered_at: number;
  state: NodeState | null;
  state_reason: string;
  state_since: number;
  /** Since when it has been ready without a break (null when not ready): the autoscaler's warmup. */
  ready_since: number | null;
  last_heartbeat_at: number | null;
  /** Stream sequence of the last heartbeat (0: none yet). */
  last_heartbeat_seq: number;
  exporter_ok: boolean;
  exporter_error: string | null;
  /** Averages over the declared window. */
  metrics: MetricAverages | null;
  probe: ProbeStreak;
  draining: boolean;
  drain_reason: string | null;
  deregistered: boolean;
  /** Stream sequence of the last event folded for this node. */
  last_seq: number;
}

export interface ProbeStreak {
  /** Probe results seen at all (a node never probed is judged by heartbeats alone). */
  seen: number;
  /** Passing probes in a row of the node's worst IP (the fewest). */
  passes: number;
  /** Failed probes in a row of the node's worst IP (the most). */
  fails: number;
  /** Streaks per probed IP: a node with one bad IP of two must not flap between pass and fail. */
  by_ip: Record<string, { passes: number; fails: number }>;
  last_ok: boolean | null;
  last_at: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
}

/** In-memory state of one node: the bucket value plus the raw samples of the window. */
export interface NodeRecord {
  health: NodeHealth;
  samples: MetricSample[];
  /** Running sums of `samples` in millionths (exact integers, so any order of adding and
   * removing gives the same averages); built from `samples` when absent. */
  sums?: WindowSums;
}

export interface WindowSums {
  cpu: number;
  ram: number;
  qps: number;
  rtt_ms: number;
  error_rate: number;
}
