// Refuses, before any request, a change AliDNS would refuse or that would touch a record we do not
// own: so a bad batch fails whole instead of half-applied.
import { isIPv4, isIPv6 } from 'node:net';
import { DnsProviderError, type Change, type CurrentRecordSet, type RecordSet } from '../../model.js';
import { rrOf } from './names.js';
import { WEIGHTED_TYPES } from './record-sets.js';

/** AliDNS's absolute TTL range; an edition's higher floor (600 on Free) is the vendor's to report. */
const TTL_RANGE = { min: 1, max: 86400 };
/** UpdateDNSSLBWeight takes 1..100; a withdrawn IP is deleted, never weighted 0. */
const WEIGHT_RANGE = { min: 1, max: 100 };

function invalid(r: RecordSet, why: string): never {
  throw new DnsProviderError(`AliDNS: refusing ${r.name} ${r.type} [${r.setId}]: ${why}`, undefined, 'InvalidRecordSet');
}

function checkTarget(zone: string, r: RecordSet): void {
  rrOf(r.name, zone);
  if (!WEIGHTED_TYPES.has(r.type)) invalid(r, 'only A and AAAA record sets are managed on AliDNS');
  if (r.values.length !== 1 || r.setId !== r.values[0]) invalid(r, 'an AliDNS record set is one record: setId = its only value');
  const value = r.values[0]!;
  if (r.type === 'A' ? !isIPv4(value) : !isIPv6(value)) invalid(r, `${value} is not a valid ${r.type} value`);
  if (!Number.isInteger(r.ttl) || r.ttl < TTL_RANGE.min || r.ttl > TTL_RANGE.max) invalid(r, `TTL ${r.ttl} is outside ${TTL_RANGE.min}..${TTL_RANGE.max}`);
  const w = r.weight;
  if (w === undefined || !Number.isInteger(w) || w < WEIGHT_RANGE.min || w > WEIGHT_RANGE.max) {
    invalid(r, `weight ${w} is outside ${WEIGHT_RANGE.min}..${WEIGHT_RANGE.max}`);
  }
}

function checkOwnedSingle(r: CurrentRecordSet, exactlyOne: boolean): void {
  if (!r.owned) {
    throw new DnsProviderError(`AliDNS: refusing to change ${r.name} ${r.type} [${r.setId}]: it does not carry our ownership marker`, undefined, 'ForeignRecord');
  }
  const ids = r.ids ?? [];
  if (ids.length === 0 || (exactlyOne && ids.length !== 1)) invalid(r, `expected ${exactlyOne ? 'one record id' : 'record ids'}, got ${ids.length}`);
}

export function validateChanges(zone: string, changes: Change[]): void {
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        checkTarget(zone, c.after);
        break;
      case 'update':
        checkOwnedSingle(c.before, true);
        checkTarget(zone, c.after);
        if (c.before.name !== c.after.name || c.before.type !== c.after.type) invalid(c.after, 'an update cannot move a record to another name or type');
        break;
      case 'delete':
        checkOwnedSingle(c.before, false);
        rrOf(c.before.name, zone);
        break;
    }
  }
}
