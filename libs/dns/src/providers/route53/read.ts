// Reading record sets at one name: ListResourceRecordSets starts at (name[, type]) and pages on
// through the rest of the zone in Route53's order, so we stop at the first set of another name.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { DnsProviderError, type CurrentRecordSet } from '../../model.js';
import type { CallCounter, ListStart, Route53Api } from './api.js';
import { fromRoute53Name, toRoute53Name } from './names.js';

export async function listSetsAt(api: Route53Api, zoneId: string, name: string, type: string | undefined, pageSize: number, counter: CallCounter): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: ListStart = { name: toRoute53Name(name), ...(type !== undefined ? { type } : {}) };
  for (;;) {
    const page = await api.listRecordSets(zoneId, start, pageSize, counter);
    for (const s of page.ResourceRecordSets ?? []) {
      if (fromRoute53Name(s.Name ?? '') !== name || (type !== undefined && s.Type !== type)) return out;
      out.push(s);
    }
    if (!page.IsTruncated) return out;
    const next: ListStart = {
      name: page.NextRecordName ?? '',
      ...(page.NextRecordType !== undefined ? { type: page.NextRecordType } : {}),
      ...(page.NextRecordIdentifier !== undefined ? { identifier: page.NextRecordIdentifier } : {}),
    };
    // A truncated page must move the cursor forward; anything else would loop forever.
    if (!next.name || JSON.stringify(next) === JSON.stringify(start)) throw new DnsProviderError(`route53: ListResourceRecordSets at ${name} returned a truncated page without a new start`, undefined, 'InvalidPaging');
    start = next;
  }
}

/** A Route53 set in our model. An alias set has no TTL or values: its target stands in as the value. */
export function toCurrentRecordSet(s: ResourceRecordSet, owned: boolean): CurrentRecordSet {
  const values = s.AliasTarget ? [`alias:${fromRoute53Name(s.AliasTarget.DNSName ?? '')}`] : (s.ResourceRecords ?? []).map((r) => r.Value ?? '');
  return {
    name: fromRoute53Name(s.Name ?? ''),
    type: s.Type ?? '',
    setId: s.SetIdentifier ?? '',
    ttl: s.TTL ?? 0,
    ...(s.Weight !== undefined ? { weight: s.Weight } : {}),
    values: values.sort(),
    owned,
  };
}
