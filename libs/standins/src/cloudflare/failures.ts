// Failure injection: the next N requests answer with a given status instead of being served,
// the way Cloudflare's edge or API sometimes does (429 with retry-after, 500, a 502 HTML page).
import { STATUS_CODES } from 'node:http';
import { ERR } from './codes.js';
import { errorBody } from './envelope.js';

export interface InjectedFailure {
  status: number;
  /** Cloudflare error code in the envelope (default: 971 for 429, 10001 otherwise). */
  code?: number;
  message?: string;
  /** Sent as the `retry-after` header (seconds). */
  retryAfterS?: number;
  /** Answer with an HTML page instead of the JSON envelope, as the edge does on 502/504. */
  html?: boolean;
}

export interface FailureResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class FailureQueue {
  private readonly queue: InjectedFailure[] = [];

  push(count: number, failure: InjectedFailure): void {
    for (let i = 0; i < count; i++) this.queue.push(failure);
  }

  clear(): void {
    this.queue.length = 0;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The response for the next request, if a failure is queued for it. */
  take(): FailureResponse | undefined {
    const f = this.queue.shift();
    if (!f) return undefined;
    const headers: Record<string, string> = f.retryAfterS !== undefined ? { 'retry-after': String(f.retryAfterS) } : {};
    const html = f.html ?? (f.status === 502 && f.code === undefined);
    if (html) {
      const title = `${f.status} ${STATUS_CODES[f.status] ?? 'Error'}`;
      return { status: f.status, headers: { ...headers, 'content-type': 'text/html' }, body: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>cloudflare</center></body></html>` };
    }
    const code = f.code ?? (f.status === 429 ? ERR.rateLimited : ERR.internal);
    const message = f.message ?? (f.status === 429 ? 'Please wait and consider throttling your request speed' : 'Internal server error');
    return { status: f.status, headers: { ...headers, 'content-type': 'application/json' }, body: errorBody([{ code, message }]) };
  }
}
