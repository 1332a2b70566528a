// `load_balancer` mode: per domain, one pool per region (origins = the region's ready IPs, equal
// origin weights) and one load balancer with steering_policy `random` whose
// random_steering.pool_weights carry each region's share. Order per domain: pools are created or
// updated, then the load balancer is created/updated to reference exactly the remaining pools
// (or deleted when none remain), then withdrawn pools are deleted — a pool cannot be deleted while
// a load balancer references it, and a load balancer can only reference existing pools.
import type Cloudflare from 'cloudflare';
import type { LoadBalancer } from 'cloudflare/resources/load-balancers/load-balancers';
import type { Pool } from 'cloudflare/resources/load-balancers/pools/pools';
import { DnsProviderError, normalizeName, type Change, type CurrentRecordSet, type RecordSet } from '../../model.js';
import type { Calls } from './client.js';
import type { DnsRecordsMode } from './dns-mode.js';
import { readRecordsAt } from './dns-read.js';
import { assertInZone, assertOwnedOnly, assertWritablePool, assertWritableRecord } from './guards.js';
import { domainPools, loadBalancerAt, poolSetsAt, poolWeightIn, readLbSnapshot, type LbSnapshot } from './lb-read.js';
import type { ResolvedOptions } from './options.js';
import { isOwned, loadBalancerDescription, poolDescription, poolName } from './ownership.js';
import type { ZoneDirectory, ZoneRef } from './zones.js';

/** Load balancer TTL when a change set only deletes pools and no load balancer exists yet. */
const DEFAULT_LB_TTL = 30;

function changedSet(c: Change): RecordSet {
  return c.action === 'delete' ? c.before : c.after;
}

function poolBody(name: string, set: RecordSet) {
  return {
    name: poolName({ domain: name, region: set.setId }),
    description: poolDescription({ domain: name, region: set.setId }),
    enabled: true,
    minimum_origins: 1,
    // Equal origin weights: a region's share is split evenly over its ready IPs.
    origins: set.values.map((address) => ({ name: address, address, enabled: true, weight: 1 })),
  };
}

function samePool(pool: Pool, body: ReturnType<typeof poolBody>): boolean {
  const have = (pool.origins ?? []).map((o) => `${o.address}|${o.enabled !== false}|${o.weight ?? 1}`).sort();
  const want = body.origins.map((o) => `${o.address}|true|1`).sort();
  return pool.name === body.name && pool.description === body.description && pool.enabled !== false && have.join() === want.join();
}

interface LbBody {
  name: string;
  description: string;
  default_pools: string[];
  fallback_pool: string;
  steering_policy: 'random';
  random_steering: { pool_weights: Record<string, number> };
  proxied: false;
  ttl: number;
}

