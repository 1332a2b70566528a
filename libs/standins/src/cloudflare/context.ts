// What a route handler gets and returns.
import { ERR } from './codes.js';
import { CfError, type ResultInfo } from './envelope.js';
import type { PageLimits } from './pagination.js';
import type { RecordRules } from './record-rules.js';
import type { StandInState, StandInZone } from './state.js';

export interface StandInConfig {
  rules: RecordRules;
  pages: PageLimits;
  /** Records one batch request may touch (200 on Free, 3,500 on paid plans). */
  batchLimit: number;
}

export interface RequestContext {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  state: StandInState;
  config: StandInConfig;
  /** A one-line description of what the request did, for the request log. */
  summary?: string;
}

export interface HandlerResult {
  result: unknown;
  resultInfo?: ResultInfo;
}

export type Handler = (ctx: RequestContext) => HandlerResult;

export function zoneOf(ctx: RequestContext): StandInZone {
  const zone = ctx.state.zones.get(ctx.params.zoneId ?? '');
  if (!zone) throw new CfError(404, [{ code: ERR.noRoute, message: `Could not route to /zones/${ctx.params.zoneId}, perhaps your object identifier is invalid?` }]);
  return zone;
}

export function accountOf(ctx: RequestContext): string {
  if (ctx.params.accountId !== ctx.state.accountId) {
    throw new CfError(404, [{ code: ERR.noRoute, message: `Could not route to /accounts/${ctx.params.accountId}, perhaps your object identifier is invalid?` }]);
  }
  return ctx.state.accountId;
}

export function objectBody(ctx: RequestContext): Record<string, unknown> {
  if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) throw new CfError(400, [{ code: ERR.invalidRequest, message: 'Request body must be a JSON object.' }]);
  return ctx.body as Record<string, unknown>;
}
