// Record actions: AddDomainRecord, UpdateDomainRecord, DeleteDomainRecord, UpdateDomainRecordRemark,
// DescribeSubDomainRecords, DescribeDomainRecords.
import { aliErrors } from '../errors.js';
import { byRecordId, findRecord, hostedDomain, paginate, recordView, resolveSubDomain, type ActionContext, type ActionHandler } from '../context.js';
import type { RpcParams } from '../params.js';
import { checkRR, checkType, checkValue, TTL_RANGE } from '../record-rules.js';
import type { StandInRecord } from '../state.js';

/** Record fields as an add or update asks for them, validated. */
interface RecordFields {
  RR: string;
  Type: string;
  Value: string;
  TTL: number;
  Line: string;
  Priority?: number;
}

function readFields(params: RpcParams, ctx: ActionContext): RecordFields {
  const Type = checkType(params.required('Type'));
  const RR = checkRR(params.required('RR'));
  const Value = params.required('Value');
  checkValue(Type, Value);
  // 600 is the documented default when TTL is left out (on add and on update alike).
  const TTL = params.int('TTL', TTL_RANGE, 600);
  if (TTL < ctx.settings.minTtl) throw aliErrors.ttlBelowEdition(ctx.settings.minTtl);
  const Line = params.optional('Line') ?? 'default';
  const Priority = Type === 'MX' ? params.int('Priority', { min: 1, max: 50 }) : undefined;
  return { RR, Type, Value, TTL, Line, ...(Priority !== undefined ? { Priority } : {}) };
}

/** Same host, type, value and line -> DomainRecordDuplicate; a CNAME next to an address -> DomainRecordConflict. */
function checkNoClash(ctx: ActionContext, domain: string, f: RecordFields, selfId?: string): void {
  const sameHost = ctx.state.inDomain(domain).filter((r) => r.RR === f.RR && r.Line === f.Line && r.RecordId !== selfId);
  if (sameHost.some((r) => r.Type === f.Type && r.Value.toLowerCase() === f.Value.toLowerCase())) throw aliErrors.recordDuplicate();
  const addressing = new Set(['A', 'AAAA', 'CNAME']);
  if (f.Type === 'CNAME' && sameHost.some((r) => addressing.has(r.Type))) throw aliErrors.recordConflict();
  if (addressing.has(f.Type) && sameHost.some((r) => r.Type === 'CNAME')) throw aliErrors.recordConflict();
}

function writable(r: StandInRecord): StandInRecord {
  if (r.Locked) throw aliErrors.recordLocked();
  return r;
}

const addDomainRecord: ActionHandler = (params, ctx) => {
  params.allowOnly('AddDomainRecord', ['DomainName', 'RR', 'Type', 'Value', 'TTL', 'Priority', 'Line']);
  const domain = hostedDomain(ctx, params.required('DomainName'));
  const fields = readFields(params, ctx);
  checkNoClash(ctx, domain, fields);
  const record = ctx.state.insert({ DomainName: domain, ...fields });
  return { RecordId: record.RecordId };
};

const updateDomainRecord: ActionHandler = (params, ctx) => {
  params.allowOnly('UpdateDomainRecord', ['RecordId', 'RR', 'Type', 'Value', 'TTL', 'Priority', 'Line']);
  const record = writable(findRecord(ctx, params.required('RecordId')));
  const fields = readFields(params, ctx);
  const unchanged =
    record.RR === fields.RR &&
    record.Type === fields.Type &&
    record.Value === fields.Value &&
    record.TTL === fields.TTL &&
    record.Line === fields.Line &&
    record.Priority === fields.Priority;
  // AliDNS answers an update that changes nothing as a duplicate of the record itself.
  if (unchanged) throw aliErrors.recordDuplicate();
  checkNoClash(ctx, record.DomainName, fields, record.RecordId);
  Object.assign(record, fields);
  return { RecordId: record.RecordId };
};

