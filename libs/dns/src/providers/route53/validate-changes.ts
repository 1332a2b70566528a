// Refuses, before any call, a change Route53 would reject or that would touch a record we do not
// own. The planner never emits such changes; this is the adapter's own guard.
import { isIPv4, isIPv6 } from 'node:net';
import { DnsProviderError, recordKey, type Change, type RecordSet } from '../../model.js';
import { isInZone } from './names.js';

/** Route53 allows at most this many weighted sets with one name and type. */
const MAX_WEIGHTED_SETS = 100;
const MAX_TTL = 2147483647;
const WRITABLE_TYPES = new Set(['A', 'AAAA']);

function invalid(message: string): DnsProviderError {
  return new DnsProviderError(`route53: ${message}`, undefined, 'InvalidChange');
}

/** Where a set is and what type it has: checked for every set we touch. */
function checkPlace(zone: string, s: RecordSet): void {
  const what = `${s.name} ${s.type} [${s.setId}]`;
  if (!isInZone(s.name, zone)) throw invalid(`${what} is not in zone ${zone}`);
  if (!WRITABLE_TYPES.has(s.type)) throw invalid(`${what}: only A and AAAA record sets are written`);
}

/** What Route53 would refuse in a set we write. */
function checkWritten(zone: string, s: RecordSet): void {
  checkPlace(zone, s);
  const what = `${s.name} ${s.type} [${s.setId}]`;
  if (s.setId.length > 128) throw invalid(`${what}: SetIdentifier longer than 128 characters`);
  if (s.setId !== '' && (s.weight === undefined || !Number.isInteger(s.weight) || s.weight < 0 || s.weight > 255)) throw invalid(`${what}: a weighted set needs an integer weight 0..255 (got ${s.weight})`);
  if (s.setId === '' && s.weight !== undefined) throw invalid(`${what}: a weight needs a set identifier`);
  if (!Number.isInteger(s.ttl) || s.ttl < 0 || s.ttl > MAX_TTL) throw invalid(`${what}: TTL ${s.ttl} outside 0..${MAX_TTL}`);
  if (s.values.length === 0) throw invalid(`${what}: no values (withdraw a set by deleting it)`);
  if (new Set(s.values).size !== s.values.length) throw invalid(`${what}: duplicate values`);
  const valid = s.type === 'A' ? isIPv4 : isIPv6;
  const bad = s.values.find((v) => !valid(v));
  if (bad !== undefined) throw invalid(`${what}: ${bad} is not an ${s.type === 'A' ? 'IPv4' : 'IPv6'} address`);
}

export function validateChanges(zone: string, changes: Change[]): void {
  const keys = new Set<string>();
  const writtenPerGroup = new Map<string, number>();
  for (const c of changes) {
    if (c.action !== 'create' && !c.before.owned) {
      throw new DnsProviderError(`route53: refusing to ${c.action} ${c.before.name} ${c.before.type} [${c.before.setId}]: it does not carry our ownership marker`, undefined, 'NotOwned');
    }
    if (c.action === 'update' && recordKey(c.before) !== recordKey(c.after)) throw invalid(`update changes the key ${recordKey(c.before)} -> ${recordKey(c.after)}`);
    if (c.action !== 'create') checkPlace(zone, c.before);
    if (c.action !== 'delete') {
      checkWritten(zone, c.after);
      const group = `${c.after.name}|${c.after.type}`;
      if (c.after.setId !== '') writtenPerGroup.set(group, (writtenPerGroup.get(group) ?? 0) + 1);
    }
    const key = recordKey(c.action === 'delete' ? c.before : c.after);
    if (keys.has(key)) throw invalid(`two changes for ${key}`);
    keys.add(key);
  }
  for (const [group, n] of writtenPerGroup) if (n > MAX_WEIGHTED_SETS) throw invalid(`${group}: ${n} weighted sets, Route53 allows ${MAX_WEIGHTED_SETS}`);
}
