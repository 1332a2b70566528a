// The official SDK client, paced by our token bucket, with its own retries off: the DNS-apply
// executor owns retrying (with backoff and `retry-after`), so a retry here would hide 429s from it.
import Cloudflare from 'cloudflare';
import { toDnsProviderError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { TokenBucket } from '../../pacing.js';

export function createClient(opts: ResolvedOptions): Cloudflare {
  const bucket = new TokenBucket(opts.requestsPerSecond, opts.burst);
  return new Cloudflare({
    apiToken: opts.apiToken,
    // Explicit nulls: the SDK would otherwise pick CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL from the
    // environment and send them alongside the token.
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: opts.baseURL,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    // Every HTTP request the SDK makes (pagination included) waits for a token first.
    fetch: async (input, init) => {
      await bucket.take();
      return fetch(input, init);
    },
  });
}

/** Counts the API calls of one records()/apply() and turns SDK errors into DnsProviderError. */
export class Calls {
  count = 0;

  async one<T>(request: () => PromiseLike<T>): Promise<T> {
    this.count += 1;
    try {
      return await request();
    } catch (e) {
      throw toDnsProviderError(e);
    }
  }
}
