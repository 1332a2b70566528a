// One region's health as the weight formula sees it (DECLARATIONS.md, "What a weight means").
import type { NodeState } from '@plane/events';
import type { WeightingSpec } from '@plane/declarations';
import type { DomainInput, RegionInput } from './types.js';

/** Why a region cannot serve at all (before failover is considered). */
export type WithdrawCause = 'declared_zero' | 'min_ready' | 'no_ips';

export interface RegionHealth {
  region: RegionInput;
  /** Nodes ready or suspect. */
  ready: number;
  /** Nodes listed, deregistered ones left out. */
  total: number;
  /** The ready nodes' IPs, sorted, without duplicates. */
  ips: string[];
  /** Means over the ready nodes that report them (null: none does). */
  rtt_ms: number | null;
  error_rate: number | null;
  factor: number;
  rttHigh: boolean;
  errorHigh: boolean;
  /** Declared weight x factor, rounded, at least 1; 0 when withdrawn. */
  effective: number;
  withdrawn: WithdrawCause | null;
}

/** The same rule as @plane/health's isServing: ready and suspect nodes take traffic. */
export function isServing(state: NodeState | null): boolean {
  return state === 'ready' || state === 'suspect';
}

/** Key of a node in DomainState.serving / ejections. */
export function nodeKey(region: string, nodeId: string): string {
  return `${region}/${nodeId}`;
}

/** Rounds away the binary noise of products like 5 x 0.7 = 3.4999999999999996 before rounding to an integer. */
function clean(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function effectiveWeight(declared: number, factor: number): number {
  if (declared <= 0) return 0;
  return Math.max(1, Math.round(clean(declared * factor)));
}

export function assessRegion(region: RegionInput, w: WeightingSpec): RegionHealth {
  let ready = 0;
  let total = 0;
  let rttSum = 0;
  let rttN = 0;
  let errSum = 0;
  let errN = 0;
  const ips: string[] = [];
  const nodes = region.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.state === 'deregistered') continue;
    total++;
    if (!isServing(n.state)) continue;
    ready++;
    for (let j = 0; j < n.ips.length; j++) ips.push(n.ips[j]!);
    if (n.rtt_ms !== null) {
      rttSum += n.rtt_ms;
      rttN++;
    }
    if (n.error_rate !== null) {
      errSum += n.error_rate;
      errN++;
    }
  }
  const uniqueIps = sortUnique(ips);
  const rtt_ms = rttN > 0 ? rttSum / rttN : null;
  const error_rate = errN > 0 ? errSum / errN : null;
  const rttHigh = rtt_ms !== null && rtt_ms > w.rtt_ms_above;
  const errorHigh = error_rate !== null && error_rate > w.error_rate_above;
  const factor = clean((rttHigh ? w.rtt_factor : 1) * (errorHigh ? w.error_factor : 1));
  let withdrawn: WithdrawCause | null = null;
  if (region.weight <= 0) withdrawn = 'declared_zero';
  else if (ready < region.min_ready_nodes || ready === 0) withdrawn = 'min_ready';
  else if (uniqueIps.length === 0) withdrawn = 'no_ips';
  return {
    region,
    ready,
    total,
    ips: uniqueIps,
    rtt_ms,
    error_rate,
    factor,
    rttHigh,
    errorHigh,
    effective: withdrawn === null ? effectiveWeight(region.weight, factor) : 0,
    withdrawn,
  };
}

/**
 * Sorts and de-duplicates in place. Insertion sort: a region has a handful of IPs, often listed
 * nearly in order, and this runs for every region on every tick (Array#sort costs more here).
 */
function sortUnique(ips: string[]): string[] {
  const n = ips.length;
  if (n < 2) return ips;
  for (let i = 1; i < n; i++) {
    const x = ips[i]!;
    let j = i - 1;
    while (j >= 0 && ips[j]! > x) {
      ips[j + 1] = ips[j]!;
      j--;
    }
    ips[j + 1] = x;
  }
  let k = 1;
  for (let i = 1; i < n; i++) if (ips[i] !== ips[k - 1]) ips[k++] = ips[i]!;
  ips.length = k;
  return ips;
}

/** Serving node keys in input order (regions as declared, nodes as listed). */
export function servingKeys(input: DomainInput): string[] {
  const out: string[] = [];
  for (const r of input.regions) for (const n of r.nodes) if (isServing(n.state)) out.push(nodeKey(r.name, n.node_id));
  return out;
}

/** Whether `serving` lists exactly the serving nodes of `input`, in input order, without building the keys. */
export function servingUnchanged(input: DomainInput, serving: readonly string[]): boolean {
  let k = 0;
  for (const r of input.regions) {
    const name = r.name;
    for (const n of r.nodes) {
      if (!isServing(n.state)) continue;
      const key = serving[k++];
      if (key === undefined || !isKeyOf(key, name, n.node_id)) return false;
    }
  }
  return k === serving.length;
}

export function isKeyOf(key: string, region: string, nodeId: string): boolean {
  return key.length === region.length + 1 + nodeId.length && key.charCodeAt(region.length) === 47 && key.startsWith(region) && key.endsWith(nodeId);
}

export function isOfRegion(key: string, region: string): boolean {
  return key.length > region.length && key.charCodeAt(region.length) === 47 && key.startsWith(region);
}
