// Hosted zone ids by zone name, looked up once with ListHostedZonesByName and cached.
import { DnsProviderError } from '../../model.js';
import type { CallCounter, Route53Api } from './api.js';
import { fromRoute53Name } from './names.js';

export class HostedZoneIds {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly api: Route53Api,
    private readonly fixedId?: string,
  ) {}

  async get(zone: string, counter: CallCounter): Promise<string> {
    if (this.fixedId !== undefined) return this.fixedId.replace(/^\/hostedzone\//, '');
    const cached = this.cache.get(zone);
    if (cached !== undefined) return cached;
    // Zones come back in name order starting at `zone`; same-named zones (public and private) are adjacent.
    const found = (await this.api.hostedZonesByName(zone, 10, counter)).filter((z) => fromRoute53Name(z.Name ?? '') === zone);
    const publicZones = found.filter((z) => !z.Config?.PrivateZone);
    const candidates = publicZones.length > 0 ? publicZones : found;
    if (candidates.length === 0) throw new DnsProviderError(`route53: no hosted zone named ${zone}`, undefined, 'NoSuchHostedZone');
    if (candidates.length > 1) throw new DnsProviderError(`route53: ${candidates.length} hosted zones named ${zone}; set hostedZoneId`, undefined, 'AmbiguousHostedZone');
    const id = (candidates[0]!.Id ?? '').replace(/^\/hostedzone\//, '');
    this.cache.set(zone, id);
    return id;
  }
}