function sameLoadBalancer(lb: LoadBalancer, body: LbBody): boolean {
  const weights = (w: Record<string, number> | undefined) => JSON.stringify(Object.entries(w ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return (
    lb.description === body.description &&
    (lb.default_pools ?? []).join() === body.default_pools.join() &&
    lb.fallback_pool === body.fallback_pool &&
    lb.steering_policy === body.steering_policy &&
    weights(lb.random_steering?.pool_weights) === weights(body.random_steering.pool_weights) &&
    lb.proxied === body.proxied &&
    lb.ttl === body.ttl
  );
}

export class LoadBalancerMode {
  constructor(
    private readonly client: Cloudflare,
    private readonly zones: ZoneDirectory,
    private readonly opts: ResolvedOptions,
    private readonly dns: DnsRecordsMode,
  ) {}

  private async zoneWithAccount(zone: string, calls: Calls): Promise<ZoneRef & { accountId: string }> {
    const ref = await this.zones.resolve(zone, calls, true);
    if (!ref.accountId) throw new DnsProviderError(`no account id for zone ${zone}: set accountId`, undefined, 'AccountUnknown');
    return { ...ref, accountId: ref.accountId };
  }

  /** POOL sets plus the DNS records at the names (an A/CNAME there is a conflict for the planner). */
  async records(zone: string, names: string[], calls: Calls): Promise<CurrentRecordSet[]> {
    if (names.length === 0) return [];
    const ref = await this.zoneWithAccount(zone, calls);
    const snap = await readLbSnapshot(this.client, ref.accountId, ref.id, calls);
    const unique = [...new Set(names.map(normalizeName))].sort();
    const pools = unique.flatMap((name) => poolSetsAt(snap, name));
    return [...pools, ...(await readRecordsAt(this.client, ref.id, unique, this.opts.perPage, calls))];
  }

  async apply(zone: string, changes: Change[], calls: Calls): Promise<void> {
    assertOwnedOnly(changes);
    const poolChanges = changes.filter((c) => changedSet(c).type === 'POOL');
    // Anything else (A/AAAA left from dns mode) goes through the records path, after the load
    // balancer exists: it takes precedence over records at its hostname.
    const recordChanges = changes.filter((c) => changedSet(c).type !== 'POOL');
    for (const c of changes) {
      if (c.action === 'delete') continue;
      assertInZone(c.after, zone);
      if (c.after.type === 'POOL') assertWritablePool(c.after);
      else assertWritableRecord(c.after, this.opts.minTtl);
    }
    if (poolChanges.length > 0) {
      const ref = await this.zoneWithAccount(zone, calls);
      const snap = await readLbSnapshot(this.client, ref.accountId, ref.id, calls);
      const byName = new Map<string, Change[]>();
      for (const c of poolChanges) byName.set(changedSet(c).name, [...(byName.get(changedSet(c).name) ?? []), c]);
      // Checked for every name before the first write, so a refusal leaves nothing half-done.
      for (const name of byName.keys()) {
        const lb = loadBalancerAt(snap, name);
        if (lb && !isOwned(lb.description)) throw new DnsProviderError(`refusing to change load balancer ${name}: it is not ours`, undefined, 'ForeignRecord');
      }
      for (const [name, group] of [...byName].sort(([a], [b]) => a.localeCompare(b))) await this.applyDomain(name, group, snap, ref, calls);
    }
    if (recordChanges.length > 0) await this.dns.apply(zone, recordChanges, calls);
  }

  private async applyDomain(name: string, changes: Change[], snap: LbSnapshot, ref: ZoneRef & { accountId: string }, calls: Calls): Promise<void> {
    const lb = loadBalancerAt(snap, name);
    // region -> the pool standing for it, and pool id -> weight, as the load balancer has them now.
    const byRegion = new Map<string, string>();
    for (const p of domainPools(snap, name)) if (!p.duplicate) byRegion.set(p.region, p.pool.id);
    const weights = new Map<string, number>((lb?.default_pools ?? []).map((id) => [id, poolWeightIn(lb!, id)]));
    const poolsById = new Map(snap.pools.map((p) => [p.id, p]));
    const withdrawn: string[] = [];
    let ttl = lb?.ttl ?? DEFAULT_LB_TTL;

    for (const c of changes) {
      if (c.action === 'delete') {
        for (const id of c.before.ids ?? []) {
          withdrawn.push(id);
          for (const [region, poolId] of byRegion) if (poolId === id) byRegion.delete(region);
        }
        continue;
      }
      const body = poolBody(name, c.after);
      const existingId = (c.action === 'update' ? c.before.ids?.[0] : undefined) ?? byRegion.get(c.after.setId);
      const existing = existingId ? poolsById.get(existingId) : undefined;
      let id: string;
      if (existing?.id) {
        if (!samePool(existing, body)) await calls.one(() => this.client.loadBalancers.pools.update(existing.id!, { account_id: ref.accountId, ...body }));
        id = existing.id;
      } else {
        const created = await calls.one(() => this.client.loadBalancers.pools.create({ account_id: ref.accountId, ...body }));
        if (!created.id) throw new DnsProviderError(`Cloudflare returned no id for pool ${body.name}`, undefined, 'InvalidResponse');
        id = created.id;
      }
      byRegion.set(c.after.setId, id);
      weights.set(id, c.after.weight!);
      ttl = c.after.ttl;
    }

    const remaining = [...byRegion].sort(([a], [b]) => a.localeCompare(b)).map(([, id]) => id);
    if (remaining.length === 0) {
      if (lb?.id) await calls.one(() => this.client.loadBalancers.delete(lb.id!, { zone_id: ref.id }));
    } else {
      const weightOf = (id: string) => weights.get(id) ?? 1;
      const body: LbBody = {
        name,
        description: loadBalancerDescription(name),
        default_pools: remaining,
        // The heaviest region takes the traffic if every pool is ever reported unhealthy.
        fallback_pool: remaining.reduce((best, id) => (weightOf(id) > weightOf(best) ? id : best)),
        steering_policy: 'random',
        random_steering: { pool_weights: Object.fromEntries(remaining.map((id) => [id, weightOf(id)])) },
        proxied: false,
        ttl,
      };
      if (!lb?.id) await calls.one(() => this.client.loadBalancers.create({ zone_id: ref.id, ...body }));
      else if (!sameLoadBalancer(lb, body)) await calls.one(() => this.client.loadBalancers.update(lb.id!, { zone_id: ref.id, ...body }));
    }
    for (const id of withdrawn) await calls.one(() => this.client.loadBalancers.pools.delete(id, { account_id: ref.accountId }));
  }
}
