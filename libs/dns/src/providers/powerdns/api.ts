// A thin client for the PowerDNS Authoritative HTTP API calls the adapter needs, over fetch.
import { DnsProviderError } from '../../model.js';

/** An RRset as the API returns it (names fully qualified, with a trailing dot). */
export interface PdnsRrset {
  name: string;
  type: string;
  ttl: number;
  records: { content: string; disabled: boolean }[];
  comments: { content: string; account: string; modified_at?: number }[];
}

/** One entry of a PATCH body: REPLACE carries ttl, records and comments; DELETE only name and type. */
export type PdnsRrsetChange =
  | { name: string; type: string; changetype: 'REPLACE'; ttl: number; records: { content: string; disabled: boolean }[]; comments: { content: string; account: string }[] }
  | { name: string; type: string; changetype: 'DELETE' };

export interface PdnsApiOptions {
  /** Base URL of the webserver, e.g. http://127.0.0.1:8081 (with or without /api/v1). */
  apiUrl: string;
  apiKey: string;
  serverId: string;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

export class PdnsApi {
  private readonly base: string;

  constructor(private readonly opts: PdnsApiOptions) {
    const root = opts.apiUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.base = `${root}/api/v1/servers/${encodeURIComponent(opts.serverId)}`;
  }

  /**
   * The zone's RRsets at one name. `rrset_name` narrows the records server side, but 4.7 (until
   * PowerDNS/pdns#14045) still lists every comment of the zone as record-less RRsets, and older
   * versions ignore the filter: the caller filters by name and skips RRsets without records.
   */
  async rrsetsAt(zone: string, fqdn: string): Promise<PdnsRrset[]> {
    const body = await this.request('GET', `${zonePath(zone)}?rrset_name=${encodeURIComponent(fqdn)}`);
    const rrsets = (body as { rrsets?: unknown } | undefined)?.rrsets;
    if (!Array.isArray(rrsets)) throw new DnsProviderError(`PowerDNS answered zone ${zone} without rrsets`);
    return rrsets as PdnsRrset[];
  }

  /**
   * Every zone of the server (`GET /servers/{server_id}/zones`: one answer, the API does not page).
   * `dnssec=false` leaves out the per-zone DNSSEC fields, which the API documents as much faster.
   */
  async zones(): Promise<{ name: string }[]> {
    const body = await this.request('GET', '/zones?dnssec=false');
    if (!Array.isArray(body) || !body.every((z) => typeof (z as { name?: unknown })?.name === 'string')) throw new DnsProviderError('PowerDNS answered the zone list without zone names');
    return body as { name: string }[];
  }

  /** One PATCH = one backend transaction: every change lands, or none (204 on success). */
  async patchRrsets(zone: string, rrsets: PdnsRrsetChange[]): Promise<void> {
    await this.request('PATCH', zonePath(zone), { rrsets });
  }

  private async request(method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.opts.fetch(`${this.base}${path}`, {
        method,
        headers: { 'X-API-Key': this.opts.apiKey, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      // No HTTP answer (refused, reset, timed out): the server is unreachable, which is retryable.
      throw new DnsProviderError(`PowerDNS ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`, undefined, 'ServiceUnavailable');
    }
    const text = await res.text();
    if (!res.ok) throw new DnsProviderError(`PowerDNS ${method} ${path}: ${errorMessage(text, res)}`, res.status, undefined, retryAfter(res));
    return text ? parseJson(text) : undefined;
  }
}

/** Zone ids are the zone name with a trailing dot. */
function zonePath(zone: string): string {
  return `/zones/${encodeURIComponent(`${zone.replace(/\.$/, '')}.`)}`;
}

/** PowerDNS answers `{ "error": "..." }` (some 4xx, e.g. an unknown zone or a bad key, as plain text). */
function errorMessage(text: string, res: Response): string {
  const parsed = parseJson(text) as { error?: unknown } | undefined;
  if (parsed && typeof parsed.error === 'string') return parsed.error;
  return text.trim() || res.statusText || `HTTP ${res.status}`;
}

function retryAfter(res: Response): number | undefined {
  const v = Number(res.headers.get('retry-after'));
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
