// Building one service's decision input from plain data: the policy, the tfvars counts, the
// `nodes` bucket values, the executor's outcomes and the decider's own state.
import type { AutoscaleSpec, GtmSpec } from '@plane/declarations';
import { DEFAULT_HEALTH, type NodeHealth } from '@plane/health';
import { initialState } from './evolve.js';
import type { AutoscaleState, CommandOutcome, NodeObservation, RegionObservation, ScaleInput } from './types.js';

/** What the decider reads of a `nodes` bucket value (a whole `NodeHealth` will do). */
export type NodeHealthView = Pick<NodeHealth, 'service' | 'region' | 'node_id' | 'state' | 'state_since' | 'ready_since' | 'last_heartbeat_at' | 'metrics' | 'deregistered'>;

/** A region's tfvars `node_count`: the number, or why it could not be read. */
export type NodeCountReading = number | null | { error: string };

export interface ServiceInputSource {
  /** The normalized policy (node_pool resolved against region declarations, see `resolveNodePool`). */
  spec: AutoscaleSpec;
  policy_commit: string;
  now: number;
  /** The decider's state from the `autoscale` bucket; absent: a fresh one. */
  state?: AutoscaleState | null;
  /** By region; a region left out is read as missing. */
  node_counts: Readonly<Record<string, NodeCountReading>>;
  /** Nodes from the `nodes` bucket; other services' and undeclared regions' nodes are ignored. */
  nodes: Iterable<NodeHealthView>;
  /** The largest TTL of the service's gtm domains in ms (see `largestDnsTtlMs`); default 0. */
  dns_ttl_ms?: number;
  /** The gtm health `heartbeat_timeout`; default 15s. */
  heartbeat_timeout_ms?: number;
  /** The git-commit executor's latest outcomes; matched to the regions' pending decisions. */
  command_outcomes?: Iterable<CommandOutcome>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Cloudflare's `ttl: 1` means automatic, which is 300 s. */
export function largestDnsTtlMs(gtm: Iterable<Pick<GtmSpec, 'dns'>>): number {
  let largest = 0;
  for (const g of gtm) {
    const seconds = g.dns.provider === 'cloudflare' && g.dns.ttl === 1 ? 300 : g.dns.ttl;
    largest = Math.max(largest, seconds * 1000);
  }
  return largest;
}

export function observeNode(h: NodeHealthView): NodeObservation {
  const m = h.metrics;
  return {
    node_id: h.node_id,
    state: h.deregistered ? 'deregistered' : h.state,
    state_since: h.state_since,
    ready_since: h.ready_since,
    last_heartbeat_at: h.last_heartbeat_at,
    metrics: m === null ? null : { cpu: m.cpu, ram: m.ram, qps: m.qps, samples: m.samples },
  };
}

export function buildServiceInput(src: ServiceInputSource): ScaleInput {
  const spec = src.spec;
  const state = src.state ?? initialState(spec.service);
  const declared = new Set(spec.regions.map((r) => r.name));
  const nodesByRegion = new Map<string, NodeObservation[]>();
  for (const h of src.nodes) {
    if (h.service !== spec.service || !declared.has(h.region)) continue;
    let list = nodesByRegion.get(h.region);
    if (list === undefined) nodesByRegion.set(h.region, (list = []));
    list.push(observeNode(h));
  }
  const outcomes = new Map<string, CommandOutcome>();
  for (const o of src.command_outcomes ?? []) {
    const prev = outcomes.get(o.decision_id);
    if (prev === undefined || o.at >= prev.at) outcomes.set(o.decision_id, o);
  }
  const regions: RegionObservation[] = spec.regions
    .map((r) => r.name)
    .sort(byText)
    .map((name) => {
      const reading = Object.prototype.hasOwnProperty.call(src.node_counts, name) ? src.node_counts[name] : { error: `${poolOf(spec, name)}: not read` };
      const count = typeof reading === 'number' && Number.isInteger(reading) && reading >= 0 ? reading : null;
      const error =
        count !== null ? null : reading !== null && typeof reading === 'object' ? reading.error : typeof reading === 'number' ? `${poolOf(spec, name)}: node_count ${reading} is not a count` : `${poolOf(spec, name)}: missing or unreadable`;
      const pending = state.regions[name]?.pending ?? null;
      const nodes = (nodesByRegion.get(name) ?? []).sort((a, b) => byText(a.node_id, b.node_id));
      return {
        region: name,
        node_count: count,
        node_count_error: error,
        nodes,
        command: pending === null ? null : (outcomes.get(pending.id) ?? null),
      };
    });
  return {
    spec,
    policy_commit: src.policy_commit,
    now: src.now,
    dns_ttl_ms: src.dns_ttl_ms ?? 0,
    heartbeat_timeout_ms: src.heartbeat_timeout_ms ?? DEFAULT_HEALTH.heartbeat_timeout_ms,
    regions,
    state,
  };
}

function poolOf(spec: AutoscaleSpec, region: string): string {
  return spec.regions.find((r) => r.name === region)?.node_pool ?? `infra/node-pool/${region}.tfvars`;
}
