// The HTTP side of the GitHub stand-in: node:http on 127.0.0.1. In order, for every request: the
// log entry, effects registered by the test (`onRequest`), injected failures, authentication
// (`Authorization: token|Bearer <token>`), the primary rate limit per token, then the route.
// Every answer carries GitHub's x-ratelimit-* headers.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GhError, notFound } from './errors.js';
import { executeGraphql } from './graphql.js';
import { matchRepoRoute, type RouteResult } from './rest.js';
import type { StandInState } from './state.js';

export interface StandInRequest {
  method: string;
  /** Percent-decoded path, e.g. /repos/acme/platform/contents/infra/node-pool/jp.tfvars. */
  path: string;
  query: string;
  status: number;
  /** The JSON body of a write, as received. */
  body?: unknown;
  /** What the request did, or why it was refused. */
  summary?: string;
}

export interface RequestMatch {
  method?: string;
  /** A substring or a pattern of the decoded path. */
  path?: string | RegExp;
}

export type InjectedFailure =
  /** GitHub's secondary (abuse) limit: 403 (or 429), `retry-after` when given. */
  | { kind: 'secondary_rate_limit'; status?: 403 | 429; retryAfterS?: number }
  /** The primary limit used up: x-ratelimit-remaining 0 until x-ratelimit-reset. */
  | { kind: 'rate_limit'; status?: 403 | 429; resetInS?: number }
  /** Any other answer (500, 502, 401...). */
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> };

export interface RateLimit {
  limit: number;
  windowS: number;
}

interface PendingFailure {
  remaining: number;
  failure: InjectedFailure;
  match?: RequestMatch;
}

interface PendingEffect {
  remaining: number;
  match: RequestMatch;
  effect: (request: { method: string; path: string }) => void;
}

export interface ServerParts {
  state: StandInState;
  tokens: Map<string, string>;
  log: StandInRequest[];
  failures: PendingFailure[];
  effects: PendingEffect[];
  rateLimit: RateLimit;
  usage: Map<string, { used: number; resetAt: number }>;
  /** Set once the server listens. */
  base: string;
}

export function matches(match: RequestMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.includes(match.path) : match.path.test(path);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GhError(400, 'Problems parsing JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GhError(400, 'Body should be a JSON object');
  return parsed as Record<string, unknown>;
}

function failureResponse(f: InjectedFailure, nowS: number): GhError {
  switch (f.kind) {
    case 'secondary_rate_limit':
      return new GhError(
        f.status ?? 403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:STAND-IN.',
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        undefined,
        f.retryAfterS !== undefined ? { 'retry-after': String(f.retryAfterS) } : {},
      );
    case 'rate_limit':
      return new GhError(f.status ?? 403, 'API rate limit exceeded for user ID 1.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', undefined, {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(nowS + (f.resetInS ?? 3600)),
      });
    case 'status':
      return new GhError(f.status, f.message ?? (f.status >= 500 ? 'Server Error' : 'Error'), 'https://docs.github.com/rest', undefined, f.headers ?? {});
  }
}

function authenticate(parts: ServerParts, header: string | undefined): { token: string; login: string } {
  if (header === undefined) throw new GhError(401, 'Requires authentication');
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  const login = m ? parts.tokens.get(m[1]!) : undefined;
  if (!m || login === undefined) throw new GhError(401, 'Bad credentials');
  return { token: m[1]!, login };
}

function rateHeaders(parts: ServerParts, token: string | undefined, nowS: number, consume: boolean): { headers: Record<string, string>; exceeded: boolean } {
  const { limit, windowS } = parts.rateLimit;
  if (token === undefined) return { headers: {}, exceeded: false };
  let u = parts.usage.get(token);
  if (!u || u.resetAt <= nowS) {
    u = { used: 0, resetAt: nowS + windowS };
    parts.usage.set(token, u);
  }
  const exceeded = u.used >= limit;
  if (consume && !exceeded) u.used++;
  return {
    exceeded,
    headers: {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - u.used)),
      'x-ratelimit-reset': String(u.resetAt),
      'x-ratelimit-used': String(u.used),
      'x-ratelimit-resource': 'core',
    },
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json', 'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(), ...headers });
  res.end(body);
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = (req.method ?? 'GET').toUpperCase();
  const segments = url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
  const path = '/' + segments.join('/');
  const entry: StandInRequest = { method, path, query: decodeURIComponent(url.search.replace(/^\?/, '')), status: 0 };
  parts.log.push(entry);
  const nowS = Math.floor(Date.now() / 1000);
  let token: string | undefined;
  // Read the whole request first, whatever the answer: an unread body would break keep-alive.
  const text = await readText(req);
  try {
    for (const e of parts.effects) {
      if (e.remaining > 0 && matches(e.match, method, path)) {
        e.remaining--;
        e.effect({ method, path });
      }
    }
    const failure = parts.failures.find((f) => f.remaining > 0 && matches(f.match, method, path));
    if (failure) {
      failure.remaining--;
      entry.summary = `injected ${failure.failure.kind}`;
      throw failureResponse(failure.failure, nowS);
    }
    const auth = authenticate(parts, req.headers.authorization);
    token = auth.token;
    const limit = rateHeaders(parts, token, nowS, true);
    if (limit.exceeded) throw new GhError(403, 'API rate limit exceeded for user ID 1.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api');
    const body = method === 'GET' ? {} : parseJson(text);
    if (method !== 'GET') entry.body = body;
    let result: RouteResult;
    if (method === 'POST' && path === '/graphql') {
      const g = executeGraphql(parts.state, body, auth.login);
      result = { status: 200, body: g.body, summary: g.summary };
    } else {
      if (segments[0] !== 'repos' || segments.length < 3) throw notFound();
      const repo = parts.state.repo(segments[1]!, segments[2]!);
      if (!repo) throw notFound();
      const route = matchRepoRoute(method, segments.slice(3));
      if (!route) throw notFound();
      result = route.handler({ state: parts.state, repo, params: route.params, query: url.searchParams, body, base: parts.base, login: auth.login });
    }
    entry.status = result.status;
    if (result.summary !== undefined) entry.summary = result.summary;
    send(res, result.status, JSON.stringify(result.body), { ...limit.headers, ...result.headers });
  } catch (e) {
    const err = e instanceof GhError ? e : new GhError(500, `stand-in error: ${(e as Error).message}`);
    entry.status = err.status;
    entry.summary ??= err.message;
    const limit = rateHeaders(parts, token, nowS, false);
    send(res, err.status, err.body(), { ...limit.headers, ...err.headers });
  }
}

export async function listen(parts: ServerParts): Promise<Server> {
  const server = createServer((req, res) => {
    handle(parts, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, new GhError(500, String(e)).body(), {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  parts.base = `http://127.0.0.1:${port}`;
  return server;
}
