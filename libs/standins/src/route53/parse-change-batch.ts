// ChangeResourceRecordSetsRequest XML -> typed changes. Shape and range problems are what
// Route53's schema validation rejects (MalformedInput / InvalidInput), before any rule runs.
import { childNamed, childrenNamed, childText, type XmlElement } from './xml-reader.js';
import { canonicalName } from './names.js';
import type { StandInRecordSet } from './state.js';

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface ParsedChange {
  action: ChangeAction;
  set: StandInRecordSet;
}

export interface ParsedBatch {
  comment?: string;
  changes: ParsedChange[];
}

export type ParseResult = { ok: true; batch: ParsedBatch } | { ok: false; code: 'MalformedInput' | 'InvalidInput'; message: string };

export const RR_TYPES = new Set(['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS']);
const ACTIONS = new Set<string>(['CREATE', 'DELETE', 'UPSERT']);
/** Fields of ResourceRecordSet the stand-in models; other routing policies are refused, not ignored. */
const MODELLED_FIELDS = new Set(['Name', 'Type', 'SetIdentifier', 'Weight', 'TTL', 'ResourceRecords', 'AliasTarget', 'HealthCheckId']);
const MAX_TTL = 2147483647;

/** Collects schema violations in AWS's "N validation errors detected: ..." wording. */
class Violations {
  readonly list: string[] = [];
  add(value: string, path: string, constraint: string): void {
    this.list.push(`Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);
  }
  message(): string {
    return `${this.list.length} validation error${this.list.length === 1 ? '' : 's'} detected: ${this.list.join('; ')}`;
  }
}

function parseInteger(raw: string | undefined, path: string, min: number, max: number, v: Violations): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    v.add(raw, path, 'Member must be an integer');
    return undefined;
  }
  const n = Number(raw);
  if (n < min) v.add(raw, path, `Member must have value greater than or equal to ${min}`);
  if (n > max) v.add(raw, path, `Member must have value less than or equal to ${max}`);
  return n;
}

function parseSet(el: XmlElement, path: string, v: Violations): StandInRecordSet | string {
  for (const c of el.children) if (!MODELLED_FIELDS.has(c.name)) return `The stand-in models only simple and weighted routing; ${c.name} at '${path}' is not supported`;
  const name = childText(el, 'Name');
  const type = childText(el, 'Type');
  if (!name) return `Missing required element Name at '${path}'`;
  if (!type) return `Missing required element Type at '${path}'`;
  if (name.length > 1024) v.add(name, `${path}.name`, 'Member must have length less than or equal to 1024');
  if (!RR_TYPES.has(type)) v.add(type, `${path}.type`, `Member must satisfy enum value set: [${[...RR_TYPES].join(', ')}]`);
  const set: StandInRecordSet = { name: canonicalName(name), type, values: [] };
  const setIdentifier = childNamed(el, 'SetIdentifier')?.text;
  if (setIdentifier !== undefined) {
    if (setIdentifier.length < 1 || setIdentifier.length > 128) v.add(setIdentifier, `${path}.setIdentifier`, 'Member must have length between 1 and 128');
    set.setIdentifier = setIdentifier;
  }
  const weight = parseInteger(childText(el, 'Weight'), `${path}.weight`, 0, 255, v);
  if (weight !== undefined) set.weight = weight;
  const ttl = parseInteger(childText(el, 'TTL'), `${path}.tTL`, 0, MAX_TTL, v);
  if (ttl !== undefined) set.ttl = ttl;
  const records = childNamed(el, 'ResourceRecords');
  if (records) {
    const items = childrenNamed(records, 'ResourceRecord');
    if (items.length === 0) v.add('[]', `${path}.resourceRecords`, 'Member must have length greater than or equal to 1');
    items.forEach((r, i) => {
      const value = childNamed(r, 'Value')?.text;
      if (value === undefined) v.add('null', `${path}.resourceRecords.${i + 1}.member.value`, 'Member must not be null');
      else if (value.length > 4000) v.add(value.slice(0, 20), `${path}.resourceRecords.${i + 1}.member.value`, 'Member must have length less than or equal to 4000');
      else set.values.push(value);
    });
  }
  const alias = childNamed(el, 'AliasTarget');
  if (alias) {
    set.aliasTarget = {
      hostedZoneId: childText(alias, 'HostedZoneId') ?? '',
      dnsName: canonicalName(childText(alias, 'DNSName') ?? ''),
      evaluateTargetHealth: childText(alias, 'EvaluateTargetHealth') === 'true',
    };
  }
  const healthCheckId = childText(el, 'HealthCheckId');
  if (healthCheckId) set.healthCheckId = healthCheckId;
  return set;
}

export function parseChangeBatch(root: XmlElement): ParseResult {
  const batchEl = root.name === 'ChangeResourceRecordSetsRequest' ? childNamed(root, 'ChangeBatch') : undefined;
  if (!batchEl) return { ok: false, code: 'MalformedInput', message: 'ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest' };
  const changeEls = childrenNamed(childNamed(batchEl, 'Changes') ?? { name: '', children: [], text: '' }, 'Change');
  if (changeEls.length === 0) return { ok: false, code: 'InvalidInput', message: "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1" };
  const v = new Violations();
  const changes: ParsedChange[] = [];
  for (const [i, changeEl] of changeEls.entries()) {
    const path = `changeBatch.changes.${i + 1}.member`;
    const action = childText(changeEl, 'Action') ?? '';
    if (!ACTIONS.has(action)) v.add(action, `${path}.action`, 'Member must satisfy enum value set: [CREATE, DELETE, UPSERT]');
    const setEl = childNamed(changeEl, 'ResourceRecordSet');
    if (!setEl) return { ok: false, code: 'InvalidInput', message: `Missing required element ResourceRecordSet at '${path}'` };
    const set = parseSet(setEl, `${path}.resourceRecordSet`, v);
    if (typeof set === 'string') return { ok: false, code: 'InvalidInput', message: set };
    changes.push({ action: action as ChangeAction, set });
  }
  if (v.list.length > 0) return { ok: false, code: 'InvalidInput', message: v.message() };
  const comment = childNamed(batchEl, 'Comment')?.text;
  if (comment !== undefined && comment.length > 256) return { ok: false, code: 'InvalidInput', message: `1 validation error detected: Value at 'changeBatch.comment' failed to satisfy constraint: Member must have length less than or equal to 256` };
  return { ok: true, batch: { ...(comment !== undefined ? { comment } : {}), changes } };
}
