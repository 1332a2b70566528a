// Reading load-balancing state as POOL record sets: each owned pool of a domain is one set
// (setId = region, values = enabled origin addresses, weight = its share in the domain's load
// balancer, ttl = the load balancer's). A load balancer at the name without our marker is
// reported as one foreign POOL set, so the planner sees the conflict.
import type Cloudflare from 'cloudflare';
import type { LoadBalancer } from 'cloudflare/resources/load-balancers/load-balancers';
import type { Pool } from 'cloudflare/resources/load-balancers/pools/pools';
import { normalizeName, type CurrentRecordSet } from '../../model.js';
import type { Calls } from './client.js';
import { isOwned, parsePoolDescription } from './ownership.js';

export interface LbSnapshot {
  pools: Pool[];
  loadBalancers: LoadBalancer[];
}

export async function readLbSnapshot(client: Cloudflare, accountId: string, zoneId: string, calls: Calls): Promise<LbSnapshot> {
  // Both lists are single pages in the SDK (no pagination on these endpoints).
  const pools = await calls.one(() => client.loadBalancers.pools.list({ account_id: accountId }));
  const loadBalancers = await calls.one(() => client.loadBalancers.list({ zone_id: zoneId }));
  return { pools: pools.result, loadBalancers: loadBalancers.result };
}

export function loadBalancerAt(snap: LbSnapshot, name: string): LoadBalancer | undefined {
  return snap.loadBalancers.find((lb) => normalizeName(lb.name ?? '') === name);
}

export interface DomainPool {
  pool: Pool & { id: string };
  region: string;
  /** Another owned pool already stands for this region (left over from an interrupted apply). */
  duplicate: boolean;
}

/** Our pools for a domain; per region the one the load balancer uses comes first, the rest are duplicates. */
export function domainPools(snap: LbSnapshot, name: string): DomainPool[] {
  const lb = loadBalancerAt(snap, name);
  const inLb = (p: Pool) => (lb?.default_pools ?? []).includes(p.id ?? '');
  const mine = snap.pools
    .filter((p): p is Pool & { id: string } => p.id !== undefined && parsePoolDescription(p.description)?.domain === name)
    .sort((a, b) => Number(inLb(b)) - Number(inLb(a)) || (a.created_on ?? '').localeCompare(b.created_on ?? '') || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  return mine.map((pool) => {
    const region = parsePoolDescription(pool.description)!.region;
    const duplicate = seen.has(region);
    seen.add(region);
    return { pool, region, duplicate };
  });
}

export function poolWeightIn(lb: LoadBalancer, poolId: string): number {
  return lb.random_steering?.pool_weights?.[poolId] ?? lb.random_steering?.default_weight ?? 1;
}

export function poolSetsAt(snap: LbSnapshot, name: string): CurrentRecordSet[] {
  const out: CurrentRecordSet[] = [];
  const lb = loadBalancerAt(snap, name);
  if (lb && !isOwned(lb.description)) {
    out.push({ name, type: 'POOL', setId: `load-balancer:${lb.id ?? ''}`, ttl: lb.ttl ?? 0, values: [...(lb.default_pools ?? [])].sort(), owned: false, ids: lb.id ? [lb.id] : [] });
  }
  const ownLb = lb && isOwned(lb.description) ? lb : undefined;
  for (const { pool, region, duplicate } of domainPools(snap, name)) {
    const used = ownLb?.default_pools?.includes(pool.id) ?? false;
    out.push({
      name,
      type: 'POOL',
      // A duplicate gets a key of its own so the planner deletes it.
      setId: duplicate ? `${region}#${pool.id}` : region,
      // Not (yet) in the load balancer: no weight and ttl 0, so the planner updates it into place.
      ttl: used ? (ownLb!.ttl ?? 0) : 0,
      ...(used ? { weight: poolWeightIn(ownLb!, pool.id) } : {}),
      values: (pool.origins ?? []).filter((o) => o.enabled !== false && o.address).map((o) => o.address!).sort(),
      owned: true,
      ids: [pool.id],
    });
  }
  return out;
}