const deleteDomainRecord: ActionHandler = (params, ctx) => {
  params.allowOnly('DeleteDomainRecord', ['RecordId']);
  const record = writable(findRecord(ctx, params.required('RecordId')));
  ctx.state.records.delete(record.RecordId);
  return { RecordId: record.RecordId };
};

const updateDomainRecordRemark: ActionHandler = (params, ctx) => {
  params.allowOnly('UpdateDomainRecordRemark', ['RecordId', 'Remark']);
  const record = findRecord(ctx, params.required('RecordId'));
  const remark = params.optional('Remark');
  // An empty or absent Remark deletes the remark (API reference).
  if (remark === undefined) delete record.Remark;
  else record.Remark = remark;
  return {};
};

const describeSubDomainRecords: ActionHandler = (params, ctx) => {
  params.allowOnly('DescribeSubDomainRecords', ['SubDomain', 'PageNumber', 'PageSize', 'Type', 'Line', 'DomainName']);
  const { domain, rr } = resolveSubDomain(ctx, params.required('SubDomain'), params.optional('DomainName'));
  const type = params.optional('Type')?.toUpperCase();
  const line = params.optional('Line');
  const matching = ctx.state
    .inDomain(domain)
    .filter((r) => r.RR === rr && (type === undefined || r.Type === type) && (line === undefined || r.Line === line))
    .sort(byRecordId);
  // DescribeSubDomainRecords pages hold at most 100 records.
  const { items, ...page } = paginate(params, ctx, matching, 100);
  return { ...page, DomainRecords: { Record: items.map(recordView) } };
};

const describeDomainRecords: ActionHandler = (params, ctx) => {
  params.allowOnly('DescribeDomainRecords', [
    'DomainName', 'PageNumber', 'PageSize', 'KeyWord', 'RRKeyWord', 'TypeKeyWord', 'ValueKeyWord',
    'SearchMode', 'Type', 'Line', 'Status', 'GroupId', 'OrderBy', 'Direction',
  ]);
  const domain = hostedDomain(ctx, params.required('DomainName'));
  const mode = (params.optional('SearchMode') ?? 'LIKE').toUpperCase();
  if (mode !== 'LIKE' && mode !== 'EXACT') throw aliErrors.invalidParameter('SearchMode');
  const match = (field: string, keyword: string | undefined) =>
    keyword === undefined || (mode === 'EXACT' ? field === keyword.toLowerCase() : field.includes(keyword.toLowerCase()));
  const keyWord = params.optional('KeyWord')?.toLowerCase();
  const type = (params.optional('Type') ?? params.optional('TypeKeyWord'))?.toUpperCase();
  const line = params.optional('Line');
  const status = params.optional('Status')?.toUpperCase();
  const matching = ctx.state
    .inDomain(domain)
    .filter(
      (r) =>
        match(r.RR, params.optional('RRKeyWord')) &&
        match(r.Value.toLowerCase(), params.optional('ValueKeyWord')) &&
        (keyWord === undefined || r.RR.includes(keyWord) || r.Value.toLowerCase().includes(keyWord)) &&
        (type === undefined || r.Type === type) &&
        (line === undefined || r.Line === line) &&
        (status === undefined || r.Status === status),
    )
    .sort(byRecordId);
  // DescribeDomainRecords pages hold at most 500 records.
  const { items, ...page } = paginate(params, ctx, matching, 500);
  return { ...page, DomainRecords: { Record: items.map(recordView) } };
};

export const recordActions: Record<string, ActionHandler> = {
  AddDomainRecord: addDomainRecord,
  UpdateDomainRecord: updateDomainRecord,
  DeleteDomainRecord: deleteDomainRecord,
  UpdateDomainRecordRemark: updateDomainRecordRemark,
  DescribeSubDomainRecords: describeSubDomainRecords,
  DescribeDomainRecords: describeDomainRecords,
};
