// Small builders for gtm decider specs: nodes, regions, a domain, and a "tick" that feeds the state on.
import type { WeightingSpec } from '@plane/declarations';
import { decideDomain, initialDomainState, type Decision, type DomainInput, type DomainState, type GtmAlertEvent, type GtmDecided, type GtmEvent, type NodeView, type RegionInput } from '../src/index.js';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
export const SOURCE = 'gtm-controller@test';

export const WEIGHTING: WeightingSpec = { rtt_ms_above: 300, rtt_factor: 0.7, error_rate_above: 0.05, error_factor: 0.5, dead_band: 0.1 };

export function node(id: string, ip: string, over: Partial<NodeView> = {}): NodeView {
  return { node_id: id, ips: [ip], state: 'ready', state_reason: 'healthy', rtt_ms: 50, error_rate: 0.001, ...over };
}

export function down(n: NodeView, reason = 'no heartbeat for 16.0s (heartbeat_timeout 15.0s)'): NodeView {
  return { ...n, state: 'down', state_reason: reason };
}

/** `count` ready nodes `<name>-1..count` with IPs 10.<octet>.0.<i>. */
export function nodes(name: string, count: number, octet: number): NodeView[] {
  return Array.from({ length: count }, (_, i) => node(`${name}-${i + 1}`, `10.${octet}.0.${i + 1}`));
}

export function region(name: string, weight: number, regionNodes: NodeView[], over: Partial<RegionInput> = {}): RegionInput {
  return { name, weight, min_ready_nodes: 1, fallback: true, nodes: regionNodes, ...over };
}

export function domain(regions: RegionInput[], over: Partial<DomainInput> = {}): DomainInput {
  return {
    service: 'svc-plus',
    domain: 'api.svc.plus',
    failover: 'weighted',
    weighting: WEIGHTING,
    max_ejection_percent: 50,
    heartbeat_timeout_ms: 15_000,
    provider: 'route53',
    zone: 'svc.plus',
    ttl: 30,
    suspended: false,
    suspend_reason: null,
    inputs_fresh: true,
    stale_reason: null,
    policy_commit: 'c0ffee0',
    regions,
    ...over,
  };
}

/** Replaces one region's nodes. */
export function withNodes(input: DomainInput, regionName: string, regionNodes: NodeView[]): DomainInput {
  return { ...input, regions: input.regions.map((r) => (r.name === regionName ? { ...r, nodes: regionNodes } : r)) };
}

export function decide(input: DomainInput, state: DomainState = initialDomainState(), now = T0): Decision {
  return decideDomain(input, state, now, SOURCE);
}

export function decidedOf(events: GtmEvent[]): GtmDecided {
  const d = events.find((e): e is GtmDecided => e.type === 'GtmDecided');
  if (!d) throw new Error(`no GtmDecided among ${events.map((e) => e.type).join(', ') || 'no events'}`);
  return d;
}

export function alertsOf(events: GtmEvent[]): GtmAlertEvent[] {
  return events.filter((e): e is GtmAlertEvent => e.type === 'GtmAlert');
}

export function weights(d: GtmDecided): Record<string, number> {
  return Object.fromEntries((d.data.answer?.regions ?? []).map((r) => [r.name, r.weight]));
}

/** Decides a sequence of (input, clock), feeding the state on; returns every decision. */
export function history(steps: [DomainInput, number][], start: DomainState = initialDomainState()): Decision[] {
  const out: Decision[] = [];
  let state = start;
  for (const [input, now] of steps) {
    const d = decide(input, state, now);
    out.push(d);
    state = d.state;
  }
  return out;
}
