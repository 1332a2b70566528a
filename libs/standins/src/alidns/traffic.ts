// Failures that do not come from the request itself: injected ones (next N requests) and the
// account's write rate limit (Throttling.User).
import { AliApiError, aliErrors } from './errors.js';

export interface InjectedFailure {
  status: number;
  code: string;
  message?: string;
  /** Sent as a Retry-After header (AliDNS sends none; this is for testing the adapter's handling). */
  retryAfterS?: number;
  /** Only requests of this Action consume the failure; others pass. */
  action?: string;
}

export const WRITE_ACTIONS = new Set([
  'AddDomainRecord',
  'UpdateDomainRecord',
  'DeleteDomainRecord',
  'UpdateDomainRecordRemark',
  'SetDNSSLBStatus',
  'UpdateDNSSLBWeight',
]);

export class FailureQueue {
  private readonly pending: { failure: InjectedFailure; remaining: number }[] = [];

  add(count: number, failure: InjectedFailure): void {
    if (count > 0) this.pending.push({ failure, remaining: count });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The failure this request should get, if one is queued for it. */
  take(action: string): AliApiError | undefined {
    const entry = this.pending.find((p) => p.failure.action === undefined || p.failure.action === action);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.splice(this.pending.indexOf(entry), 1);
    const f = entry.failure;
    return new AliApiError(f.status, f.code, f.message ?? defaultMessage(f.code), f.retryAfterS);
  }
}

function defaultMessage(code: string): string {
  switch (code) {
    case 'Throttling.User':
      return aliErrors.throttled(400).message;
    case 'ServiceUnavailable':
      return aliErrors.unavailable().message;
    case 'InternalError':
      return aliErrors.internal().message;
    default:
      return `Injected failure ${code}.`;
  }
}

/** Accepted writes within the last second; one over the limit is refused with Throttling.User. */
export class WriteRateLimit {
  private readonly accepted: number[] = [];

  admit(limitPerSecond: number, throttleStatus: number, now = Date.now()): void {
    while (this.accepted.length > 0 && now - this.accepted[0]! >= 1000) this.accepted.shift();
    if (limitPerSecond > 0 && this.accepted.length >= limitPerSecond) throw aliErrors.throttled(throttleStatus);
    this.accepted.push(now);
  }
}
