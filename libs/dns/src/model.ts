// The provider-neutral DNS model: what a domain should answer, and record sets keyed by
// (name, type, set identifier) as external-dns's endpoints are.

export type ProviderKind = 'powerdns' | 'route53' | 'cloudflare' | 'alidns';

/** What the gtm decider wants one domain to answer. */
export interface DomainAnswer {
  /** FQDN, lowercase, no trailing dot. */
  domain: string;
  ttl: number;
  /** Every declared region; weight is the effective weight (0..1000), 0 = withdrawn. */
  regions: RegionAnswer[];
}

export interface RegionAnswer {
  name: string;
  weight: number;
  /** The region's ready IPs (v4 and v6). */
  ips: string[];
}

/**
 * One record set in a provider's own model, keyed by (name, type, setId).
 * - route53: type A/AAAA, setId = region, weight 0..255, values = the region's IPs
 * - powerdns: type LUA (pickwrandom, setId '') or plain A/AAAA (setId '') when weights are equal
 * - cloudflare dns: type A/AAAA, setId = the IP, one value, no weight
 * - cloudflare load_balancer: type POOL, setId = region, weight 0..1, values = origins
 * - alidns: type A/AAAA, setId = the IP, one value, weight 1..100
 */
export interface RecordSet {
  /** FQDN, lowercase, no trailing dot. */
  name: string;
  type: string;
  setId: string;
  ttl: number;
  weight?: number;
  /** Sorted. */
  values: string[];
}

/** A record set as read from the provider: ours (carries our ownership marker) or someone else's. */
export interface CurrentRecordSet extends RecordSet {
  owned: boolean;
  /** Provider ids of the underlying records, for updates and deletes. */
  ids?: string[];
}

export type Change =
  | { action: 'create'; after: RecordSet }
  | { action: 'update'; before: CurrentRecordSet; after: RecordSet }
  | { action: 'delete'; before: CurrentRecordSet };

export interface ApplyResult {
  /** Provider API calls made (reads included). */
  calls: number;
}

/** The zones a provider's credentials can see. */
export interface ZoneListing {
  /** Zone names: lowercase, no trailing dot, sorted, each once. */
  zones: string[];
  /** Provider API calls made. */
  calls: number;
}

/** A provider adapter: reads and writes one zone's records through the vendor's API. */
export interface DnsProvider {
  readonly kind: ProviderKind;
  /** Every zone these credentials can see (every page of the vendor's listing). */
  listZones(): Promise<ZoneListing>;
  /** Current record sets at these names (all of them, owned or not, every type). */
  records(zone: string, names: string[]): Promise<CurrentRecordSet[]>;
  /** Applies the changes, within the provider's batch and rate limits. */
  apply(zone: string, changes: Change[]): Promise<ApplyResult>;
}

export class DnsProviderError extends Error {
  override readonly name = 'DnsProviderError';
  constructor(
    message: string,
    /** HTTP status (429, 5xx are retryable), when there was one. */
    readonly status?: number,
    /** The provider's own error code (Throttling, PriorRequestNotComplete, ...). */
    readonly code?: string,
    /** Seconds the provider asked us to wait. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    if (this.status === 429 || (this.status !== undefined && this.status >= 500)) return true;
    // No HTTP status: the request never got an answer (connection refused, reset, timed out).
    if (this.status === undefined && this.code !== undefined && TRANSIENT_CODES.has(this.code)) return true;
    return RETRYABLE_CODES.has(this.code ?? '');
  }
}

const RETRYABLE_CODES = new Set(['Throttling', 'PriorRequestNotComplete', 'Throttling.User', 'ServiceUnavailable', 'ConnectionError', 'ChangePending']);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'TimeoutError', 'RequestTimeoutError', 'AbortError', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

export function recordKey(r: Pick<RecordSet, 'name' | 'type' | 'setId'>): string {
  return `${r.name}|${r.type}|${r.setId}`;
}

export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return a.ttl === b.ttl && (a.weight ?? null) === (b.weight ?? null) && a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i]);
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Zone names as a ZoneListing holds them: normalized, sorted, each once. */
export function zoneNames(names: Iterable<string>): string[] {
  return [...new Set([...names].map(normalizeName))].filter((n) => n !== '').sort();
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * The canonical text of an IP (IPv6 lowercase and compressed as RFC 5952 says), so that what we
 * render compares equal to what a provider stores and a steady state plans nothing.
 */
const LEADING_ZERO = /(^|\.)0\d/;

export function canonicalIp(ip: string): string {
  if (!isIPv6(ip)) return LEADING_ZERO.test(ip) ? ip.split('.').map((p) => String(Number(p))).join('.') : ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
