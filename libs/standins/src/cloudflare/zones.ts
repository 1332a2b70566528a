// GET /zones: the zones the token can see, filtered by name (how adapters find a zone's id).
import type { HandlerResult, RequestContext } from './context.js';
import { paginate } from './pagination.js';

export function listZones(ctx: RequestContext): HandlerResult {
  const name = ctx.query.get('name')?.toLowerCase().replace(/\.$/, '');
  const account = ctx.query.get('account.id');
  const zones = [...ctx.state.zones.values()]
    .filter((z) => (name === undefined || z.name === name) && (account === null || z.accountId === account))
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page, info } = paginate(zones, ctx.query, { defaultPerPage: 20, maxPerPage: 50 });
  return {
    result: page.map((z) => ({ id: z.id, name: z.name, status: 'active', paused: false, type: 'full', account: { id: z.accountId, name: 'stand-in account' }, plan: { id: 'free', name: 'Free Website' } })),
    resultInfo: info,
  };
}
