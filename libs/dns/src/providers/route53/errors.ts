// SDK failures -> DnsProviderError carrying Route53's own code and message, so the executor's
// retry policy (Throttling, PriorRequestNotComplete, 5xx are retryable) sees them as they are.
import { Route53ServiceException } from '@aws-sdk/client-route-53';
import { DnsProviderError } from '../../model.js';

function retryAfterSeconds(headers: Record<string, string> | undefined): number | undefined {
  const raw = headers?.['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export function toDnsProviderError(e: unknown, operation: string): DnsProviderError {
  if (e instanceof DnsProviderError) return e;
  if (e instanceof Route53ServiceException) {
    return new DnsProviderError(`route53 ${operation}: ${e.name}: ${e.message}`, e.$metadata.httpStatusCode, e.name, retryAfterSeconds(e.$response?.headers));
  }
  // Network and client-side failures: no HTTP status; keep the system code (ECONNREFUSED, ...).
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : e instanceof Error ? e.name : undefined;
  return new DnsProviderError(`route53 ${operation}: ${e instanceof Error ? e.message : String(e)}`, undefined, code);
}
