// Which zone a domain's records go to: the declared `dns.zone`, or else the provider's zone whose
// name is the longest suffix of the domain, from the provider's own zone list (cached per provider).
import type { DnsSpec } from '@plane/declarations';
import { DnsProviderError, normalizeName, type DnsProvider, type ProviderKind } from './model.js';

/** The zone of `domain` among `zones`: the longest one that is the domain or a suffix of it at a dot. */
export function zoneOfDomain(domain: string, zones: readonly string[]): string | null {
  const d = normalizeName(domain);
  let best: string | null = null;
  for (const raw of zones) {
    const z = normalizeName(raw);
    if (z !== '' && (d === z || d.endsWith(`.${z}`)) && (best === null || z.length > best.length)) best = z;
  }
  return best;
}

/** The provider as an operator knows it: kind and address (never credentials). */
export function describeProvider(spec: DnsSpec): string {
  const where = 'api_url' in spec && spec.api_url ? spec.api_url : 'endpoint' in spec && spec.endpoint ? spec.endpoint : undefined;
  const pinned = spec.provider === 'route53' && spec.hosted_zone_id ? `hosted zone ${spec.hosted_zone_id}` : spec.provider === 'cloudflare' && spec.zone_id ? `zone id ${spec.zone_id}` : undefined;
  const details = [where, pinned].filter((x) => x !== undefined);
  return details.length > 0 ? `${spec.provider} (${details.join(', ')})` : spec.provider;
}

const SHOWN_ZONES = 20;

/** No zone of the provider holds the domain (after a fresh read of its zones). */
export class ZoneNotFoundError extends Error {
  override readonly name = 'ZoneNotFoundError';
  constructor(
    readonly domain: string,
    /** describeProvider() of the dns block. */
    readonly provider: string,
    /** Every zone the provider listed. */
    readonly zones: readonly string[],
  ) {
    const shown = zones.length === 0 ? 'it lists no zone at all' : `it lists ${zones.slice(0, SHOWN_ZONES).join(', ')}${zones.length > SHOWN_ZONES ? ` and ${zones.length - SHOWN_ZONES} more` : ''}`;
    super(`dns.zone is not declared and no zone of ${provider} is ${domain} or a suffix of it (${shown}); create the zone there or declare dns.zone`);
  }
}

/** Where adapters come from: ProviderCache, or anything that gives one adapter per dns block. */
export interface ProviderSource {
  get(spec: DnsSpec): DnsProvider;
}

export interface ZoneResolverOptions {
  /** A provider's zone list is read again when it is older than this (default 5 minutes). */
  refreshMs?: number;
  /**
   * A domain that matches no zone makes the list be read again at once the first time; while it
   * keeps missing, at most this often (default 60 s), so an undeclared zone costs few API calls.
   */
  missRetryMs?: number;
  /** After a failed read, the provider is not asked again for this long (default 10 s). */
  failureRetryMs?: number;
  /** Called after each successful listing with the provider API calls it made (for metrics). */
  onListing?: (provider: ProviderKind, calls: number) => void;
  now?: () => number;
}

interface ZoneList {
  /** null until a first read succeeds. */
  zones: string[] | null;
  /** When the list was read. */
  readAt: number;
  /** The last failed read, while no later read succeeded. */
  failure?: { at: number; error: unknown };
  /** The read in flight: concurrent lookups share it. */
  reading?: Promise<void>;
  /** Domains that matched no zone (since they last matched one). */
  missing: Set<string>;
}

/** Resolves the zone of a domain; one cached zone list per provider adapter. */
export class ZoneResolver {
  private readonly lists = new Map<DnsProvider, ZoneList>();
  private readonly refreshMs: number;
  private readonly missRetryMs: number;
  private readonly failureRetryMs: number;
  private readonly now: () => number;
  private readonly onListing: ((provider: ProviderKind, calls: number) => void) | undefined;
  /** Provider API calls made to list zones. */
  calls = 0;

  constructor(
    private readonly providers: ProviderSource,
    opts: ZoneResolverOptions = {},
  ) {
    this.refreshMs = opts.refreshMs ?? 5 * 60_000;
    this.missRetryMs = opts.missRetryMs ?? 60_000;
    this.failureRetryMs = opts.failureRetryMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.onListing = opts.onListing;
  }

  /**
   * `spec.zone` when declared (the provider is not asked); otherwise the longest-suffix zone of
   * the provider's zone list. Throws ZoneNotFoundError when no zone matches, DnsProviderError when
   * the zones cannot be listed (and no earlier list is at hand), ConfigError when the adapter
   * cannot be built (no credentials).
   */
  async zoneOf(spec: DnsSpec, domain: string): Promise<string> {
    if (spec.zone) return normalizeName(spec.zone);
    const name = normalizeName(domain);
    const provider = this.providers.get(spec);
    let list = this.lists.get(provider);
    if (!list) {
      list = { zones: null, readAt: Number.NEGATIVE_INFINITY, missing: new Set() };
      this.lists.set(provider, list);
    }
    const what = describeProvider(spec);
    let readNow = false;
    if (list.zones === null || this.now() - list.readAt >= this.refreshMs) readNow = await this.read(provider, list, what, name, false);
    const zone = zoneOfDomain(name, list.zones ?? []);
    if (zone !== null) {
      list.missing.delete(name);
      return zone;
    }
    // A miss: the zone may have been created since the list was read. Read it again at once the
    // first time this domain misses, then at most every missRetryMs while it keeps missing.
    const lastTry = Math.max(list.readAt, list.failure?.at ?? Number.NEGATIVE_INFINITY);
    const retry = !readNow && (!list.missing.has(name) || this.now() - lastTry >= this.missRetryMs);
    list.missing.add(name);
    if (retry) {
      await this.read(provider, list, what, name, true);
      const again = zoneOfDomain(name, list.zones ?? []);
      if (again !== null) {
        list.missing.delete(name);
        return again;
      }
    }
    throw new ZoneNotFoundError(name, what, list.zones ?? []);
  }

  /** Forgets every cached zone list. */
  clear(): void {
    this.lists.clear();
  }

  /**
   * Reads the provider's zones into `list`; true when it did. When the read fails (or failed less
   * than failureRetryMs ago) an earlier list stays in use, unless `needed` (a miss must be checked
   * against a current list) or there is none: then the failure is thrown, naming the domain.
   */
  private async read(provider: DnsProvider, list: ZoneList, what: string, domain: string, needed: boolean): Promise<boolean> {
    const recent = list.failure !== undefined && this.now() - list.failure.at < this.failureRetryMs ? list.failure : undefined;
    if (!recent) {
      list.reading ??= (async () => {
        try {
          const listing = await provider.listZones();
          this.calls += listing.calls;
          this.onListing?.(provider.kind, listing.calls);
          list.zones = listing.zones;
          list.readAt = this.now();
          delete list.failure;
        } catch (error) {
          list.failure = { at: this.now(), error };
        } finally {
          delete list.reading;
        }
      })();
      await list.reading;
      if (!list.failure) return true;
    }
    if (list.zones !== null && !needed) return false;
    const err = list.failure!.error;
    const e = err instanceof DnsProviderError ? err : undefined;
    const message = `listing the zones of ${what} to find the zone of ${domain}: ${err instanceof Error ? err.message : String(err)}`;
    throw new DnsProviderError(message, e?.status, e?.code, e?.retryAfterS);
  }
}
