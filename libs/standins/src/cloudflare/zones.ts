// GET /zones (the zones the token can see; how adapters find a zone's id and list every zone) and
// GET /zones/{zone_id}.
import { ERR } from './codes.js';
import { zoneOf, type HandlerResult, type RequestContext } from './context.js';
import { CfError } from './envelope.js';
import { paginate } from './pagination.js';
import type { StandInZone } from './state.js';

/** List Zones pages: `per_page` 5..50, default 20 (Cloudflare's API reference). */
export const ZONE_PAGES = { defaultPerPage: 20, minPerPage: 5, maxPerPage: 50 } as const;

const ORDERS = ['name', 'status', 'account.id', 'account.name', 'plan.id'] as const;
const STATUSES = ['initializing', 'pending', 'active', 'moved'] as const;

function invalid(message: string): CfError {
  return new CfError(400, [{ code: ERR.invalidRequest, message }]);
}

function oneOf<T extends string>(ctx: RequestContext, key: string, allowed: readonly T[]): T | undefined {
  const raw = ctx.query.get(key);
  if (raw === null) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw invalid(`${key} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

function zoneView(z: StandInZone): Record<string, unknown> {
  return {
    id: z.id,
    name: z.name,
    status: 'active',
    paused: false,
    type: 'full',
    name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
    account: { id: z.accountId, name: 'stand-in account' },
    plan: { id: 'free', name: 'Free Website' },
  };
}

/** The `name` filter: an exact name, or `<operator>:<value>` as the API reference lists them. */
function nameFilter(raw: string | null): ((name: string) => boolean) | undefined {
  if (raw === null) return undefined;
  const m = /^(equal|not_equal|starts_with|ends_with|contains|starts_with_case_sensitive|ends_with_case_sensitive|contains_case_sensitive):(.*)$/.exec(raw);
  const op = m?.[1] ?? 'equal';
  const caseSensitive = op.endsWith('_case_sensitive');
  const value = (m?.[2] ?? raw).replace(/\.$/, '');
  const v = caseSensitive ? value : value.toLowerCase();
  switch (op.replace(/_case_sensitive$/, '')) {
    case 'equal':
      return (n) => n === v;
    case 'not_equal':
      return (n) => n !== v;
    case 'starts_with':
      return (n) => n.startsWith(v);
    case 'ends_with':
      return (n) => n.endsWith(v);
    default:
      return (n) => n.includes(v);
  }
}

export function listZones(ctx: RequestContext): HandlerResult {
  const name = nameFilter(ctx.query.get('name'));
  const account = ctx.query.get('account.id');
  const order = oneOf(ctx, 'order', ORDERS) ?? 'name';
  const direction = oneOf(ctx, 'direction', ['asc', 'desc'] as const) ?? 'asc';
  const match = oneOf(ctx, 'match', ['any', 'all'] as const) ?? 'all';
  const status = oneOf(ctx, 'status', STATUSES);
  const perPage = ctx.query.get('per_page');
  if (perPage !== null && Number.isInteger(Number(perPage)) && Number(perPage) < ZONE_PAGES.minPerPage) {
    throw invalid(`per_page must be at least ${ZONE_PAGES.minPerPage}`);
  }
  // Every stand-in zone is active, on the account of the token.
  const keep = (z: StandInZone) => {
    const results: boolean[] = [];
    if (name) results.push(name(z.name));
    if (account !== null) results.push(z.accountId === account);
    if (status !== undefined) results.push(status === 'active');
    return results.length === 0 || (match === 'all' ? results.every(Boolean) : results.some(Boolean));
  };
  const key = (z: StandInZone) => (order === 'name' ? z.name : order === 'account.id' ? z.accountId : order === 'status' ? 'active' : order === 'plan.id' ? 'free' : 'stand-in account');
  const zones = [...ctx.state.zones.values()]
    .filter(keep)
    .sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a).localeCompare(key(b)) || a.name.localeCompare(b.name)));
  const { page, info } = paginate(zones, ctx.query, ZONE_PAGES);
  return { result: page.map(zoneView), resultInfo: info };
}

export function getZone(ctx: RequestContext): HandlerResult {
  return { result: zoneView(zoneOf(ctx)) };
}
