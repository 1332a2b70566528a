// The autoscale decider's input, state and events. Everything here is plain JSON: a decision
// event records its full input, and `replayDecision` runs `decide` on it again.
import type { AutoscaleSpec } from '@plane/declarations';
import type { EventEnvelope, NodeState } from '@plane/events';

export type ScaleKind = 'scale_out' | 'scale_in';
export type Signal = 'cpu' | 'ram' | 'qps';

// ---------------------------------------------------------------- input

/** A node's window averages as far as scaling cares (from `NodeHealth.metrics`). */
export interface NodeMetrics {
  cpu: number;
  ram: number;
  /** This node's own qps: the region's qps-per-node is the mean over its reporting nodes. */
  qps: number;
  /** Heartbeats averaged; 0 means no metrics. */
  samples: number;
}

/** One node of the service in a region, cut down from `NodeHealth` (the `nodes` bucket). */
export interface NodeObservation {
  node_id: string;
  state: NodeState | null;
  /** Since when the node has been in `state` (out of DNS since then when draining / down). */
  state_since: number;
  /** Since when it has been ready without a break; null when not ready. Warmup counts from here. */
  ready_since: number | null;
  last_heartbeat_at: number | null;
  metrics: NodeMetrics | null;
}

/**
 * What the git-commit executor reported for a decision's command (from the OUTCOMES stream).
 * `pull_request_opened`: waiting for a merge; `pushed` / `merged` / `no_op` (the file already
 * said so): the change is in the branch; `failed`: it will not be, with `reason`.
 */
export type CommandStatus = 'pull_request_opened' | 'pushed' | 'merged' | 'no_op' | 'failed';

export interface CommandOutcome {
  decision_id: string;
  status: CommandStatus;
  at: number;
  commit: string | null;
  reason: string | null;
}

export interface RegionObservation {
  region: string;
  /** `node_count` of the region's tfvars file; null when missing or unreadable (the region is not acted on). */
  node_count: number | null;
  /** Why node_count is null, in words (`infra/node-pool/jp.tfvars: no such file`). */
  node_count_error: string | null;
  /** The service's nodes in this region, sorted by node_id. */
  nodes: NodeObservation[];
  /** The executor's latest outcome for this region's pending decision, if any. */
  command: CommandOutcome | null;
}

/** Everything one decision of one service is made from. Small, and recorded in full. */
export interface ScaleInput {
  /** The normalized policy; node_pool already resolved against region declarations. */
  spec: AutoscaleSpec;
  /** The Git commit the policy came from. */
  policy_commit: string;
  /** The decider's clock (ms since epoch). */
  now: number;
  /** The largest DNS TTL of the service's gtm domains, in ms (0 if none): a drained node waits this out. */
  dns_ttl_ms: number;
  /** A node with no heartbeat for this long counts as gone and its metrics as stale. */
  heartbeat_timeout_ms: number;
  /** One per region of the spec, sorted by region. */
  regions: RegionObservation[];
  /** The decider's own state before this decision (rebuilt by `evolve` from its events). */
  state: AutoscaleState;
}

// ---------------------------------------------------------------- state

/** The lifecycle of an action: scale-in drains first; then the command; then Git; then the nodes. */
export type PendingPhase = 'draining' | 'committing' | 'committed' | 'merged';

export interface PendingAction {
  /** The ScaleDecided event id (also the command's Nats-Msg-Id). */
  id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  /** The hot region whose overflow this serves (null: the region's own need or a bound). */
  origin: string | null;
  /** Decision time. */
  since: number;
  phase: PendingPhase;
  phase_since: number;
  /** When it is marked failed if not completed (provision_timeout after the command; drain: after the request). */
  deadline: number;
  /** Scale-in: the nodes to take out of DNS first (`<region>-<index>`, index >= to). */
  drain_node_ids: string[];
  drain_requested_at: number | null;
  /** The commit message decided with it (the command of a scale-in is sent after the drain). */
  message: string;
  /** The commit the executor reported, once known. */
  commit: string | null;
}

