// The HTTP side of the stand-in: node:http on 127.0.0.1, Cloudflare's /client/v4 prefix, the
// envelope on every answer, then in order: injected failures, authentication, the per-token rate
// limit, and the route. Every request is logged (method, path, query, status, summary).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './auth.js';
import { ERR } from './codes.js';
import type { RequestContext, StandInConfig } from './context.js';
import { CfError, errorBody, successBody } from './envelope.js';
import type { FailureQueue } from './failures.js';
import type { TokenRateLimiter } from './rate-limit.js';
import { matchRoute } from './routes.js';
import type { StandInState } from './state.js';

export const API_PREFIX = '/client/v4';

export interface StandInRequest {
  method: string;
  /** Path below /client/v4, e.g. /zones/{id}/dns_records/batch. */
  path: string;
  /** Decoded query string. */
  query: string;
  status: number;
  /** What the request did (`batch deletes=1 patches=0 puts=0 posts=2`, `create pool ...`), when it did something. */
  summary?: string;
}

export interface ServerParts {
  state: StandInState;
  config: StandInConfig;
  token: string;
  limiter: TokenRateLimiter;
  failures: FailureQueue;
  log: StandInRequest[];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CfError(400, [{ code: ERR.malformedJson, message: 'Malformed JSON in request body' }]);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = req.method ?? 'GET';
  const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
  const entry: StandInRequest = { method, path, query: decodeURIComponent(url.search.replace(/^\?/, '')), status: 0 };
  parts.log.push(entry);

  const injected = parts.failures.take();
  if (injected) {
    entry.status = injected.status;
    entry.summary = 'injected failure';
    res.writeHead(injected.status, injected.headers);
    res.end(injected.body);
    return;
  }
  try {
    const token = authenticate(req.headers, parts.token);
    const wait = parts.limiter.admit(token);
    if (wait !== undefined) {
      throw new CfError(429, [{ code: ERR.rateLimited, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': String(wait) });
    }
    const route = url.pathname.startsWith(API_PREFIX) ? matchRoute(method, path) : undefined;
    if (!route) throw new CfError(404, [{ code: ERR.noRoute, message: `Could not route to ${path}, perhaps your object identifier is invalid?` }]);
    const ctx: RequestContext = { method, params: route.params, query: url.searchParams, body: await readBody(req), state: parts.state, config: parts.config };
    const { result, resultInfo } = route.handler(ctx);
    entry.status = 200;
    if (ctx.summary !== undefined) entry.summary = ctx.summary;
    send(res, 200, successBody(result, resultInfo));
  } catch (e) {
    const err = e instanceof CfError ? e : new CfError(500, [{ code: ERR.internal, message: `Internal error: ${(e as Error).message}` }]);
    entry.status = err.status;
    entry.summary = err.message;
    send(res, err.status, errorBody(err.errors), err.headers);
  }
}

export async function listen(parts: ServerParts): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(parts, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody([{ code: ERR.internal, message: String(e) }]));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}${API_PREFIX}` };
}
