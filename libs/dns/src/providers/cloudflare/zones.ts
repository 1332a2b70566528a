// Zone name -> zone id (and its account, for load-balancing pools), looked up once and cached;
// and every zone the token can see.
import type Cloudflare from 'cloudflare';
import { DnsProviderError, normalizeName, zoneNames } from '../../model.js';
import type { Calls } from './client.js';
import { isLastPage } from './dns-read.js';
import type { ResolvedOptions } from './options.js';

export interface ZoneRef {
  id: string;
  accountId: string | undefined;
}

/** List Zones serves at most 50 zones a page. */
export const ZONES_PER_PAGE = 50;

export class ZoneDirectory {
  private readonly cache = new Map<string, ZoneRef>();

  constructor(
    private readonly client: Cloudflare,
    private readonly opts: ResolvedOptions,
  ) {}

  /** @param needAccount load-balancing pools live in the account: look it up when not configured. */
  async resolve(zone: string, calls: Calls, needAccount = false): Promise<ZoneRef> {
    const name = normalizeName(zone);
    if (this.opts.zoneId && (!needAccount || this.opts.accountId)) return { id: this.opts.zoneId, accountId: this.opts.accountId };
    const cached = this.cache.get(name);
    if (cached) return cached;
    const page = await calls.one(() => this.client.zones.list({ name }));
    const found = page.result.find((z) => normalizeName(z.name) === name);
    if (!found) throw new DnsProviderError(`Cloudflare zone ${name} not found (or the token cannot see it)`, 404, 'ZoneNotFound');
    if (this.opts.zoneId && found.id !== this.opts.zoneId) {
      throw new DnsProviderError(`Configured zoneId ${this.opts.zoneId} is not zone ${name} (${found.id})`, undefined, 'ZoneMismatch');
    }
    const ref = { id: found.id, accountId: this.opts.accountId ?? found.account?.id };
    this.cache.set(name, ref);
    return ref;
  }

  /**
   * Every zone the token can see, page by page (GET /zones, 50 a page), or only the configured
   * zone (GET /zones/{zone_id}) when the adapter is tied to one. Their ids are cached on the way.
   */
  async listNames(calls: Calls): Promise<string[]> {
    if (this.opts.zoneId) {
      const id = this.opts.zoneId;
      const zone = await calls.one(() => this.client.zones.get({ zone_id: id }));
      return zoneNames([zone.name]);
    }
    const names: string[] = [];
    let page = await calls.one(() => this.client.zones.list({ per_page: ZONES_PER_PAGE }));
    for (;;) {
      for (const z of page.result) {
        const name = normalizeName(z.name);
        names.push(name);
        this.cache.set(name, { id: z.id, accountId: this.opts.accountId ?? z.account?.id });
      }
      if (isLastPage(page)) break;
      const current = page;
      page = await calls.one(() => current.getNextPage());
    }
    return zoneNames(names);
  }
}
