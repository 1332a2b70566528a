// PowerDNS RRsets <-> our record sets (model.ts): one RRset per (name, type), setId always ''.
import { normalizeName, type CurrentRecordSet } from '../../model.js';
import type { PdnsRrset } from './api.js';
import { isOwned } from './ownership.js';

export function fqdn(name: string): string {
  return `${normalizeName(name)}.`;
}

/** Whether `name` is the zone apex or below it. */
export function inZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/**
 * The record sets at `name`. RRsets without records are skipped: they are comment-only entries
 * (PowerDNS keeps comments apart from records) and answer nothing. Disabled records answer
 * nothing either, so they are not values; a set left with none still shows, to be replaced.
 * Sorted by type, so reads are stable whatever order the server lists them in.
 */
export function toRecordSets(rrsets: PdnsRrset[], name: string): CurrentRecordSet[] {
  const wanted = normalizeName(name);
  return rrsets
    .filter((r) => normalizeName(r.name) === wanted && (r.records ?? []).length > 0)
    .map((r) => ({
      name: wanted,
      type: r.type.toUpperCase(),
      setId: '',
      ttl: r.ttl,
      values: r.records.filter((rec) => !rec.disabled).map((rec) => rec.content).sort(),
      owned: isOwned(r),
    }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
