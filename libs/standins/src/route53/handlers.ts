// The Route53 operations the DNS adapter uses, against the in-memory state.
import { checkChangeBatch, type Route53Limits } from './check-change-batch.js';
import { parseChangeBatch } from './parse-change-batch.js';
import { canonicalName, reversedName } from './names.js';
import { getHostedZoneBody, listHostedZonesBody, listHostedZonesByNameBody, listRecordSetsBody, changeResponseBody } from './responses.js';
import { parseXml, XmlSyntaxError } from './xml-reader.js';
import type { ChangeRecord, HostedZone, Route53State, StandInRecordSet } from './state.js';

/** A Route53 error answer: HTTP status, error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HandlerSettings {
  limits: Route53Limits;
  /** Largest ListResourceRecordSets page served, whatever MaxItems asks (Route53: 300). */
  maxItemsCap: number;
  /** GetChange calls that still answer PENDING before the change turns INSYNC. */
  pendingPolls: number;
  /** Refuse a change while another change of the zone is PENDING (PriorRequestNotComplete). */
  rejectChangesWhilePending: boolean;
}

export interface HandlerResult {
  body: string;
  /** One line for the request log. */
  summary: string;
}

function zoneOrThrow(state: Route53State, id: string): HostedZone {
  const zone = state.zones.get(id);
  if (!zone) throw new ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
  return zone;
}

function parseMaxItems(raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ApiError(400, 'InvalidInput', `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`);
  return Number(raw);
}

/** Compares (reversed name, type, identifier) tuples; missing parts of `start` match anything. */
function atOrAfter(s: StandInRecordSet, start: { name: string; type?: string; identifier?: string }): boolean {
  const have = [reversedName(s.name), s.type, s.setIdentifier ?? ''];
  const want = [reversedName(start.name), start.type, start.identifier];
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === undefined) return true;
    if (have[i]! > w) return true;
    if (have[i]! < w) return false;
  }
  return true;
}

export function listResourceRecordSets(state: Route53State, settings: HandlerSettings, zoneId: string, query: URLSearchParams): HandlerResult {
  const zone = zoneOrThrow(state, zoneId);
  const name = query.get('name');
  const type = query.get('type');
  const identifier = query.get('identifier');
  if (type !== null && name === null) throw new ApiError(400, 'InvalidInput', 'The input is not valid: StartRecordType requires StartRecordName');
  if (identifier !== null && type === null) throw new ApiError(400, 'InvalidInput', 'The input is not valid: StartRecordIdentifier requires StartRecordType');
  const maxItems = Math.min(parseMaxItems(query.get('maxitems'), 300), settings.maxItemsCap);
  const all = state.setsInOrder(zone);
  const start = name === null ? 0 : all.findIndex((s) => atOrAfter(s, { name: canonicalName(name), ...(type !== null ? { type } : {}), ...(identifier !== null ? { identifier } : {}) }));
  const from = start === -1 ? all.length : start;
  const sets = all.slice(from, from + maxItems);
  const next = all[from + maxItems];
  return {
    body: listRecordSetsBody({ sets, maxItems, ...(next ? { next } : {}) }),
    summary: `from ${name ?? '(start)'} ${type ?? ''} ${identifier ?? ''}`.trim() + ` -> ${sets.length}${next ? ' (truncated)' : ''}`,
  };
}

export function listHostedZonesByName(state: Route53State, query: URLSearchParams): HandlerResult {
  const dnsName = query.get('dnsname');
  const hostedZoneId = query.get('hostedzoneid');
  if (hostedZoneId !== null && dnsName === null) throw new ApiError(400, 'InvalidInput', 'The input is not valid: HostedZoneId requires DNSName');
  const maxItems = Math.min(parseMaxItems(query.get('maxitems'), 100), 100);
  const zones = state.zonesInOrder();
  const startKey = dnsName === null ? '' : reversedName(canonicalName(dnsName));
  const from = zones.findIndex((z) => {
    const key = reversedName(z.name);
    return key > startKey || (key === startKey && (hostedZoneId === null || z.id >= hostedZoneId));
  });
  const first = from === -1 ? zones.length : from;
  const page = zones.slice(first, first + maxItems);
  const next = zones[first + maxItems];
  return {
    body: listHostedZonesByNameBody({ zones: page, maxItems, ...(dnsName !== null ? { dnsName: canonicalName(dnsName) } : {}), ...(hostedZoneId !== null ? { hostedZoneId } : {}), ...(next ? { next } : {}) }),
    summary: `${dnsName ?? '(start)'} -> ${page.map((z) => z.name).join(',')}`,
  };
}

/** Hosted zone ids: up to 32 characters (Route53 makes them of uppercase letters and digits). */
const ZONE_ID = /^[A-Z0-9]{1,32}$/;

