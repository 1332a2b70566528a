// Cloudflare failures -> DnsProviderError with Cloudflare's own message and code, the HTTP
// status, and `retry-after` (seconds) when the API sent one.
import { APIError } from 'cloudflare';
import { DnsProviderError } from '../../model.js';

interface CfErrorItem {
  code?: number;
  message?: string;
  source?: { pointer?: string };
  error_chain?: CfErrorItem[];
}

/** The most specific code: Cloudflare nests the real cause (9021 invalid TTL) under a generic one (1004). */
function innermostCode(item: CfErrorItem): number | undefined {
  const inner = item.error_chain?.[0];
  return (inner && innermostCode(inner)) ?? item.code;
}

function describe(item: CfErrorItem): string {
  const where = item.source?.pointer ? ` (at ${item.source.pointer})` : '';
  const chain = (item.error_chain ?? []).map(describe);
  return [`${item.message ?? 'error'}${item.code !== undefined ? ` [${item.code}]` : ''}${where}`, ...chain].join(': ');
}

/** `retry-after` is seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export function toDnsProviderError(e: unknown): DnsProviderError {
  if (e instanceof DnsProviderError) return e;
  if (e instanceof APIError) {
    if (e.status === undefined) {
      // No HTTP answer (connection refused, reset, timeout): nothing from Cloudflare to quote.
      return new DnsProviderError(`Cloudflare API unreachable: ${e.message}`, undefined, 'ConnectionError');
    }
    const items = (e.errors ?? []) as CfErrorItem[];
    // An answer without the envelope (the edge's HTML 502 page) has nothing better to quote.
    const message = items.length > 0 ? items.map(describe).join('; ') : `Cloudflare API answered HTTP ${e.status} without an error envelope`;
    const code = items[0] ? innermostCode(items[0]) : undefined;
    return new DnsProviderError(message, e.status, code === undefined ? undefined : String(code), parseRetryAfter(e.headers?.get('retry-after')));
  }
  return new DnsProviderError(e instanceof Error ? e.message : String(e));
}
