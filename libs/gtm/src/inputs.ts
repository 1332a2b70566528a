// From a gtm declaration and the nodes' health to one DomainInput per domain. Pure.
import type { NodeState } from '@plane/events';
import type { GtmSpec } from '@plane/declarations';
import { zoneOfDomain } from '@plane/dns';
import type { DomainInput, NodeView, RegionInput } from './types.js';

/** The fields of a `nodes` bucket record (@plane/health's NodeHealth) the decider uses. */
export interface NodeHealthLike {
  service: string;
  region: string;
  node_id: string;
  ips: string[];
  state: NodeState | null;
  state_reason: string;
  metrics: { rtt_ms: number; error_rate: number } | null;
}

export type NodesByRegion = ReadonlyMap<string, readonly NodeView[]> | Readonly<Record<string, readonly NodeView[]>>;

export interface BuildDomainInputsOptions {
  /** The normalized gtm declaration. */
  spec: GtmSpec;
  /** The Git commit the declaration came with (recorded as policy_commit). */
  commit: string;
  /** The service's nodes: NodeViews per region, or a flat list of health records (other services' are skipped). */
  nodes: NodesByRegion | readonly NodeHealthLike[];
  /** An operator's suspend override (planectl suspend), on top of a declared `suspend: true`. */
  suspend?: { reason: string } | null;
  /** False when the controller knows its view is stale (lost NATS, lagging projection). Default true. */
  fresh?: boolean;
  stale_reason?: string | null;
  /**
   * Where `dns.zone` is not declared: the zone itself, or the provider's zone names (the one that is
   * the longest suffix of the domain is taken).
   */
  zone?: string | readonly string[];
}

function toView(n: NodeHealthLike): NodeView {
  return { node_id: n.node_id, ips: n.ips, state: n.state, state_reason: n.state_reason, rtt_ms: n.metrics?.rtt_ms ?? null, error_rate: n.metrics?.error_rate ?? null };
}

function byNodeId(a: NodeView, b: NodeView): number {
  return a.node_id < b.node_id ? -1 : a.node_id > b.node_id ? 1 : 0;
}

function groupNodes(service: string, nodes: BuildDomainInputsOptions['nodes']): Map<string, NodeView[]> {
  const out = new Map<string, NodeView[]>();
  if (Array.isArray(nodes)) {
    for (const n of nodes as readonly NodeHealthLike[]) {
      if (n.service !== service) continue;
      let list = out.get(n.region);
      if (!list) out.set(n.region, (list = []));
      list.push(toView(n));
    }
  } else if (nodes instanceof Map) {
    for (const [region, list] of nodes as ReadonlyMap<string, readonly NodeView[]>) out.set(region, [...list]);
  } else {
    for (const [region, list] of Object.entries(nodes as Readonly<Record<string, readonly NodeView[]>>)) out.set(region, [...list]);
  }
  // Node order is part of the recorded input: sort so that the same nodes give the same input.
  for (const list of out.values()) list.sort(byNodeId);
  return out;
}

export function buildDomainInputs(o: BuildDomainInputsOptions): DomainInput[] {
  const { spec } = o;
  const nodes = groupNodes(spec.service, o.nodes);
  const reasons: string[] = [];
  if (spec.suspend) reasons.push('declared suspend: true');
  if (o.suspend) reasons.push(o.suspend.reason);
  const fresh = o.fresh ?? true;
  return spec.domains.map((domain) => {
    let zone = spec.dns.zone;
    if (zone === undefined) zone = typeof o.zone === 'string' ? o.zone : o.zone ? (zoneOfDomain(domain.name, o.zone) ?? undefined) : undefined;
    if (zone === undefined) throw new Error(`gtm ${spec.service}: no zone for ${domain.name}: dns.zone is not declared and no provider zone is a suffix of it`);
    const regions: RegionInput[] = domain.regions.map((r) => ({ name: r.name, weight: r.weight, min_ready_nodes: r.min_ready_nodes, fallback: r.fallback, nodes: nodes.get(r.name) ?? [] }));
    return {
      service: spec.service,
      domain: domain.name,
      failover: domain.failover,
      weighting: spec.weighting,
      max_ejection_percent: spec.health.max_ejection_percent,
      heartbeat_timeout_ms: spec.health.heartbeat_timeout_ms,
      provider: spec.dns.provider,
      zone,
      ttl: spec.dns.ttl,
      suspended: reasons.length > 0,
      suspend_reason: reasons.length > 0 ? reasons.join('; ') : null,
      inputs_fresh: fresh,
      stale_reason: fresh ? null : (o.stale_reason ?? 'inputs stale'),
      policy_commit: o.commit,
      regions,
    };
  });
}
