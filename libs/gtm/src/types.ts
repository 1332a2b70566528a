// The gtm decider's inputs, state and outputs. Everything here is small and JSON-serializable:
// a decision event records its full input so `replay --verify` can run the decider again.
import type { EventEnvelope, NodeState } from '@plane/events';
import type { FailoverMode, WeightingSpec } from '@plane/declarations';
import type { DomainAnswer, ProviderKind } from '@plane/dns';

/** One node of a region as the decider sees it (from the `nodes` bucket). */
export interface NodeView {
  node_id: string;
  ips: string[];
  state: NodeState | null;
  state_reason: string;
  /** Averages over the health window; null when the node reports none. */
  rtt_ms: number | null;
  error_rate: number | null;
}

export interface RegionInput {
  name: string;
  /** Declared weight 0..1000. */
  weight: number;
  min_ready_nodes: number;
  fallback: boolean;
  nodes: NodeView[];
}

/** Everything one domain's decision depends on. */
export interface DomainInput {
  service: string;
  domain: string;
  failover: FailoverMode;
  weighting: WeightingSpec;
  max_ejection_percent: number;
  heartbeat_timeout_ms: number;
  provider: ProviderKind;
  zone: string;
  ttl: number;
  /** Declared `suspend: true`, or an operator's suspend override. */
  suspended: boolean;
  suspend_reason: string | null;
  /** False when the controller knows its view is stale (NATS lost, projection lagging): fail static. */
  inputs_fresh: boolean;
  stale_reason: string | null;
  policy_commit: string;
  /** Regions in declared order. */
  regions: RegionInput[];
}

/** What the decider remembers per domain between decisions (rebuilt from its own events). */
export interface DomainState {
  /** The answer last decided (what DNS should hold). */
  answer: DomainAnswer | null;
  /** The last answer in which at least one region served: kept when all would be withdrawn. */
  last_good: DomainAnswer | null;
  /**
   * The status of the last decision (GtmDecidedData.status: the reason without transitions or live
   * numbers). A decision is recorded when the answer, this text or the serving set changes.
   */
  last_reason: string | null;
  /** Serving node keys (`<region>/<node_id>`, input order) at the last decision, to count ejections. */
  serving: string[];
  /** Ejections seen (node key, clock), trimmed to the mass-ejection window at each recorded decision. */
  ejections: { node: string; at: number }[];
  frozen: { since: number; reason: string } | null;
  /** Added: the outcome of the last recorded decision (alerts fire when an outcome starts, not every tick). */
  last_outcome: GtmOutcome | null;
  /**
   * Added: GtmDecided events folded so far: the next decision's ordinal. It is in the decision id,
   * so an id never repeats within a domain's history without the clock being in it.
   */
  decisions: number;
}

/** A node that stopped serving (`<region>/<node_id>`) and when the decider saw it. */
export type Ejection = DomainState['ejections'][number];

export interface RegionOutcome {
  name: string;
  base_weight: number;
  weight_before: number;
  weight: number;
  ready: number;
  total: number;
  min_ready_nodes: number;
  rtt_ms: number | null;
  error_rate: number | null;
  factor: number;
  ips: string[];
  /** e.g. "jp: 0 of 1 ready nodes (min 1): weight 100 -> 0". */
  reason: string;
}

/** `zone_not_found`: the domain's zone could not be determined, so nothing was decided for it. */
export type GtmAlertKind = 'all_withdrawn' | 'mass_ejection' | 'stale_inputs' | 'zone_not_found';

export interface GtmAlert {
  kind: GtmAlertKind;
  message: string;
}

// ---------------------------------------------------------------- events (added)

export type GtmOutcome = 'changed' | 'unchanged_weights_within_dead_band' | 'fail_open' | 'frozen' | 'suspended' | 'stale';

export interface GtmDecidedData {
  service: string;
  domain: string;
  provider: ProviderKind;
  zone: string;
  ttl: number;
  outcome: GtmOutcome;
  /** One per declared region, in declared order. */
  regions: RegionOutcome[];
  /** What DNS should hold; null = nothing decided yet (stale or suspended before a first decision): leave DNS alone. */
  answer: DomainAnswer | null;
  /** Whether `answer` differs from the answer decided before (a DNS-apply command is due). */
  dns_change: boolean;
  /** One line, with the transitions: `api.svc.plus: jp 100 -> 0 (0 of 1 ready, min 1); sg 10`. */
  reason: string;
  /**
   * The same line without transitions or live numbers: stable while nothing changes. It is what
   * `DomainState.last_reason` holds and what "the reason changed" compares.
   */
  status: string;
  /** Nodes that stopped serving within the last heartbeat_timeout (the mass-ejection guard's count). */
  ejections: Ejection[];
  /**
   * digestOf(inputs). Computed on first read (a cached, enumerable getter: JSON.stringify and
   * structuredClone see a plain string), so deciding does not pay for hashing ~27 kB per domain.
   */
  inputs_digest: string;
  inputs: DomainInput;
  /** The state decided from: replay runs decide on (inputs, state_before, clock). */
  state_before: DomainState;
  clock: number;
  policy_commit: string;
  decider_version: string;
}

export interface GtmAlertData extends GtmAlert {
  service: string;
  domain: string;
  clock: number;
  /** Added: the id of the GtmDecided this alert came with; null for `zone_not_found` (nothing was decided). */
  decision_id: string | null;
}

export type GtmDecided = EventEnvelope<'GtmDecided', GtmDecidedData>;
export type GtmAlertEvent = EventEnvelope<'GtmAlert', GtmAlertData>;
export type GtmEvent = GtmDecided | GtmAlertEvent;

export interface ReplayResult {
  same: boolean;
  /** Added: `other_version` is not a mismatch; `not_a_decision` for anything but a GtmDecided. */
  verdict: 'same' | 'mismatch' | 'other_version' | 'not_a_decision';
  reason?: string;
}
