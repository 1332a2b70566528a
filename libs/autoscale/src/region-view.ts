// What the decider knows about one region at this evaluation: its count, load, own
// recommendation, whether it may act, and (filled by the planner) what it will do.
import type { AutoscaleRegionSpec } from '@plane/declarations';
import { classifyLoad, readSignals, regionMetrics, type Load } from './metrics.js';
import type {
  DecisionCause,
  HoldCode,
  NodeObservation,
  RegionMetrics,
  RegionObservation,
  RegionScaleState,
  ScaleInput,
  ScaleKind,
  SignalReading,
} from './types.js';

/** Why a region may not act at all now. */
export interface Freeze {
  code: 'node_count_unknown' | 'pending' | 'cooldown' | 'backoff';
  until: number | null;
}

export interface CauseNote {
  cause: DecisionCause;
  /** Words and numbers for the reason: `cpu=0.82 > 0.7`. */
  reason: string;
  /** The values for the commit message: `cpu=0.82`. */
  short: string;
}

export interface HoldNote {
  code: HoldCode;
  wish: ScaleKind | null;
  key: string;
  reason: string;
  until: number | null;
  related_decision_id: string | null;
}

export interface Desire {
  to: number;
  cause: CauseNote;
}

export interface RegionView {
  name: string;
  spec: AutoscaleRegionSpec;
  nodes: readonly NodeObservation[];
  observation: RegionObservation | null;
  /** node_count in the tfvars file. */
  count: number | null;
  countError: string | null;
  metrics: RegionMetrics | null;
  signals: SignalReading[];
  load: Load;
  /** The region's own recommendation: its signals and step, clamped to its bounds (null: count unknown or no fresh metrics). */
  rec: number | null;
  /** What the region itself would do, for the words of a hold. */
  wish: ScaleKind | null;
  rs: RegionScaleState;
  freeze: Freeze | null;
  /** Nodes seen (not deregistered): the count assumed for the global bounds when the tfvars is unreadable. */
  estimate: number;
  /** The count the region is at or going to (a pending action's target), for the global bounds. */
  effective: number;
  /** The planner's result; starts at `effective`. */
  planned: number;
  causes: CauseNote[];
  origin: string | null;
  hold: HoldNote | null;
  /** A hot region at max whose overflow went to this region. */
  overflowTo: string | null;
  desireOut: Desire | null;
  desireIn: Desire | null;
  hotAtMax: boolean;
}

const EMPTY_NODES: readonly NodeObservation[] = [];

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** The region's load and own recommendation (no state involved). */
export function observeRegion(input: ScaleInput, spec: AutoscaleRegionSpec, observation: RegionObservation | null, rs: RegionScaleState): RegionView {
  const nodes = observation?.nodes ?? EMPTY_NODES;
  const count = observation?.node_count ?? null;
  const metrics = regionMetrics(nodes, { now: input.now, warmup_ms: input.spec.warmup_ms, heartbeat_timeout_ms: input.heartbeat_timeout_ms });
  const signals = readSignals(spec, metrics);
  const load = classifyLoad(signals);
  let rec: number | null = null;
  let wish: ScaleKind | null = null;
  if (count !== null) {
    // Without fresh metrics there is no recommendation (nothing is recorded for stabilization);
    // the region's bounds still apply.
    if (metrics !== null) {
      const raw = load.over.length > 0 ? count + spec.scale_up_step : load.under ? count - spec.scale_down_step : count;
      rec = clamp(raw, spec.min_nodes, spec.max_nodes);
    }
    if (count < spec.min_nodes || load.over.length > 0) wish = 'scale_out';
    else if (count > spec.max_nodes || (rec !== null && rec < count)) wish = 'scale_in';
  }
  const estimate = nodes.reduce((n, node) => (node.state === 'deregistered' ? n : n + 1), 0);
  const effective = rs.pending !== null ? rs.pending.to : (count ?? estimate);
  return {
    name: spec.name,
    spec,
    nodes,
    observation,
    count,
    countError: observation === null ? 'no observation of the region' : observation.node_count === null ? (observation.node_count_error ?? 'unreadable') : null,
    metrics,
    signals,
    load,
    rec,
    wish,
    rs,
    freeze: null,
    estimate,
    effective,
    planned: effective,
    causes: [],
    origin: null,
    hold: null,
    overflowTo: null,
    desireOut: null,
    desireIn: null,
    hotAtMax: false,
  };
}

/** Whether the region may act now, from its (post-housekeeping) state. */
export function freezeOf(view: RegionView, now: number): Freeze | null {
  if (view.count === null) return { code: 'node_count_unknown', until: null };
  if (view.rs.pending !== null) return { code: 'pending', until: view.rs.pending.deadline };
  const until = view.rs.cooldown_until;
  if (until !== null && now < until) return { code: view.rs.failures > 0 ? 'backoff' : 'cooldown', until };
  return null;
}
