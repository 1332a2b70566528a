// The JSON AliDNS answers, checked field by field (pop-core returns untyped JSON).

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function field(obj: Record<string, unknown>, name: string): unknown {
  return obj[name];
}

export function optionalString(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** pop-core parses with json-bigint: large integers arrive as BigNumber objects, small ones as numbers. */
function asNumber(x: unknown): number | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' || isRecord(x) ? Number(String(x)) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function asId(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || isRecord(x) ? String(x) : undefined;
}

/** One record of DomainRecords.Record[]. */
export interface AliRecord {
  RecordId: string;
  RR: string;
  Type: string;
  Value: string;
  TTL: number;
  Line: string;
  Status: string;
  /** AliDNS starts records at 1. */
  Weight: number;
  Remark: string;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
}

function fail(action: string, what: string): never {
  throw new Error(`AliDNS ${action}: unexpected response (${what})`);
}

export function parseRecordPage(action: string, body: unknown): Page<AliRecord> {
  if (!isRecord(body)) fail(action, 'not an object');
  const totalCount = asNumber(body.TotalCount) ?? fail(action, 'TotalCount');
  const container = isRecord(body.DomainRecords) ? body.DomainRecords : fail(action, 'DomainRecords');
  const list = container.Record === undefined ? [] : Array.isArray(container.Record) ? container.Record : fail(action, 'DomainRecords.Record');
  const items = list.map((r, i): AliRecord => {
    if (!isRecord(r)) fail(action, `Record[${i}]`);
    return {
      RecordId: asId(r.RecordId) ?? fail(action, `Record[${i}].RecordId`),
      RR: optionalString(r.RR) ?? fail(action, `Record[${i}].RR`),
      Type: optionalString(r.Type) ?? fail(action, `Record[${i}].Type`),
      Value: optionalString(r.Value) ?? fail(action, `Record[${i}].Value`),
      TTL: asNumber(r.TTL) ?? fail(action, `Record[${i}].TTL`),
      Line: optionalString(r.Line) ?? 'default',
      Status: optionalString(r.Status) ?? 'ENABLE',
      Weight: asNumber(r.Weight) ?? 1,
      Remark: optionalString(r.Remark) ?? '',
    };
  });
  return { items, totalCount };
}

/** One entry of SlbSubDomains.SlbSubDomain[]. */
export interface AliSlbSubDomain {
  SubDomain: string;
  Type: string;
  Open: boolean;
}

export function parseSlbPage(action: string, body: unknown): Page<AliSlbSubDomain> {
  if (!isRecord(body)) fail(action, 'not an object');
  const totalCount = asNumber(body.TotalCount) ?? fail(action, 'TotalCount');
  const container = isRecord(body.SlbSubDomains) ? body.SlbSubDomains : { SlbSubDomain: [] };
  const list = container.SlbSubDomain === undefined ? [] : Array.isArray(container.SlbSubDomain) ? container.SlbSubDomain : fail(action, 'SlbSubDomain');
  const items = list.map((s, i): AliSlbSubDomain => {
    if (!isRecord(s)) fail(action, `SlbSubDomain[${i}]`);
    return {
      SubDomain: optionalString(s.SubDomain) ?? fail(action, `SlbSubDomain[${i}].SubDomain`),
      Type: optionalString(s.Type) ?? 'A',
      Open: s.Open === true || s.Open === 'true',
    };
  });
  return { items, totalCount };
}

/** One page of DescribeDomains: the names of `Domains.Domain[]`. */
export function parseDomainPage(action: string, body: unknown): Page<string> {
  if (!isRecord(body)) fail(action, 'not an object');
  const totalCount = asNumber(body.TotalCount) ?? fail(action, 'TotalCount');
  const container = body.Domains === undefined ? { Domain: [] } : isRecord(body.Domains) ? body.Domains : fail(action, 'Domains');
  const list = container.Domain === undefined ? [] : Array.isArray(container.Domain) ? container.Domain : fail(action, 'Domains.Domain');
  const items = list.map((d, i) => (isRecord(d) ? optionalString(d.DomainName) : undefined) ?? fail(action, `Domains.Domain[${i}].DomainName`));
  return { items, totalCount };
}

export function parseRecordId(action: string, body: unknown): string {
  if (!isRecord(body)) fail(action, 'not an object');
  return asId(body.RecordId) ?? fail(action, 'RecordId');
}