/** A recommendation and since when it has stood (kept only while inside the stabilization window). */
export interface RecommendationPoint {
  at: number;
  value: number;
}

export interface LastReason {
  /** Identity of the outcome (code and the numbers that matter, not the live metric values). */
  key: string;
  text: string;
  at: number;
}

export interface RegionScaleState {
  /** Time of the last ScaleDecided in the region. */
  last_action_at: number | null;
  /** No new action before this (cooldown after completion, backoff after failure). */
  cooldown_until: number | null;
  /** Consecutive failed actions: the backoff doubles with each, up to 8 cooldowns. */
  failures: number;
  last_failure: string | null;
  pending: PendingAction | null;
  /** Change points of the region's recommendation, oldest first, trimmed to the stabilization window. */
  recommendations: RecommendationPoint[];
  last_reason: LastReason | null;
}

/** The `autoscale` bucket's value for one service (key: the service). */
export interface AutoscaleState {
  service: string;
  /** By region name. */
  regions: Record<string, RegionScaleState>;
}

// ---------------------------------------------------------------- events

/** Why an action was decided (HPA-style reason codes). */
export type DecisionCause =
  | 'signal_over' // a declared signal over its up bound
  | 'signals_under' // every declared down bound undershot
  | 'region_min' // below the region's min_nodes
  | 'region_max' // above the region's max_nodes
  | 'overflow' // a hot region at max_nodes overflowed here
  | 'global_min_regions'
  | 'global_min_nodes'
  | 'global_max_nodes'; // over global.max_nodes: the most expensive shrinks first

/** Why an action was not taken. */
export type HoldCode =
  | 'suspended'
  | 'node_count_unknown'
  | 'pending'
  | 'cooldown'
  | 'backoff'
  | 'global_max_nodes'
  | 'global_min_nodes'
  | 'global_min_regions'
  | 'max_regions'
  | 'no_fresh_metrics'
  | 'stabilization'
  | 'no_headroom' // hot at max_nodes and no region can take the overflow
  | 'overflowed'; // hot at max_nodes; the overflow went (or is going) to another region

export interface SignalReading {
  signal: Signal;
  value: number;
  up: number | null;
  down: number | null;
}

export interface RegionMetrics {
  /** Nodes whose metrics counted (ready or suspect, warm, fresh). */
  nodes_reporting: number;
  /** Ready or suspect nodes. */
  nodes_ready: number;
  cpu: number;
  ram: number;
  /** Mean qps per reporting node. */
  qps: number;
}

/** Fields every event of the decider carries. */
export interface DecisionMeta {
  service: string;
  region: string;
  /** digestOf(inputs): with the decider version, it makes the event ids. */
  inputs_digest: string;
  clock: number;
  policy_commit: string;
  decider_version: string;
}

/** Per-region evaluation fields shared by ScaleDecided / ScaleHeld / ScaleSteady. */
export interface EvaluationFields {
  /** The node_count the decision started from (tfvars); null when unknown. */
  count: number | null;
  /** The region's own recommendation (its signals, clamped to its bounds; null without fresh metrics); recorded for stabilization. */
  recommendation: number | null;
  stabilization_ms: number;
  metrics: RegionMetrics | null;
  signals: SignalReading[];
  reason: string;
  reason_key: string;
}

export interface ScaleDecidedData extends DecisionMeta, EvaluationFields {
  decision_id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  causes: DecisionCause[];
  origin: string | null;
  node_pool: string;
  /** `autoscale: <service> <region> <kind> <from> -> <to> (<values>)`. */
  message: string;
  /** Scale-in: nodes drained before the commit. */
  drain_node_ids: string[];
  phase: PendingPhase;
  deadline: number;
  inputs: ScaleInput;
}

export interface ScaleHeldData extends DecisionMeta, EvaluationFields {
  code: HoldCode;
  /** What the region would do if not held (null: nothing in particular, e.g. count unknown). */
  wish: ScaleKind | null;
  /** When the hold ends by itself (cooldown, backoff, stabilization), if known. */
  until: number | null;
  /** The pending or overflow action the hold refers to. */
  related_decision_id: string | null;
  inputs: ScaleInput;
}