function checkZoneId(raw: string, member: string): string {
  const id = raw.replace(/^\/hostedzone\//, '');
  if (id.length > 32) throw new ApiError(400, 'InvalidInput', `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 32`);
  if (!ZONE_ID.test(id)) throw new ApiError(400, 'InvalidInput', `Invalid ${member === 'id' ? 'hosted zone id' : member}: ${raw}`);
  return id;
}

/**
 * ListHostedZones: every hosted zone of the account, at most 100 per page (a larger maxitems is
 * served at 100), in hosted zone id order; `marker` is the id of the first zone of the page
 * (`NextMarker` of the page before). `hostedzonetype=PrivateHostedZone` lists private zones only;
 * the stand-in has no reusable delegation sets, so any `delegationsetid` is unknown.
 */
export function listHostedZones(state: Route53State, query: URLSearchParams): HandlerResult {
  const marker = query.get('marker');
  const delegationSetId = query.get('delegationsetid');
  const type = query.get('hostedzonetype');
  const maxItems = Math.min(parseMaxItems(query.get('maxitems'), 100), 100);
  if (type !== null && type !== 'PrivateHostedZone') {
    throw new ApiError(400, 'InvalidInput', `1 validation error detected: Value '${type}' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]`);
  }
  if (delegationSetId !== null) throw new ApiError(404, 'NoSuchDelegationSet', `A reusable delegation set with the specified ID does not exist: ${delegationSetId}`);
  const zones = [...state.zones.values()].filter((z) => type === null || z.privateZone).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const from = marker === null ? undefined : checkZoneId(marker, 'marker');
  const start = from === undefined ? 0 : zones.findIndex((z) => z.id >= from);
  const first = start === -1 ? zones.length : start;
  const page = zones.slice(first, first + maxItems);
  const next = zones[first + maxItems];
  return {
    body: listHostedZonesBody({ zones: page, maxItems, ...(marker !== null ? { marker } : {}), ...(next ? { next } : {}) }),
    summary: `${marker ?? '(start)'} -> ${page.length}${next ? ` (truncated, next ${next.id})` : ''}`,
  };
}

/** GetHostedZone: one zone, with its name servers (public) or VPCs (private). */
export function getHostedZone(state: Route53State, rawId: string): HandlerResult {
  const zone = zoneOrThrow(state, checkZoneId(rawId, 'id'));
  return { body: getHostedZoneBody(zone), summary: `${zone.id} ${zone.name}` };
}

function describeSet(s: StandInRecordSet): string {
  const routing = s.setIdentifier !== undefined ? ` [${s.setIdentifier}] w=${s.weight}` : '';
  return `${s.name} ${s.type}${routing} ttl=${s.ttl} ${s.values.join(',')}`;
}

export function changeResourceRecordSets(state: Route53State, settings: HandlerSettings, zoneId: string, body: string): HandlerResult {
  const zone = zoneOrThrow(state, zoneId);
  if (settings.rejectChangesWhilePending && state.pendingChange(zone.id)) {
    throw new ApiError(400, 'PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.');
  }
  let root;
  try {
    root = parseXml(body);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new ApiError(400, 'InvalidInput', `Invalid XML ; ${e.message}`);
    throw e;
  }
  const parsed = parseChangeBatch(root);
  if (!parsed.ok) throw new ApiError(400, parsed.code, parsed.message);
  const checked = checkChangeBatch(zone, parsed.batch, settings.limits);
  if (!checked.ok) throw new ApiError(400, 'InvalidChangeBatch', `[${checked.messages.join(', ')}]`);
  zone.sets = checked.sets;
  const change: ChangeRecord = {
    id: state.nextId('C'),
    zoneId: zone.id,
    status: 'PENDING',
    submittedAt: new Date().toISOString(),
    ...(parsed.batch.comment !== undefined ? { comment: parsed.batch.comment } : {}),
    pollsUntilInsync: settings.pendingPolls,
  };
  state.changes.set(change.id, change);
  return {
    body: changeResponseBody('ChangeResourceRecordSetsResponse', change),
    summary: parsed.batch.changes.map((c) => `${c.action} ${describeSet(c.set)}`).join('; '),
  };
}

export function getChange(state: Route53State, changeId: string): HandlerResult {
  const change = state.changes.get(changeId);
  if (!change) throw new ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${changeId}`);
  if (change.status === 'PENDING') {
    if (change.pollsUntilInsync <= 0) change.status = 'INSYNC';
    else change.pollsUntilInsync -= 1;
  }
  return { body: changeResponseBody('GetChangeResponse', change), summary: `${change.id} ${change.status}` };
}
