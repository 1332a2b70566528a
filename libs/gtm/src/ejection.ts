// The mass-ejection guard's bookkeeping: which nodes stopped serving since the last recorded
// decision, and how many did within the last heartbeat_timeout.
import { isKeyOf, isOfRegion, isServing, servingKeys, servingUnchanged } from './region.js';
import type { DomainInput, DomainState, Ejection, RegionInput } from './types.js';

/** A node that served at the last recorded decision and does not now. */
export interface LeftNode {
  key: string;
  region: string;
  node_id: string;
  /** Its state_reason, or why it is missing. */
  reason: string;
  /**
   * Counted by the guard. A node draining or deregistered leaves on purpose (scale-in, an operator)
   * and is not counted; one down, without a state, or gone from the inputs is.
   */
  counted: boolean;
}

export interface ServingChange {
  /** The set of serving nodes differs from the one recorded. */
  changed: boolean;
  left: LeftNode[];
  /** Ejections within the window after this evaluation (oldest first), the nodes still out. */
  ejections: Ejection[];
}

function withinWindow(ejections: Ejection[], now: number, windowMs: number): Ejection[] {
  for (let i = 0; i < ejections.length; i++) {
    if (now - ejections[i]!.at >= windowMs) return ejections.filter((e) => now - e.at < windowMs);
  }
  return ejections;
}

export function servingChange(input: DomainInput, state: DomainState, now: number): ServingChange {
  const windowMs = input.heartbeat_timeout_ms;
  if (servingUnchanged(input, state.serving)) {
    // Recorded ejections are never serving nodes (a recorded decision drops the ones back), so only age matters.
    return { changed: false, left: [], ejections: withinWindow(state.ejections, now, windowMs) };
  }
  const diff = diffByRegion(input, state.serving) ?? diffBySet(input, state.serving);
  const ejections = withinWindow(state.ejections, now, windowMs).filter((e) => !isServingNow(input, e.node));
  for (const l of diff.left) if (l.counted) ejections.push({ node: l.key, at: now });
  return { changed: diff.changed, left: diff.left, ejections };
}

function leftNode(key: string, region: RegionInput | undefined, nodeId: string, regionName: string): LeftNode {
  const found = region?.nodes.find((n) => n.node_id === nodeId);
  if (found) {
    const st = found.state;
    return { key, region: regionName, node_id: nodeId, reason: found.state_reason || (st ?? 'no state'), counted: !isServing(st) && st !== 'draining' && st !== 'deregistered' };
  }
  // Gone from the inputs: counted while its region is still declared (a broken projection loses
  // nodes); a region taken out of the declaration takes its nodes out on purpose.
  return { key, region: regionName, node_id: nodeId, reason: region ? 'no longer listed' : 'region no longer declared', counted: region !== undefined };
}

function isServingNow(input: DomainInput, key: string): boolean {
  const slash = key.indexOf('/');
  const region = input.regions.find((r) => r.name === key.slice(0, slash));
  const id = key.slice(slash + 1);
  return region?.nodes.some((n) => n.node_id === id && isServing(n.state)) ?? false;
}

/**
 * The recorded serving keys are in input order, so each region's keys are one run: compare region
 * by region and look closer only where a run differs (usually one region, a few nodes). Null when
 * the runs do not line up (regions reordered or removed by a new declaration).
 */
function diffByRegion(input: DomainInput, serving: readonly string[]): { changed: boolean; left: LeftNode[] } | null {
  let k = 0;
  let changed = false;
  const left: LeftNode[] = [];
  for (const r of input.regions) {
    const name = r.name;
    const start = k;
    while (k < serving.length && isOfRegion(serving[k]!, name)) k++;
    const recorded = k - start;
    let current = 0;
    let sameRun = true;
    for (const n of r.nodes) {
      if (!isServing(n.state)) continue;
      if (sameRun && (current >= recorded || !isKeyOf(serving[start + current]!, name, n.node_id))) sameRun = false;
      current++;
    }
    if (sameRun && current === recorded) continue;
    let kept = 0;
    for (let i = start; i < k; i++) {
      const key = serving[i]!;
      const id = key.slice(name.length + 1);
      if (r.nodes.some((n) => n.node_id === id && isServing(n.state))) kept++;
      else left.push(leftNode(key, r, id, name));
    }
    if (kept !== recorded || current !== recorded) changed = true;
  }
  return k === serving.length ? { changed, left } : null;
}

function diffBySet(input: DomainInput, serving: readonly string[]): { changed: boolean; left: LeftNode[] } {
  const current = new Set(servingKeys(input));
  let kept = 0;
  const left: LeftNode[] = [];
  for (const key of serving) {
    if (current.has(key)) {
      kept++;
      continue;
    }
    const slash = key.indexOf('/');
    const regionName = key.slice(0, slash);
    left.push(leftNode(key, input.regions.find((r) => r.name === regionName), key.slice(slash + 1), regionName));
  }
  return { changed: kept !== serving.length || current.size !== serving.length, left };
}

/**
 * The domain's node count for the guard: the nodes listed (deregistered ones left out) plus the
 * ejected ones no longer listed at all, so that losing nodes from the inputs counts against the
 * nodes there were, and a count can never pass 100 %.
 */
export function guardTotal(input: DomainInput, listed: number, ejections: readonly Ejection[]): number {
  let missing = 0;
  for (const e of ejections) {
    const slash = e.node.indexOf('/');
    const region = input.regions.find((r) => r.name === e.node.slice(0, slash));
    const id = e.node.slice(slash + 1);
    if (!region || !region.nodes.some((n) => n.node_id === id)) missing++;
  }
  return listed + missing;
}

/** More than `percent` % of the domain's nodes went out within the window: the guard freezes. */
export function ejectionLimitExceeded(count: number, total: number, percent: number): boolean {
  return count > 0 && count * 100 > percent * total;
}
