// Given/when/then helpers: a policy, nodes, and a scenario that feeds each decision's state
// into the next, the way the autoscaler worker does with its `autoscale` bucket.
import type { AutoscaleRegionSpec, AutoscaleSpec } from '@plane/declarations';
import {
  decide,
  evolve,
  initialState,
  type AutoscaleEvent,
  type AutoscaleState,
  type CommandOutcome,
  type NodeObservation,
  type ScaleInput,
} from '../src/index.js';

export const T0 = Date.parse('2025-03-01T12:00:00Z');
export const SEC = 1000;
export const MIN = 60 * SEC;

export function region(name: string, over: Partial<AutoscaleRegionSpec> = {}): AutoscaleRegionSpec {
  return {
    name,
    min_nodes: 1,
    max_nodes: 5,
    scale_up_cpu: 0.7,
    scale_down_cpu: 0.3,
    scale_up_step: 1,
    scale_down_step: 1,
    cost: 1,
    node_pool: `infra/node-pool/${name}.tfvars`,
    node_pool_source: 'default',
    ...over,
  };
}

/** The policy of DECLARATIONS.md: jp (cpu, ram, qps bounds) and sg (cpu only, cheaper). */
export function policy(over: Partial<AutoscaleSpec> = {}, regions?: AutoscaleRegionSpec[]): AutoscaleSpec {
  return {
    service: 'svc-plus',
    window_ms: 5 * MIN,
    cooldown_ms: 5 * MIN,
    scale_down_stabilization_ms: 10 * MIN,
    provision_timeout_ms: 15 * MIN,
    warmup_ms: 2 * MIN,
    drain_ms: 30 * SEC,
    global: { min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 20 },
    regions: regions ?? [
      region('jp', { scale_up_ram: 0.8, scale_down_ram: 0.4, scale_up_qps: 800, scale_down_qps: 200, cost: 1 }),
      region('sg', { max_nodes: 3, cost: 0.6 }),
    ],
    git: { mode: 'push', branch: 'main', auto_merge: false },
    suspend: false,
    ...over,
  };
}

export interface NodeSketch {
  id: string;
  cpu?: number;
  ram?: number;
  qps?: number;
  state?: NodeObservation['state'];
  /** ms before the evaluation since when it is ready (default 1 h: warm). */
  readyFor?: number;
  /** ms before the evaluation of its last heartbeat (default 1 s). */
  silentFor?: number;
  /** Absolute state_since (default: 1 h before T0). */
  stateSince?: number;
  metrics?: false;
}

/** `n(jp, 0, { cpu: 0.82 })`: node jp-0, ready and warm. */
export function n(regionName: string, index: number, s: Omit<NodeSketch, 'id'> = {}): NodeSketch {
  return { id: `${regionName}-${index}`, ...s };
}

/** `count` nodes of a region all at the same load. */
export function nodes(regionName: string, count: number, s: Omit<NodeSketch, 'id'> = {}): NodeSketch[] {
  return Array.from({ length: count }, (_, i) => n(regionName, i, s));
}

function materialize(s: NodeSketch, now: number): NodeObservation {
  const state = s.state ?? 'ready';
  const serving = state === 'ready' || state === 'suspect';
  return {
    node_id: s.id,
    state,
    state_since: s.stateSince ?? T0 - 60 * MIN,
    ready_since: serving ? now - (s.readyFor ?? 60 * MIN) : null,
    last_heartbeat_at: now - (s.silentFor ?? SEC),
    metrics: s.metrics === false ? null : { cpu: s.cpu ?? 0.5, ram: s.ram ?? 0.6, qps: s.qps ?? 500, samples: 10 },
  };
}

export interface RegionSketch {
  count: number | null;
  nodes?: NodeSketch[];
  command?: Omit<CommandOutcome, 'decision_id' | 'commit' | 'reason'> & { decision_id?: string; commit?: string; reason?: string };
  error?: string;
}

export class Scenario {
  state: AutoscaleState;
  readonly log: AutoscaleEvent[] = [];
  lastInput: ScaleInput | null = null;

  constructor(
    public spec: AutoscaleSpec = policy(),
    readonly dnsTtlMs = 30 * SEC,
  ) {
    this.state = initialState(spec.service);
  }

  input(now: number, regions: Record<string, RegionSketch>): ScaleInput {
    return {
      spec: this.spec,
      policy_commit: 'c0ffee1',
      now,
      dns_ttl_ms: this.dnsTtlMs,
      heartbeat_timeout_ms: 15 * SEC,
      regions: this.spec.regions.map((r) => {
        const sketch = regions[r.name] ?? { count: 0 };
        const pending = this.state.regions[r.name]?.pending ?? null;
        return {
          region: r.name,
          node_count: sketch.count,
          node_count_error: sketch.count === null ? (sketch.error ?? `${r.node_pool}: no such file`) : null,
          nodes: (sketch.nodes ?? []).map((s) => materialize(s, now)).sort((a, b) => (a.node_id < b.node_id ? -1 : 1)),
          command:
            sketch.command === undefined
              ? null
              : {
                  status: sketch.command.status,
                  at: sketch.command.at,
                  commit: sketch.command.commit ?? null,
                  reason: sketch.command.reason ?? null,
                  decision_id: sketch.command.decision_id ?? pending?.id ?? 'none',
                },
        };
      }),
      state: this.state,
    };
  }

  /** When decide runs at `now` on these observations, then these events (and the state moves on). */
  at(now: number, regions: Record<string, RegionSketch>): AutoscaleEvent[] {
    const input = this.input(now, regions);
    this.lastInput = input;
    const { events, state } = decide(input, 'autoscaler-test');
    this.log.push(...events);
    this.state = state;
    return events;
  }

  /** The state rebuilt from every event so far. */
  rebuilt(): AutoscaleState {
    return this.log.reduce(evolve, initialState(this.spec.service));
  }
}

export function ofType<T extends AutoscaleEvent['type']>(events: readonly AutoscaleEvent[], type: T): Array<Extract<AutoscaleEvent, { type: T }>> {
  return events.filter((e): e is Extract<AutoscaleEvent, { type: T }> => e.type === type);
}

export function only<T extends AutoscaleEvent['type']>(events: readonly AutoscaleEvent[], type: T, regionName?: string): Extract<AutoscaleEvent, { type: T }> {
  const found = ofType(events, type).filter((e) => regionName === undefined || e.data.region === regionName);
  if (found.length !== 1) throw new Error(`expected one ${type}${regionName ? ` for ${regionName}` : ''}, got ${found.length}: ${events.map((e) => `${e.type}(${e.data.region})`).join(', ')}`);
  return found[0]!;
}

export function summary(events: readonly AutoscaleEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.data.region}`);
}
