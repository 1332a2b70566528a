// What an action handler gets: the state, the tunable settings, and helpers shared by actions
// (domain lookup, host-record resolution, paging, the JSON shape of a record).
import { aliErrors } from './errors.js';
import type { RpcParams } from './params.js';
import type { AlidnsState, StandInRecord } from './state.js';

export interface StandInSettings {
  /** Lowest TTL accepted: 1 on paid editions (default), 600 on the free edition. */
  minTtl: number;
  /** Accepted writes per second (sliding one-second window); over it -> Throttling.User. 0 = no limit. */
  writesPerSecond: number;
  /** HTTP status of Throttling.User: 400 as AliDNS documents it; 429 to mimic newer gateways. */
  throttleStatus: number;
  /** When set, Describe* pages hold at most this many entries, whatever PageSize asks (to prove paging). */
  pageSizeLimit?: number;
  /** Enabled records a host needs before weighting can be switched on (user guide: "multiple"). */
  slbMinRecords: number;
  /** Weighted records per host, type and line: 10 on the free edition, 90 on paid ones (default). */
  maxWeightedRecords: number;
}

export interface ActionContext {
  state: AlidnsState;
  settings: StandInSettings;
}

export type ActionHandler = (params: RpcParams, ctx: ActionContext) => Record<string, unknown>;

export function hostedDomain(ctx: ActionContext, name: string): string {
  const domain = name.toLowerCase().replace(/\.$/, '');
  if (!ctx.state.domains.has(domain)) throw aliErrors.domainNotFound(domain);
  return domain;
}

/**
 * Splits a full subdomain into (domain, RR). With DomainName given, RR is relative to it; without,
 * the domain is the last two labels (as DescribeSubDomainRecords documents). `@.example.com` is the apex.
 */
export function resolveSubDomain(ctx: ActionContext, subDomain: string, domainName: string | undefined): { domain: string; rr: string } {
  const sub = subDomain.toLowerCase().replace(/\.$/, '');
  const apexForm = sub.startsWith('@.') ? sub.slice(2) : undefined;
  const domain = domainName !== undefined ? hostedDomain(ctx, domainName) : hostedDomain(ctx, apexForm ?? sub.split('.').slice(-2).join('.'));
  if (apexForm === domain || sub === domain) return { domain, rr: '@' };
  if (!sub.endsWith(`.${domain}`)) throw aliErrors.invalidParameter('SubDomain', `(not under ${domain})`);
  return { domain, rr: sub.slice(0, -(domain.length + 1)) };
}

export function fullName(domain: string, rr: string): string {
  return rr === '@' ? domain : `${rr}.${domain}`;
}

export function findRecord(ctx: ActionContext, recordId: string): StandInRecord {
  const r = ctx.state.records.get(recordId);
  if (!r) throw aliErrors.recordNotFound();
  return r;
}

/** One page of `items` per PageNumber/PageSize, with the documented bounds and defaults. */
export function paginate<T>(params: RpcParams, ctx: ActionContext, items: T[], maxPageSize: number) {
  const pageNumber = params.int('PageNumber', { min: 1, max: 1_000_000 }, 1);
  const asked = params.int('PageSize', { min: 1, max: maxPageSize }, 20);
  const pageSize = Math.min(asked, ctx.settings.pageSizeLimit ?? asked);
  const start = (pageNumber - 1) * pageSize;
  return { TotalCount: items.length, PageNumber: pageNumber, PageSize: pageSize, items: items.slice(start, start + pageSize) };
}

/** A record as DescribeDomainRecords / DescribeSubDomainRecords return it. */
export function recordView(r: StandInRecord): Record<string, unknown> {
  return {
    DomainName: r.DomainName,
    RecordId: r.RecordId,
    RR: r.RR,
    Type: r.Type,
    Value: r.Value,
    TTL: r.TTL,
    Line: r.Line,
    Status: r.Status,
    Locked: r.Locked,
    Weight: r.Weight,
    ...(r.Remark !== undefined ? { Remark: r.Remark } : {}),
    ...(r.Priority !== undefined ? { Priority: r.Priority } : {}),
  };
}

export function byRecordId(a: StandInRecord, b: StandInRecord): number {
  return Number(a.RecordId) - Number(b.RecordId);
}
