// Checks made before any write, so a change set Cloudflare would refuse part-way (a batch of
// several, or the pool/LB sequence) is refused whole, and foreign records are never touched.
import { isIPv4, isIPv6 } from 'node:net';
import { DnsProviderError, normalizeName, type Change, type RecordSet } from '../../model.js';
import { describeChange } from '../../plan.js';

const MAX_TTL = 86_400;

/** A change to a record without our marker is a bug upstream: the planner never emits one. */
export function assertOwnedOnly(changes: Change[]): void {
  for (const c of changes) {
    if (c.action !== 'create' && !c.before.owned) {
      throw new DnsProviderError(`refusing to ${c.action} a record set we do not own: ${describeChange(c)}`, undefined, 'ForeignRecord');
    }
  }
}

/**
 * Cloudflare silently appends the zone to a name outside it (`api.example.org` in example.com
 * becomes `api.example.org.example.com`), so a wrong name must be caught here.
 */
export function assertInZone(set: RecordSet, zone: string): void {
  const z = normalizeName(zone);
  if (set.name !== z && !set.name.endsWith(`.${z}`)) throw new DnsProviderError(`${set.name} is not inside zone ${z}`, undefined, 'NameOutsideZone');
}

/** Cloudflare's record rules, with its own codes: 9005/9006 wrong address family, 9021 TTL. */
export function assertWritableRecord(set: RecordSet, minTtl: number): void {
  const what = `${set.name} ${set.type}`;
  if (set.type !== 'A' && set.type !== 'AAAA') throw new DnsProviderError(`${what}: only A and AAAA records are written in dns mode`, undefined, 'UnsupportedType');
  if (set.values.length === 0) throw new DnsProviderError(`${what}: a record set needs at least one value`, undefined, 'EmptyRecordSet');
  for (const v of set.values) {
    if (set.type === 'A' && !isIPv4(v)) throw new DnsProviderError(`${what}: Content for A record must be a valid IPv4 address (${v})`, undefined, '9005');
    if (set.type === 'AAAA' && !isIPv6(v)) throw new DnsProviderError(`${what}: Content for AAAA record must be a valid IPv6 address (${v})`, undefined, '9006');
  }
  if (!Number.isInteger(set.ttl) || (set.ttl !== 1 && (set.ttl < minTtl || set.ttl > MAX_TTL))) {
    throw new DnsProviderError(`${what}: Invalid TTL ${set.ttl}. Must be between ${minTtl} and ${MAX_TTL} seconds, or 1 for automatic.`, undefined, '9021');
  }
}

/** A POOL set: weight 0.01..1.00 in steps of 0.01 (the pool's share), at least one origin address. */
export function assertWritablePool(set: RecordSet): void {
  const what = `${set.name} POOL [${set.setId}]`;
  if (set.type !== 'POOL') throw new DnsProviderError(`${what}: expected type POOL`, undefined, 'UnsupportedType');
  if (set.setId === '') throw new DnsProviderError(`${what}: a pool needs its region as setId`, undefined, 'InvalidPool');
  if (set.values.length === 0) throw new DnsProviderError(`${what}: a pool needs at least one origin`, undefined, 'EmptyRecordSet');
  const w = set.weight;
  if (w === undefined || w <= 0 || w > 1 || Math.abs(w * 100 - Math.round(w * 100)) > 1e-6) {
    throw new DnsProviderError(`${what}: pool weight must be 0.01..1.00 in steps of 0.01 (got ${String(w)})`, undefined, 'InvalidWeight');
  }
  if (!Number.isInteger(set.ttl) || set.ttl < 1) throw new DnsProviderError(`${what}: invalid TTL ${set.ttl}`, undefined, 'InvalidTTL');
}
