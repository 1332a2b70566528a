// Turns the planner's changes into the body of one PATCH (one backend transaction per zone).
import { DnsProviderError, normalizeName, recordKey, type Change, type RecordSet } from '../../model.js';
import type { PdnsRrsetChange } from './api.js';
import { ownershipComment } from './ownership.js';
import { fqdn, inZone } from './records.js';

function refuse(message: string): never {
  throw new DnsProviderError(`PowerDNS: ${message}`, undefined, 'InvalidChange');
}

function checkTarget(zone: string, r: RecordSet): void {
  if (!inZone(r.name, zone)) refuse(`${r.name} is not in zone ${zone}`);
  if (r.setId !== '') refuse(`${r.name} ${r.type}: PowerDNS has one RRset per name and type, set id '${r.setId}' is not supported`);
}

function replace(r: RecordSet): PdnsRrsetChange {
  if (r.values.length === 0) refuse(`${r.name} ${r.type}: an RRset needs at least one value`);
  return {
    name: fqdn(r.name),
    type: r.type.toUpperCase(),
    changetype: 'REPLACE',
    ttl: r.ttl,
    records: r.values.map((content) => ({ content, disabled: false })),
    // Every write re-asserts the marker: REPLACE with comments replaces the RRset's comments.
    comments: [ownershipComment()],
  };
}

/**
 * One REPLACE or DELETE per (name, type). A delete and a create of the same RRset collapse into
 * the REPLACE (PowerDNS refuses the same RRset twice with one changetype, and a DELETE after the
 * REPLACE would undo it). A delete or update of a foreign RRset is refused: the planner never
 * emits one, and apply must never touch records without our marker.
 */
export function toPatch(zone: string, changes: Change[]): PdnsRrsetChange[] {
  const byRrset = new Map<string, PdnsRrsetChange>();
  for (const c of changes) {
    const target = c.action === 'delete' ? c.before : c.after;
    checkTarget(zone, target);
    if (c.action !== 'create' && !c.before.owned) refuse(`refusing to ${c.action} ${c.before.name} ${c.before.type}: it does not carry our ownership comment`);
    if (c.action === 'update' && recordKey({ ...c.before, name: normalizeName(c.before.name) }) !== recordKey({ ...c.after, name: normalizeName(c.after.name) })) {
      refuse(`update of ${c.before.name} ${c.before.type} changes its name or type`);
    }
    const key = `${fqdn(target.name)}|${target.type.toUpperCase()}`;
    const next = c.action === 'delete' ? ({ name: fqdn(target.name), type: target.type.toUpperCase(), changetype: 'DELETE' } as const) : replace(c.after);
    const prev = byRrset.get(key);
    if (prev?.changetype === 'REPLACE' && next.changetype === 'REPLACE') refuse(`two writes of ${key} in one change set`);
    if (prev?.changetype === 'REPLACE') continue;
    byRrset.set(key, next);
  }
  // Deletes first: reads better in the server's log; the transaction makes the order moot.
  return [...byRrset.values()].sort((a, b) => (a.changetype === b.changetype ? 0 : a.changetype === 'DELETE' ? -1 : 1));
}