export interface ScaleSteadyData extends DecisionMeta, EvaluationFields {
  inputs: ScaleInput;
}

export interface DrainRequestedData extends DecisionMeta {
  decision_id: string;
  node_ids: string[];
  /** How long they must stay out of DNS before the commit: ttl + drain. */
  out_for_ms: number;
  reason: string;
}

/**
 * The git-commit command, published on the COMMANDS work queue. Its id is `<decision_id>:commit`
 * (one command per decision), so a replica or a retry records it once.
 */
export interface ScaleCommitRequestedData extends DecisionMeta {
  decision_id: string;
  node_pool: string;
  /** The full desired state: the count to write and the count it starts from. */
  from: number;
  to: number;
  message: string;
  git: { mode: 'push' | 'pull_request'; branch: string | null; repository: string | null; auto_merge: boolean };
}

export interface ScaleActionProgressedData extends DecisionMeta {
  decision_id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  origin: string | null;
  phase: PendingPhase;
  deadline: number;
  commit: string | null;
  reason: string;
  inputs: ScaleInput;
}

export interface ScaleActionCompletedData extends DecisionMeta {
  decision_id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  origin: string | null;
  since: number;
  cooldown_until: number;
  reason: string;
  inputs: ScaleInput;
}

export type FailureCause = 'provision_timeout' | 'drain_timeout' | 'command_failed';

export interface ScaleActionFailedData extends DecisionMeta {
  decision_id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  origin: string | null;
  cause: FailureCause;
  /** Consecutive failures in the region, this one included. */
  failures: number;
  backoff_until: number;
  /** The origin region of an overflow waits one cooldown too (null when none). */
  origin_cooldown_until: number | null;
  /** Drained nodes to put back in service (the scale-in will not happen). */
  undrain_node_ids: string[];
  reason: string;
  inputs: ScaleInput;
}

export interface ScaleActionCancelledData extends DecisionMeta {
  decision_id: string;
  kind: ScaleKind;
  from: number;
  to: number;
  origin: string | null;
  cooldown_until: number;
  undrain_node_ids: string[];
  reason: string;
  inputs: ScaleInput;
}

export type ScaleDecided = EventEnvelope<'ScaleDecided', ScaleDecidedData>;
export type ScaleHeld = EventEnvelope<'ScaleHeld', ScaleHeldData>;
export type ScaleSteady = EventEnvelope<'ScaleSteady', ScaleSteadyData>;
export type DrainRequested = EventEnvelope<'DrainRequested', DrainRequestedData>;
export type ScaleCommitRequested = EventEnvelope<'ScaleCommitRequested', ScaleCommitRequestedData>;
export type ScaleActionProgressed = EventEnvelope<'ScaleActionProgressed', ScaleActionProgressedData>;
export type ScaleActionCompleted = EventEnvelope<'ScaleActionCompleted', ScaleActionCompletedData>;
export type ScaleActionFailed = EventEnvelope<'ScaleActionFailed', ScaleActionFailedData>;
export type ScaleActionCancelled = EventEnvelope<'ScaleActionCancelled', ScaleActionCancelledData>;

/** Every event `decide` emits. */
export type AutoscaleEvent =
  | ScaleDecided
  | ScaleHeld
  | ScaleSteady
  | DrainRequested
  | ScaleCommitRequested
  | ScaleActionProgressed
  | ScaleActionCompleted
  | ScaleActionFailed
  | ScaleActionCancelled;

export type AutoscaleEventType = AutoscaleEvent['type'];

/** The events that record a decision with its full inputs (replayable). */
export type RecordedDecision = ScaleDecided | ScaleHeld | ScaleSteady | ScaleActionProgressed | ScaleActionCompleted | ScaleActionFailed | ScaleActionCancelled;

export interface DecideResult {
  events: AutoscaleEvent[];
  /** The state after the events: exactly `events.reduce(evolve, input.state)`. */
  state: AutoscaleState;
}
