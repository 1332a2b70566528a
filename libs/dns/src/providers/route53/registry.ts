// Ownership registry. Route53 record sets have no comment field, so ownership lives in TXT record
// sets, as external-dns's TXT registry does. Each owned set (name, type, setId) has exactly one
// registry set mirroring its key:
//
//   name  `_plane-<type lowercase>.<name>`   (one registry name per type: A and AAAA registries
//                                              each stay within Route53's 100-weighted-sets cap)
//   type  TXT, SetIdentifier = setId (weighted, constant Weight 1) or none when setId is ''
//   TTL   300, value `"managed-by=plane"`
//
// Its content never depends on the record it covers, so an update touches only the record, and a
// delete can name the registry set exactly (Route53 DELETE must match the current set). The record
// and its registry set always travel in the same ChangeBatch, so ownership changes atomically.
// records() hides registry sets: they sit at their own names, which callers never ask about.
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { RecordSet } from '../../model.js';
import { toRoute53Name } from './names.js';

export const OWNERSHIP_MARKER = 'managed-by=plane';
const MARKER_VALUE = `"${OWNERSHIP_MARKER}"`;
const REGISTRY_TTL = 300;
const REGISTRY_WEIGHT = 1;

export function registryName(name: string, type: string): string {
  return `_plane-${type.toLowerCase()}.${name}`;
}

function registrySet(set: Pick<RecordSet, 'name' | 'type' | 'setId'>): ResourceRecordSet {
  return {
    Name: toRoute53Name(registryName(set.name, set.type)),
    Type: 'TXT',
    ...(set.setId !== '' ? { SetIdentifier: set.setId, Weight: REGISTRY_WEIGHT } : {}),
    TTL: REGISTRY_TTL,
    ResourceRecords: [{ Value: MARKER_VALUE }],
  };
}

/** Claims ownership; UPSERT so a registry entry left behind by a hand-deleted record is no obstacle. */
export function claimOwnership(set: RecordSet): Route53Change {
  return { Action: 'UPSERT', ResourceRecordSet: registrySet(set) };
}

export function releaseOwnership(set: RecordSet): Route53Change {
  return { Action: 'DELETE', ResourceRecordSet: registrySet(set) };
}

/** The setIds a registry listing marks as ours ('' for a non-weighted set). */
export function ownedSetIds(registry: ResourceRecordSet[]): Set<string> {
  const out = new Set<string>();
  for (const r of registry) {
    if ((r.ResourceRecords ?? []).some((v) => (v.Value ?? '').includes(OWNERSHIP_MARKER))) out.add(r.SetIdentifier ?? '');
  }
  return out;
}
