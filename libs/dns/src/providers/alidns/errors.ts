// Maps what @alicloud/pop-core throws to DnsProviderError, keeping the vendor's code and message
// and the HTTP status (pop-core keeps it only on `err.entry.response`).
import { DnsProviderError } from '../../model.js';
import { field, isRecord, optionalString } from './wire.js';

export function toDnsProviderError(action: string, err: unknown): DnsProviderError {
  if (err instanceof DnsProviderError) return err;
  if (isRecord(err) && isRecord(err.data) && typeof err.data.Code === 'string') {
    const code = err.data.Code;
    const message = optionalString(err.data.Message) ?? code;
    const requestId = optionalString(err.data.RequestId);
    const response = isRecord(err.entry) && isRecord(err.entry.response) ? err.entry.response : {};
    const status = typeof response.statusCode === 'number' ? response.statusCode : undefined;
    const headers = isRecord(response.headers) ? response.headers : {};
    return new DnsProviderError(
      `AliDNS ${action}: ${code}: ${message}${requestId ? ` (RequestId ${requestId})` : ''}`,
      status,
      code,
      retryAfterSeconds(field(headers, 'retry-after')),
    );
  }
  // Transport failures (refused, reset, timeout) and unreadable bodies: no HTTP status to report.
  const code = isRecord(err) ? (optionalString(err.code) ?? optionalString(err.name)) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new DnsProviderError(`AliDNS ${action}: ${message}`, undefined, code);
}

function retryAfterSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
