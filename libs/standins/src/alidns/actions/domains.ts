// DescribeDomains: the domains (zones) the account hosts, newest first, paged by PageNumber /
// PageSize (at most 100 a page, 20 by default), answered as `Domains.Domain[]`.
import { aliErrors } from '../errors.js';
import { paginate, type ActionContext, type ActionHandler } from '../context.js';

/** The stand-in has no domain groups: every domain is in the default (ungrouped) one. */
const DEFAULT_GROUP = 'defaultGroup';

function domainView(ctx: ActionContext, name: string): Record<string, unknown> {
  const created = ctx.state.created.get(name) ?? 0;
  return {
    DomainId: `standin-${Buffer.from(name).toString('hex').slice(0, 24)}`,
    DomainName: name,
    PunyCode: name,
    AliDomain: false,
    RecordCount: ctx.state.inDomain(name).length,
    GroupId: DEFAULT_GROUP,
    GroupName: 'default',
    Starmark: false,
    CreateTime: new Date(created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    CreateTimestamp: created,
    VersionCode: 'mianfei',
    VersionName: 'Alibaba Cloud DNS',
    DnsServers: { DnsServer: ['dns1.hichina.com', 'dns2.hichina.com'] },
  };
}

const describeDomains: ActionHandler = (params, ctx) => {
  params.allowOnly('DescribeDomains', ['PageNumber', 'PageSize', 'KeyWord', 'GroupId', 'SearchMode', 'ResourceGroupId', 'Starmark', 'OrderBy', 'Direction']);
  const mode = (params.optional('SearchMode') ?? 'LIKE').toUpperCase();
  if (mode !== 'LIKE' && mode !== 'EXACT') throw aliErrors.invalidParameter('SearchMode');
  const keyWord = params.optional('KeyWord')?.toLowerCase();
  const groupId = params.optional('GroupId');
  if (groupId !== undefined && groupId !== DEFAULT_GROUP) throw aliErrors.domainGroupNotFound();
  const starmark = params.bool('Starmark', false);
  const direction = (params.optional('Direction') ?? 'DESC').toUpperCase();
  if (direction !== 'ASC' && direction !== 'DESC') throw aliErrors.invalidParameter('Direction');
  const orderBy = params.optional('OrderBy') ?? 'CreateTime';
  if (orderBy !== 'CreateTime' && orderBy !== 'RecordCount') throw aliErrors.invalidParameter('OrderBy');
  // Insertion order is creation order; the default is newest first.
  const all = [...ctx.state.domains].map((name, i) => ({ name, i, records: ctx.state.inDomain(name).length }));
  const matching = all
    .filter((d) => !starmark && (keyWord === undefined || (mode === 'EXACT' ? d.name === keyWord : d.name.includes(keyWord))))
    .sort((a, b) => (direction === 'ASC' ? 1 : -1) * (orderBy === 'RecordCount' ? a.records - b.records || a.i - b.i : a.i - b.i));
  const { items, ...page } = paginate(params, ctx, matching, 100);
  return { ...page, Domains: { Domain: items.map((d) => domainView(ctx, d.name)) } };
};

export const domainActions: Record<string, ActionHandler> = {
  DescribeDomains: describeDomains,
};
