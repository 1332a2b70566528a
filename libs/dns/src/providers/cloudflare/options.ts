// Factory options for the Cloudflare adapter and their defaults.

export type CloudflareMode = 'dns' | 'load_balancer';

export interface CloudflareProviderOptions {
  /** API token (the caller resolves the secret reference); never logged. */
  apiToken: string;
  /** API base URL; default Cloudflare's https://api.cloudflare.com/client/v4 (tests point it at the stand-in). */
  baseURL?: string;
  /** The zone's id; when absent it is looked up by name (`GET /zones?name=`) once and cached. */
  zoneId?: string;
  /** Account owning the load-balancing pools; when absent, the zone's account. */
  accountId?: string;
  /** `dns`: one A/AAAA record per ready IP, no weights. `load_balancer`: a pool per region, weighted. */
  mode: CloudflareMode;
  /** Client-side pace. Default 4/s: Cloudflare allows 1,200 requests per 5 minutes per token. */
  requestsPerSecond?: number;
  /** Requests that may go out back to back before pacing starts (default 4). */
  burst?: number;
  /** Record operations per batch request (default 200, the Free plan's limit; 3,500 on paid plans). */
  batchSize?: number;
  /** DNS records per list page (default 5,000: one read per name in practice). */
  perPage?: number;
  /** Smallest TTL the zone's plan accepts besides 1 = automatic (default 60; 30 on Enterprise). */
  minTtl?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export const CLOUDFLARE_DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

export interface ResolvedOptions extends Required<Omit<CloudflareProviderOptions, 'zoneId' | 'accountId'>> {
  zoneId?: string;
  accountId?: string;
}

export function resolveOptions(opts: CloudflareProviderOptions): ResolvedOptions {
  const requestsPerSecond = opts.requestsPerSecond ?? 4;
  return {
    ...opts,
    baseURL: opts.baseURL ?? CLOUDFLARE_DEFAULT_BASE_URL,
    requestsPerSecond,
    burst: opts.burst ?? Math.max(1, Math.floor(requestsPerSecond)),
    batchSize: opts.batchSize ?? 200,
    perPage: opts.perPage ?? 5000,
    minTtl: opts.minTtl ?? 60,
    timeoutMs: opts.timeoutMs ?? 30_000,
  };
}
