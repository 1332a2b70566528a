// HTTP plumbing: routes the SDK's REST paths, checks the SigV4 header's presence, injects
// failures, logs every request, and answers errors in Route53's XML error format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApiError, changeResourceRecordSets, getChange, getHostedZone, listHostedZones, listHostedZonesByName, listResourceRecordSets, type HandlerResult, type HandlerSettings } from './handlers.js';
import { errorBody } from './responses.js';
import type { Route53State } from './state.js';

export type Route53Action = 'ChangeResourceRecordSets' | 'ListResourceRecordSets' | 'GetChange' | 'ListHostedZonesByName' | 'ListHostedZones' | 'GetHostedZone' | 'Unknown';

export interface StandInRequest {
  method: string;
  /** Path and query string. */
  path: string;
  action: Route53Action;
  /** What the request asked for (changes, list start, change id). */
  summary: string;
  status: number;
  /** Error code when the answer was an error. */
  errorCode?: string;
}

export interface InjectedFailure {
  status: number;
  code: string;
  message?: string;
  /** Sent as a Retry-After header (seconds). */
  retryAfterS?: number;
  /** Only requests of this action consume the failure; any request when absent. */
  action?: Route53Action;
}

export interface ServerContext {
  state: Route53State;
  settings: HandlerSettings;
  log: StandInRequest[];
  failures: InjectedFailure[];
  /** When set, requests signed with another access key id are refused. */
  accessKeyId?: string;
}

const API = '/2013-04-01';

function route(method: string, pathname: string): { action: Route53Action; id?: string } {
  const rrset = new RegExp(`^${API}/hostedzone/([^/]+)/rrset/?$`).exec(pathname);
  if (rrset && method === 'POST') return { action: 'ChangeResourceRecordSets', id: decodeURIComponent(rrset[1]!) };
  if (rrset && method === 'GET') return { action: 'ListResourceRecordSets', id: decodeURIComponent(rrset[1]!) };
  const change = new RegExp(`^${API}/change/([^/]+)$`).exec(pathname);
  if (change && method === 'GET') return { action: 'GetChange', id: decodeURIComponent(change[1]!) };
  if (pathname === `${API}/hostedzonesbyname` && method === 'GET') return { action: 'ListHostedZonesByName' };
  if ((pathname === `${API}/hostedzone` || pathname === `${API}/hostedzone/`) && method === 'GET') return { action: 'ListHostedZones' };
  const zone = new RegExp(`^${API}/hostedzone/([^/]+)$`).exec(pathname);
  if (zone && method === 'GET') return { action: 'GetHostedZone', id: decodeURIComponent(zone[1]!) };
  return { action: 'Unknown' };
}

/** Route53 checks the signature; the stand-in checks one is there, for route53, by the expected key. */
function checkAuthorization(req: IncomingMessage, accessKeyId: string | undefined): void {
  const header = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]+$/.exec(header);
  if (!m || !req.headers['x-amz-date']) throw new ApiError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
  if (m[2] !== 'route53') throw new ApiError(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'route53'.`);
  if (accessKeyId !== undefined && m[1] !== accessKeyId) throw new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
}

function dispatch(ctx: ServerContext, method: string, url: URL, body: string, action: Route53Action, id: string | undefined): HandlerResult {
  switch (action) {
    case 'ChangeResourceRecordSets':
      return changeResourceRecordSets(ctx.state, ctx.settings, id!, body);
    case 'ListResourceRecordSets':
      return listResourceRecordSets(ctx.state, ctx.settings, id!, url.searchParams);
    case 'GetChange':
      return getChange(ctx.state, id!);
    case 'ListHostedZonesByName':
      return listHostedZonesByName(ctx.state, url.searchParams);
    case 'ListHostedZones':
      return listHostedZones(ctx.state, url.searchParams);
    case 'GetHostedZone':
      return getHostedZone(ctx.state, id!);
    case 'Unknown':
      throw new ApiError(404, 'UnknownOperationException', `The stand-in does not serve ${method} ${url.pathname}`);
  }
}

function takeFailure(ctx: ServerContext, action: Route53Action): InjectedFailure | undefined {
  const i = ctx.failures.findIndex((f) => f.action === undefined || f.action === action);
  return i === -1 ? undefined : ctx.failures.splice(i, 1)[0];
}

function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://standin');
  const method = req.method ?? 'GET';
  const { action, id } = route(method, url.pathname);
  const entry: StandInRequest = { method, path: `${url.pathname}${url.search}`, action, summary: '', status: 200 };
  ctx.log.push(entry);
  const requestId = randomUUID();
  const headers: Record<string, string> = { 'content-type': 'text/xml', 'x-amzn-requestid': requestId };
  try {
    checkAuthorization(req, ctx.accessKeyId);
    const failure = takeFailure(ctx, action);
    if (failure) {
      if (failure.retryAfterS !== undefined) headers['retry-after'] = String(failure.retryAfterS);
      throw new ApiError(failure.status, failure.code, failure.message ?? `Injected ${failure.code}`);
    }
    const result = dispatch(ctx, method, url, body, action, id);
    entry.summary = result.summary;
    res.writeHead(200, headers).end(result.body);
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalFailure', e instanceof Error ? e.message : String(e));
    entry.status = err.status;
    entry.errorCode = err.code;
    if (!entry.summary) entry.summary = `${err.code}: ${err.message}`;
    res.writeHead(err.status, headers).end(errorBody(err.status >= 500 ? 'Receiver' : 'Sender', err.code, err.message, requestId));
  }
}

export async function listen(ctx: ServerContext): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(ctx, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stand-in did not get a TCP port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}
