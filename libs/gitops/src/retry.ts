// Bounded retries with exponential backoff and jitter, for races the executor resolves by itself
// (a non-fast-forward push, a stale blob sha). Waits the caller must honour (rate limits of
// minutes) are never slept here: they surface as retryable errors instead.

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  maxAttempts: number;
  /** Delay before the second attempt, doubled for each one after (default 200 ms). */
  baseDelayMs: number;
  /** Upper bound of one delay (default 5 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delay after failed attempt `attempt` (1-based): base * 2^(attempt-1), capped, then jittered into
 * [half, full] so that two writers racing for the same branch do not retry in lockstep.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const p = { ...DEFAULT_RETRY, ...partial };
  if (!Number.isSafeInteger(p.maxAttempts) || p.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${p.maxAttempts}`);
  if (p.baseDelayMs < 0 || p.maxDelayMs < 0) throw new RangeError('retry delays must not be negative');
  return p;
}
