// Zone name -> zone id (and its account, for load-balancing pools), looked up once and cached.
import type Cloudflare from 'cloudflare';
import { DnsProviderError, normalizeName } from '../../model.js';
import type { Calls } from './client.js';
import type { ResolvedOptions } from './options.js';

export interface ZoneRef {
  id: string;
  accountId: string | undefined;
}

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
}
