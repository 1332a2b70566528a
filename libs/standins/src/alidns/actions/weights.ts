// Weighted round robin actions: SetDNSSLBStatus, UpdateDNSSLBWeight, DescribeDNSSLBSubDomains.
import { aliErrors } from '../errors.js';
import { findRecord, fullName, hostedDomain, paginate, resolveSubDomain, type ActionHandler } from '../context.js';
import { WEIGHTED_TYPES } from '../record-rules.js';
import { slbKey } from '../state.js';

const setDnsSlbStatus: ActionHandler = (params, ctx) => {
  params.allowOnly('SetDNSSLBStatus', ['SubDomain', 'Open', 'DomainName', 'Type', 'Line']);
  const subDomain = params.required('SubDomain');
  const domainName = params.optional('DomainName');
  const { domain, rr } = resolveSubDomain(ctx, subDomain, domainName);
  // The reference: "example.com is a wrong SubDomain for the apex, use @.example.com".
  if (rr === '@' && !subDomain.startsWith('@.')) throw aliErrors.invalidParameter('SubDomain', `(use @.${domain} for the apex)`);
  const open = params.bool('Open', true);
  const type = (params.optional('Type') ?? 'A').toUpperCase();
  if (!WEIGHTED_TYPES.has(type)) throw aliErrors.invalidParameter('Type');
  const line = params.optional('Line') ?? 'default';
  const group = ctx.state.weightGroup(domain, rr, type, line);
  if (open && group.length < ctx.settings.slbMinRecords) throw aliErrors.slbTooFewRecords(ctx.settings.slbMinRecords);
  if (open && group.length > ctx.settings.maxWeightedRecords) throw aliErrors.slbQuota(ctx.settings.maxWeightedRecords);
  ctx.state.slb.set(slbKey(domain, rr, type, line), open);
  return { RecordCount: group.length, Open: open };
};

const updateDnsSlbWeight: ActionHandler = (params, ctx) => {
  params.allowOnly('UpdateDNSSLBWeight', ['RecordId', 'Weight']);
  const record = findRecord(ctx, params.required('RecordId'));
  const raw = params.required('Weight');
  // Documented range [1-100]: weight 0 is refused here even though the console describes 0 as "never answered".
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) throw aliErrors.invalidWeight();
  if (record.Locked) throw aliErrors.recordLocked();
  if (record.Status !== 'ENABLE') throw aliErrors.recordDisabled();
  if (!ctx.state.slbOpen(record.DomainName, record.RR, record.Type, record.Line)) throw aliErrors.slbClosed();
  if (ctx.state.weightGroup(record.DomainName, record.RR, record.Type, record.Line).length > ctx.settings.maxWeightedRecords) {
    throw aliErrors.slbQuota(ctx.settings.maxWeightedRecords);
  }
  record.Weight = Number(raw);
  return { RecordId: record.RecordId, Weight: record.Weight };
};

/** One entry per host and type that holds several records or had weighting configured. */
const describeDnsSlbSubDomains: ActionHandler = (params, ctx) => {
  params.allowOnly('DescribeDNSSLBSubDomains', ['DomainName', 'PageNumber', 'PageSize', 'Rr']);
  const domain = hostedDomain(ctx, params.required('DomainName'));
  const rrFilter = params.optional('Rr')?.toLowerCase();
  const hosts = new Map<string, { rr: string; type: string; lines: Set<string> }>();
  const note = (rr: string, type: string, line: string) => {
    const key = `${rr}|${type}`;
    const h = hosts.get(key) ?? { rr, type, lines: new Set<string>() };
    h.lines.add(line);
    hosts.set(key, h);
  };
  for (const r of ctx.state.inDomain(domain)) {
    if (WEIGHTED_TYPES.has(r.Type) && ctx.state.weightGroup(domain, r.RR, r.Type, r.Line).length >= 2) note(r.RR, r.Type, r.Line);
  }
  for (const key of ctx.state.slb.keys()) {
    const [d, rr, type, line] = key.split('|') as [string, string, string, string];
    if (d === domain) note(rr, type, line);
  }
  const entries = [...hosts.values()]
    .filter((h) => rrFilter === undefined || h.rr === rrFilter)
    .sort((a, b) => `${a.rr}|${a.type}`.localeCompare(`${b.rr}|${b.type}`))
    .map((h) => ({
      SubDomain: h.rr === '@' ? `@.${domain}` : fullName(domain, h.rr),
      Type: h.type,
      RecordCount: ctx.state.weightGroup(domain, h.rr, h.type, 'default').length,
      Open: ctx.state.slbOpen(domain, h.rr, h.type, 'default'),
      LineAlgorithms: {
        LineAlgorithm: [...h.lines].sort().map((line) => ({ Line: line, Open: ctx.state.slbOpen(domain, h.rr, h.type, line) })),
      },
    }));
  // DescribeDNSSLBSubDomains pages hold at most 100 entries.
  const { items, ...page } = paginate(params, ctx, entries, 100);
  return { ...page, SlbSubDomains: { SlbSubDomain: items } };
};

export const weightActions: Record<string, ActionHandler> = {
  SetDNSSLBStatus: setDnsSlbStatus,
  UpdateDNSSLBWeight: updateDnsSlbWeight,
  DescribeDNSSLBSubDomains: describeDnsSlbSubDomains,
};
