// Cloudflare's global API limit: 1,200 requests per five minutes per token; over it, every call
// is refused with 429 until the window ends, and `retry-after` says how many seconds are left.
export interface RateLimit {
  requests: number;
  windowMs: number;
}

export const CLOUDFLARE_RATE_LIMIT: RateLimit = { requests: 1200, windowMs: 5 * 60_000 };

export class TokenRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** Counts a request; returns the seconds to wait when it is over the limit, else undefined. */
  admit(token: string, nowMs = Date.now()): number | undefined {
    let w = this.windows.get(token);
    if (!w || nowMs - w.start >= this.limit.windowMs) {
      w = { start: nowMs, count: 0 };
      this.windows.set(token, w);
    }
    if (w.count >= this.limit.requests) return Math.max(1, Math.ceil((w.start + this.limit.windowMs - nowMs) / 1000));
    w.count += 1;
    return undefined;
  }

  reset(): void {
    this.windows.clear();
  }
}
