// Names between our model (FQDN, lowercase, no trailing dot) and AliDNS's (DomainName + RR).
import { DnsProviderError, normalizeName } from '../../model.js';

export const APEX_RR = '@';

/** The host record of `name` within `zone`: '@' for the apex, else the labels before the zone. */
export function rrOf(name: string, zone: string): string {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  if (n === z) return APEX_RR;
  if (!n.endsWith(`.${z}`)) throw new DnsProviderError(`AliDNS: ${name} is not in zone ${zone}`, undefined, 'NameNotInZone');
  return n.slice(0, -(z.length + 1));
}

export function nameOf(rr: string, zone: string): string {
  const z = normalizeName(zone);
  return rr === APEX_RR ? z : normalizeName(`${rr}.${z}`);
}

/** SetDNSSLBStatus wants `@.example.com` for the apex (a bare `example.com` is refused). */
export function slbSubDomain(name: string, zone: string): string {
  return rrOf(name, zone) === APEX_RR ? `@.${normalizeName(zone)}` : normalizeName(name);
}

/** DescribeDNSSLBSubDomains names the apex `@.example.com`; back to our FQDN. */
export function nameFromSlbSubDomain(subDomain: string): string {
  const n = normalizeName(subDomain);
  return n.startsWith('@.') ? n.slice(2) : n;
}
