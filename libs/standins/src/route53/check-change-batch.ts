// Route53's change-batch rules, checked by applying the changes in order to a copy of the zone:
// the batch is all-or-nothing, so the copy replaces the zone only when no change broke a rule.
import { isIPv4, isIPv6 } from 'node:net';
import { isInZone } from './names.js';
import { cloneSet, setKey, type HostedZone, type StandInRecordSet } from './state.js';
import type { ParsedBatch, ParsedChange } from './parse-change-batch.js';

export interface Route53Limits {
  /** ResourceRecord elements per request (an UPSERT counts twice). */
  maxValuesPerRequest: number;
  /** Characters of all Value elements per request (an UPSERT counts twice). */
  maxValueCharsPerRequest: number;
  /** Weighted record sets with the same name and type. */
  maxWeightedSetsPerNameType: number;
}

export const ROUTE53_LIMITS: Route53Limits = { maxValuesPerRequest: 1000, maxValueCharsPerRequest: 32000, maxWeightedSetsPerNameType: 100 };

export type CheckResult = { ok: true; sets: Map<string, StandInRecordSet> } | { ok: false; messages: string[] };

function describe(s: StandInRecordSet): string {
  return `[name='${s.name}', type='${s.type}'${s.setIdentifier !== undefined ? `, set-identifier='${s.setIdentifier}'` : ''}]`;
}

function sameValues(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** DELETE must name the set exactly as it is, or Route53 refuses it. */
function exactlyEqual(a: StandInRecordSet, b: StandInRecordSet): boolean {
  const aliasA = a.aliasTarget ? `${a.aliasTarget.hostedZoneId}|${a.aliasTarget.dnsName}|${a.aliasTarget.evaluateTargetHealth}` : '';
  const aliasB = b.aliasTarget ? `${b.aliasTarget.hostedZoneId}|${b.aliasTarget.dnsName}|${b.aliasTarget.evaluateTargetHealth}` : '';
  return a.ttl === b.ttl && a.weight === b.weight && a.setIdentifier === b.setIdentifier && aliasA === aliasB && (a.healthCheckId ?? '') === (b.healthCheckId ?? '') && sameValues(a.values, b.values);
}

/** A TXT value is one or more quoted character-strings of at most 255 characters each. */
function txtProblem(value: string): string | undefined {
  const strings = value.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!strings || value.replace(/"((?:[^"\\]|\\.)*)"/g, '').trim() !== '') return 'TXTRDATAMalformed (Value should be enclosed in quotation marks)';
  if (strings.some((s) => s.length - 2 > 255)) return 'TXTRDATATooLong (Value is too long)';
  return undefined;
}

function valueProblems(s: StandInRecordSet): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const value of s.values) {
    if (seen.has(value)) out.push(`Duplicate Resource Record: '${value}'`);
    seen.add(value);
    if (s.type === 'A' && !isIPv4(value)) out.push(`ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${value}'`);
    if (s.type === 'AAAA' && !isIPv6(value)) out.push(`AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '${value}'`);
    if (s.type === 'TXT' || s.type === 'SPF') {
      const problem = txtProblem(value);
      if (problem) out.push(`Invalid Resource Record: 'FATAL problem: ${problem} encountered with '${value}''`);
    }
  }
  if (s.type === 'CNAME' && s.values.length > 1) out.push(`RRSet of type CNAME with DNS name ${s.name} contains more than one value`);
  return out;
}

/** Problems with one set on its own (before looking at the zone). */
function shapeProblems(change: ParsedChange, zone: HostedZone): string[] {
  const s = change.set;
  const where = `Change with [Action=${change.action}, Name=${s.name}, Type=${s.type}${s.setIdentifier !== undefined ? `, SetIdentifier=${s.setIdentifier}` : ''}]`;
  const out: string[] = [];
  if (!isInZone(s.name, zone.name)) out.push(`RRSet with DNS name ${s.name} is not permitted in zone ${zone.name}`);
  const plain = s.ttl !== undefined && s.values.length > 0;
  if (s.aliasTarget ? s.ttl !== undefined || s.values.length > 0 : !plain) {
    out.push(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${s.aliasTarget ? 'more than one' : 'none'} in ${where}`);
  }
  if (s.setIdentifier !== undefined && s.weight === undefined) out.push(`Invalid request: Missing field 'Weight' in ${where}`);
  if (s.weight !== undefined && s.setIdentifier === undefined) out.push(`Invalid request: Missing field 'SetIdentifier' in ${where}`);
  return [...out, ...valueProblems(s)];
}

/** Request-wide limits; an UPSERT counts twice because Route53 deletes then creates. */
function limitProblems(batch: ParsedBatch, limits: Route53Limits): string[] {
  let values = 0;
  let chars = 0;
  for (const c of batch.changes) {
    const factor = c.action === 'UPSERT' ? 2 : 1;
    values += c.set.values.length * factor;
    chars += c.set.values.reduce((n, v) => n + v.length, 0) * factor;
  }
  const out: string[] = [];
  if (values > limits.maxValuesPerRequest) out.push(`Number of records limit of ${limits.maxValuesPerRequest} exceeded.`);
  if (chars > limits.maxValueCharsPerRequest) out.push(`Number of characters limit of ${limits.maxValueCharsPerRequest} exceeded.`);
  return out;
}

/** Rules about all sets of one name (and type) after the batch. */
function groupProblems(sets: Map<string, StandInRecordSet>, touchedNames: Set<string>, zone: HostedZone, limits: Route53Limits): string[] {
  const out: string[] = [];
  for (const name of touchedNames) {
    const atName = [...sets.values()].filter((s) => s.name === name);
    const types = new Set(atName.map((s) => s.type));
    if (types.has('CNAME') && types.size > 1) out.push(`RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
    for (const type of types) {
      const group = atName.filter((s) => s.type === type);
      const weighted = group.filter((s) => s.setIdentifier !== undefined);
      if (weighted.length > 0 && weighted.length < group.length) out.push(`RRSet with DNS name ${name}, type ${type} cannot mix weighted and non-weighted record sets`);
      if (weighted.length > limits.maxWeightedSetsPerNameType) out.push(`RRSet with DNS name ${name}, type ${type} has ${weighted.length} weighted record sets; at most ${limits.maxWeightedSetsPerNameType} are allowed`);
    }
  }
  return out;
}

export function checkChangeBatch(zone: HostedZone, batch: ParsedBatch, limits: Route53Limits): CheckResult {
  const messages = limitProblems(batch, limits);
  const sets = new Map([...zone.sets].map(([k, s]) => [k, cloneSet(s)]));
  const touchedNames = new Set<string>();
  for (const change of batch.changes) {
    const problems = shapeProblems(change, zone);
    const key = setKey(change.set);
    const existing = sets.get(key);
    if (change.action === 'CREATE' && existing) problems.push(`Tried to create resource record set ${describe(change.set)} but it already exists`);
    if (change.action === 'DELETE' && !existing) problems.push(`Tried to delete resource record set ${describe(change.set)} but it was not found`);
    else if (change.action === 'DELETE' && existing && !exactlyEqual(existing, change.set)) problems.push(`Tried to delete resource record set ${describe(change.set)} but the values provided do not match the current values`);
    messages.push(...problems);
    if (problems.length > 0) continue;
    touchedNames.add(change.set.name);
    if (change.action === 'DELETE') sets.delete(key);
    else sets.set(key, cloneSet(change.set));
  }
  messages.push(...groupProblems(sets, touchedNames, zone, limits));
  return messages.length > 0 ? { ok: false, messages } : { ok: true, sets };
}
