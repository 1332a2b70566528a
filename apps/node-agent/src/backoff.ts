// Retry timing. Pure: the randomness is a parameter so tests can pin it.

export interface BackoffPolicy {
  /** The first step. */
  baseMs: number;
  /** No step grows beyond this. */
  maxMs: number;
  /** Growth per attempt (2 = doubling). */
  factor?: number;
}

/**
 * Exponential backoff with "equal jitter": attempt n (from 1) waits between half and all of
 * min(max, base * factor^(n-1)). Half fixed so a retry never hammers at ~0 ms; half random so a
 * fleet of agents that lost the same server does not come back in lockstep.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** (n - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** A fixed delay spread by +-spread (0.1 = +-10 %), for slow periodic retries. */
export function jitteredMs(ms: number, spread = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - spread + 2 * spread * random())));
}

/** Resolves true after ms, or false as soon as the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
