// GitHub's refusals as one typed error, modelled like DnsProviderError: an HTTP status, a code
// of our own for the cases the caller acts on, and the wait GitHub asked for. Rate limits are
// surfaced, never slept through: a secondary limit can ask for minutes, and the caller (a
// JetStream consumer) can redeliver later without holding anything.

export type GitHubErrorCode =
  /** Primary limit: x-ratelimit-remaining is 0 until x-ratelimit-reset. */
  | 'rate_limited'
  /** Secondary (abuse) limit: 403/429, usually with retry-after. */
  | 'secondary_rate_limit'
  /** The contents API saw another blob sha than the one sent (409). */
  | 'stale_sha'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'validation_failed'
  | 'server_error'
  | 'network';

export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    message: string,
    /** HTTP status, when there was a response. */
    readonly status?: number,
    readonly code?: GitHubErrorCode,
    /** Seconds GitHub asked us to wait before the next request. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  /** True when the same request may succeed later: rate limits (after `retryAfterS`), 5xx, network trouble. */
  get retryable(): boolean {
    return this.code === 'rate_limited' || this.code === 'secondary_rate_limit' || this.code === 'server_error' || this.code === 'network' || this.status === 429;
  }
}

/** The shape of an Octokit RequestError, read structurally (the class lives in a transitive package). */
interface HttpErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function isHttpError(e: unknown): e is HttpErrorLike {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && typeof (e as { message?: unknown }).message === 'string';
}

export function httpStatus(e: unknown): number | undefined {
  return isHttpError(e) ? e.status : undefined;
}

/** GitHub's own error message (`data.message`), not Octokit's decorated one. */
export function gitHubMessage(e: unknown): string {
  if (!isHttpError(e)) return e instanceof Error ? e.message : String(e);
  const data = e.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    const d = data as { message: string; errors?: unknown };
    const details = Array.isArray(d.errors)
      ? d.errors
          .map((x: unknown) => (typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string' ? (x as { message: string }).message : undefined))
          .filter((x): x is string => x !== undefined)
      : [];
    return details.length > 0 ? `${d.message}: ${details.join('; ')}` : d.message;
  }
  return e.message;
}

function header(e: HttpErrorLike, name: string): string | undefined {
  const v = e.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** Seconds from a retry-after header: delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Turns whatever Octokit threw into a GitHubApiError that says what was being done. */
export function toGitHubApiError(e: unknown, doing: string, nowMs = Date.now()): GitHubApiError {
  if (e instanceof GitHubApiError) return e;
  if (!isHttpError(e)) return new GitHubApiError(`${doing}: ${e instanceof Error ? e.message : String(e)}`, undefined, 'network');
  const status = e.status;
  const message = gitHubMessage(e);
  const retryAfter = parseRetryAfter(header(e, 'retry-after'), nowMs);
  const remaining = header(e, 'x-ratelimit-remaining');
  const reset = header(e, 'x-ratelimit-reset');
  const text = `${doing}: GitHub answered ${status}: ${message}`;
  if (status === 403 || status === 429) {
    if (retryAfter !== undefined) return new GitHubApiError(text, status, remaining === '0' && !/secondary/i.test(message) ? 'rate_limited' : 'secondary_rate_limit', retryAfter);
    if (remaining === '0') {
      const wait = reset !== undefined && /^\d+$/.test(reset) ? Math.max(1, Number(reset) - Math.floor(nowMs / 1000)) : 60;
      return new GitHubApiError(text, status, 'rate_limited', wait);
    }
    // A secondary limit without headers: GitHub asks for at least a minute.
    if (status === 429 || /secondary rate limit|abuse/i.test(message)) return new GitHubApiError(text, status, 'secondary_rate_limit', 60);
    return new GitHubApiError(text, status, 'forbidden');
  }
  if (status === 0) return new GitHubApiError(text, undefined, 'network');
  if (status >= 500) return new GitHubApiError(text, status, 'server_error', retryAfter);
  const code: GitHubErrorCode | undefined =
    status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : status === 409 ? 'stale_sha' : status === 422 ? 'validation_failed' : undefined;
  return new GitHubApiError(text, status, code);
}
