// The hosted zones the credentials can see: ListHostedZones page by page (Marker = the previous
// page's NextMarker), or, when the adapter is tied to one hosted zone id, that zone (GetHostedZone).
import { DnsProviderError, zoneNames } from '../../model.js';
import type { CallCounter, Route53Api } from './api.js';
import { fromRoute53Name } from './names.js';

/** Route53 serves at most 100 hosted zones per ListHostedZones page. */
export const HOSTED_ZONES_PAGE = 100;

export async function listZoneNames(api: Route53Api, fixedId: string | undefined, counter: CallCounter): Promise<string[]> {
  if (fixedId !== undefined) {
    const zone = await api.getHostedZone(fixedId.replace(/^\/hostedzone\//, ''), counter);
    return zoneNames([fromRoute53Name(zone.Name ?? '')]);
  }
  const names: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await api.listHostedZones(marker, HOSTED_ZONES_PAGE, counter);
    // Public and private zones alike: records() looks a name up the same way (public first).
    names.push(...(page.HostedZones ?? []).map((z) => fromRoute53Name(z.Name ?? '')));
    if (!page.IsTruncated) return zoneNames(names);
    // A truncated page must move the marker forward; anything else would loop forever.
    if (!page.NextMarker || page.NextMarker === marker) throw new DnsProviderError('route53: ListHostedZones returned a truncated page without a new marker', undefined, 'InvalidPaging');
    marker = page.NextMarker;
  }
}
