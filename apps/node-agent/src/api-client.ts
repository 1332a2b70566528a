// The nodes' HTTP contract with plane-api (INTERFACES.md): JSON bodies, a bearer token.
import { readFileSync } from 'node:fs';
import { errorText } from './service-metrics.js';

export type ApiOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** 4xx: the request or the configuration is wrong (the server's `error` says what); sending it again as is will not help. */
  | { kind: 'rejected'; status: number; error: string }
  /** Network error, timeout, 5xx, 408, 429: worth trying again. */
  | { kind: 'unavailable'; error: string };

/** The bearer token, read from its file; read again after a 401 so a rotated token is picked up without a restart. */
export class TokenSource {
  constructor(
    private value: string,
    private readonly read: () => string,
  ) {}

  static fromFile(initial: string, path: string): TokenSource {
    return new TokenSource(initial, () => readFileSync(path, 'utf8').trim());
  }

  static fixed(token: string): TokenSource {
    return new TokenSource(token, () => token);
  }

  get current(): string {
    return this.value;
  }

  /** Reads the token again; true when it changed. */
  reload(): boolean {
    try {
      const next = this.read();
      if (next === '' || next === this.value) return false;
      this.value = next;
      return true;
    } catch {
      return false;
    }
  }
}

async function errorOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: use the text
  }
  return text.trim().slice(0, 200) || `HTTP ${res.status}`;
}

/** AbortSignal.any (Node >= 20.3), or the same by hand on older 20.x. */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const c = new AbortController();
  const abort = (s: AbortSignal) => c.abort(s.reason);
  for (const s of [a, b]) {
    if (s.aborted) abort(s);
    else s.addEventListener('abort', () => abort(s), { once: true });
  }
  return c.signal;
}

export class PlaneApiClient {
  private readonly base: string;

  constructor(apiUrl: string, private readonly token: TokenSource) {
    this.base = apiUrl.replace(/\/+$/, '');
  }

  /** POSTs a JSON body; `signal` cancels it early (shutdown). */
  async post(path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<ApiOutcome> {
    const first = await this.once(path, body, timeoutMs, signal);
    if (first.kind === 'rejected' && first.status === 401 && this.token.reload()) return this.once(path, body, timeoutMs, signal);
    return first;
  }

  private async once(path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<ApiOutcome> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token.current}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? eitherSignal(timeout, signal) : timeout,
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'AbortError') return { kind: 'unavailable', error: 'cancelled' };
      return { kind: 'unavailable', error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText(err) };
    }
    if (res.ok) {
      const text = await res.text().catch(() => '');
      let parsed: unknown = null;
      try {
        parsed = text ? (JSON.parse(text) as unknown) : null;
      } catch {
        parsed = text;
      }
      return { kind: 'ok', status: res.status, body: parsed };
    }
    const error = await errorOf(res);
    if (res.status >= 500 || res.status === 408 || res.status === 429) return { kind: 'unavailable', error: `HTTP ${res.status}: ${error}` };
    return { kind: 'rejected', status: res.status, error };
  }
}
