// /zones/{zone_id}/dns_records: list (filtered, paged), create, get, overwrite (PUT), edit (PATCH), delete.
import { ERR } from './codes.js';
import { CfError } from './envelope.js';
import { objectBody, zoneOf, type HandlerResult, type RequestContext } from './context.js';
import { paginate } from './pagination.js';
import { checkConflicts, toApiRecord, validateRecord, type RecordFields } from './record-rules.js';
import { newId, now, type StandInDnsRecord, type StandInZone } from './state.js';

type Filter = (r: StandInDnsRecord) => boolean;

/** One `field.op=value` filter as the SDK sends it (qs with dots); filters are case-insensitive. */
function textFilter(field: 'name' | 'content' | 'comment', op: string, raw: string): Filter {
  const value = raw.toLowerCase();
  const get = (r: StandInDnsRecord) => (field === 'comment' ? r.comment : r[field])?.toLowerCase();
  switch (op) {
    case 'exact':
      return (r) => get(r) === (field === 'name' ? value.replace(/\.$/, '') : value);
    case 'contains':
      return (r) => get(r)?.includes(value) ?? false;
    case 'startswith':
      return (r) => get(r)?.startsWith(value) ?? false;
    case 'endswith':
      return (r) => get(r)?.endsWith(value) ?? false;
    case 'present':
      return (r) => get(r) !== undefined && get(r) !== null;
    case 'absent':
      return (r) => get(r) === undefined || get(r) === null;
    default:
      throw new CfError(400, [{ code: ERR.invalidRequest, message: `Unknown filter ${field}.${op}` }]);
  }
}

function filtersOf(query: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of query) {
    const [field, op] = key.split('.');
    if (field === 'type') filters.push((r) => r.type === value.toUpperCase());
    else if ((field === 'name' || field === 'content' || field === 'comment') && op) filters.push(textFilter(field, op, value));
    // A bare name= / content= is the older exact-match form.
    else if (field === 'name' || field === 'content') filters.push(textFilter(field, 'exact', value));
  }
  return filters;
}

/** Stable order (name, type, content) so pages never skip or repeat a record. */
function byNameTypeContent(a: StandInDnsRecord, b: StandInDnsRecord): number {
  return a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.content.localeCompare(b.content) || a.id.localeCompare(b.id);
}

export function listRecords(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const filters = filtersOf(ctx.query);
  const any = ctx.query.get('match') === 'any';
  const matching = ctx.state
    .recordsOfZone(zone.id)
    .filter((r) => filters.length === 0 || (any ? filters.some((f) => f(r)) : filters.every((f) => f(r))))
    .sort(byNameTypeContent);
  const { page, info } = paginate(matching, ctx.query, ctx.config.pages);
  ctx.summary = `list ${ctx.query.toString()}`;
  return { result: page.map((r) => toApiRecord(r, zone)), resultInfo: info };
}

export function findRecord(records: Map<string, StandInDnsRecord>, zone: StandInZone, id: unknown): StandInDnsRecord {
  const r = typeof id === 'string' ? records.get(id) : undefined;
  if (!r || r.zoneId !== zone.id) throw new CfError(404, [{ code: ERR.recordNotFound, message: 'Record does not exist.' }]);
  return r;
}

/** The fields an edit (PATCH) leaves alone are those of the existing record. */
export function mergeEdit(existing: StandInDnsRecord, body: Record<string, unknown>): Record<string, unknown> {
  const { name, type, content, ttl, proxied, comment, tags } = existing;
  return { name, type, content, ttl, proxied, comment, tags, ...body };
}

export function storeRecord(records: Map<string, StandInDnsRecord>, zone: StandInZone, fields: RecordFields, id?: string): StandInDnsRecord {
  const existing = id ? records.get(id) : undefined;
  const t = now();
  const record: StandInDnsRecord = { ...fields, id: id ?? newId(), zoneId: zone.id, createdOn: existing?.createdOn ?? t, modifiedOn: t };
  records.set(record.id, record);
  return record;
}

export function createRecord(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const fields = validateRecord(zone, objectBody(ctx), ctx.config.rules);
  checkConflicts(fields, undefined, ctx.state.recordsOfZone(zone.id));
  ctx.summary = `create ${fields.type} ${fields.name} ${fields.content}`;
  return { result: toApiRecord(storeRecord(ctx.state.records, zone, fields), zone) };
}

export function getRecord(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  return { result: toApiRecord(findRecord(ctx.state.records, zone, ctx.params.recordId), zone) };
}

export function overwriteRecord(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const existing = findRecord(ctx.state.records, zone, ctx.params.recordId);
  const fields = validateRecord(zone, objectBody(ctx), ctx.config.rules);
  checkConflicts(fields, existing.id, ctx.state.recordsOfZone(zone.id));
  ctx.summary = `overwrite ${existing.id} ${fields.type} ${fields.name} ${fields.content}`;
  return { result: toApiRecord(storeRecord(ctx.state.records, zone, fields, existing.id), zone) };
}

export function editRecord(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const existing = findRecord(ctx.state.records, zone, ctx.params.recordId);
  const fields = validateRecord(zone, mergeEdit(existing, objectBody(ctx)), ctx.config.rules);
  checkConflicts(fields, existing.id, ctx.state.recordsOfZone(zone.id));
  ctx.summary = `edit ${existing.id} ${fields.type} ${fields.name} ${fields.content}`;
  return { result: toApiRecord(storeRecord(ctx.state.records, zone, fields, existing.id), zone) };
}

export function deleteRecord(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const existing = findRecord(ctx.state.records, zone, ctx.params.recordId);
  ctx.state.records.delete(existing.id);
  ctx.summary = `delete ${existing.id} ${existing.type} ${existing.name} ${existing.content}`;
  return { result: { id: existing.id } };
}
