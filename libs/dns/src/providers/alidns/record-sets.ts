// AliDNS records -> our record sets: one set per record (setId = its value), ownership from the
// record's Remark, the effective weight for A/AAAA (weights.ts).
import { normalizeName, type CurrentRecordSet } from '../../model.js';
import type { AlidnsRpc } from './pop-client.js';
import { nameOf, rrOf } from './names.js';
import { readOpenSlbHosts, readSubDomainRecords, slbKey } from './read.js';
import { effectiveWeight } from './weights.js';
import type { AliRecord } from './wire.js';

/** Our ownership marker, kept in the record's Remark. */
export const OWNER_MARKER = 'managed-by=plane';
export const WEIGHTED_TYPES = new Set(['A', 'AAAA']);
export const DEFAULT_LINE = 'default';

export function isOwned(r: AliRecord): boolean {
  return r.Remark.includes(OWNER_MARKER);
}

/** Records that share one weighting switch: enabled, default line (we only write that line). */
export function inWeightGroup(r: AliRecord): boolean {
  return r.Line === DEFAULT_LINE && r.Status.toUpperCase() === 'ENABLE';
}

export function groupSizes(records: { name: string; record: AliRecord }[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const { name, record } of records) {
    if (inWeightGroup(record)) sizes.set(slbKey(name, record.Type), (sizes.get(slbKey(name, record.Type)) ?? 0) + 1);
  }
  return sizes;
}

export async function readRecordSets(rpc: AlidnsRpc, zone: string, names: string[], pageSize: number): Promise<CurrentRecordSet[]> {
  const z = normalizeName(zone);
  const found: { name: string; record: AliRecord }[] = [];
  for (const name of [...new Set(names.map(normalizeName))].sort()) {
    const rr = rrOf(name, z);
    for (const record of await readSubDomainRecords(rpc, z, name, pageSize)) {
      // DescribeSubDomainRecords matches the host exactly; keep the check in case a server is looser.
      if (record.RR.toLowerCase() === rr) found.push({ name, record });
    }
  }
  const sizes = groupSizes(found);
  const needSlb = [...sizes.entries()].some(([key, size]) => size >= 2 && WEIGHTED_TYPES.has(key.split('|')[1]!));
  const open = needSlb ? await readOpenSlbHosts(rpc, z, pageSize) : new Set<string>();
  return found
    .map(({ name, record }) => toRecordSet(z, record, inWeightGroup(record) ? (sizes.get(slbKey(name, record.Type)) ?? 1) : 1, open))
    .sort((a, b) => `${a.name}|${a.type}|${a.setId}`.localeCompare(`${b.name}|${b.type}|${b.setId}`));
}

function toRecordSet(zone: string, r: AliRecord, groupSize: number, openSlb: Set<string>): CurrentRecordSet {
  const name = nameOf(r.RR.toLowerCase(), zone);
  const type = r.Type.toUpperCase();
  return {
    name,
    type,
    // One value per record; a record on another line is another answer for the same value.
    setId: r.Line === DEFAULT_LINE ? r.Value : `${r.Value}@${r.Line}`,
    ttl: r.TTL,
    ...(WEIGHTED_TYPES.has(type) ? { weight: effectiveWeight(r.Weight, groupSize, openSlb.has(slbKey(name, type))) } : {}),
    values: [r.Value],
    owned: isOwned(r),
    ids: [r.RecordId],
  };
}
