// The rules Cloudflare applies to one DNS record write (create, overwrite, edit, batch item).
import { isIPv4, isIPv6 } from 'node:net';
import { ERR } from './codes.js';
import { CfError, dnsValidationError } from './envelope.js';
import type { StandInDnsRecord, StandInZone } from './state.js';

export interface RecordRules {
  /** The plan's TTL minimum: 60 below Enterprise (30 on Enterprise). 1 = automatic is always allowed. */
  minTtl: number;
  /** Comment length the plan allows (100 on Free, 500 on paid plans). */
  commentMaxLength: number;
  /** Record tags exist on paid plans only. */
  allowTags: boolean;
}

export const FREE_PLAN_RULES: RecordRules = { minTtl: 60, commentMaxLength: 100, allowTags: false };

const SUPPORTED_TYPES = new Set(['A', 'AAAA', 'CAA', 'CERT', 'CNAME', 'DNSKEY', 'DS', 'HTTPS', 'LOC', 'MX', 'NAPTR', 'NS', 'OPENPGPKEY', 'PTR', 'SMIMEA', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT', 'URI']);
const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);
const MAX_TTL = 86_400;

/** The fields a write may carry; anything else the SDK sends (settings, private_routing) is ignored. */
export type RecordFields = Pick<StandInDnsRecord, 'name' | 'type' | 'content' | 'ttl' | 'proxied' | 'comment' | 'tags'>;

function invalid(message: string): CfError {
  return new CfError(400, [{ code: ERR.invalidRequest, message }]);
}

/** Cloudflare stores IPv6 in its canonical compressed form. */
export function canonicalContent(type: string, content: string): string {
  if (type === 'AAAA' && isIPv6(content)) return new URL(`http://[${content}]/`).hostname.slice(1, -1);
  if (type === 'CNAME' || type === 'NS' || type === 'PTR') return content.toLowerCase().replace(/\.$/, '');
  return content;
}

function normalizeName(zone: StandInZone, raw: string): string {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name === '@') return zone.name;
  // The real API silently appends the zone to a name outside it; the stand-in refuses instead so
  // an adapter that sends a wrong name is caught rather than quietly writing `x.other.com.zone`.
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) throw dnsValidationError(ERR.dnsValidation, `Record name ${raw} is not inside the zone ${zone.name}.`);
  return name;
}

/** Validates a full record body (create, overwrite, or an edit merged onto the existing record). */
export function validateRecord(zone: StandInZone, body: Record<string, unknown>, rules: RecordRules): RecordFields {
  const { type, name, content, ttl = 1, proxied = false, comment = null, tags = [] } = body;
  if (typeof type !== 'string' || !SUPPORTED_TYPES.has(type)) throw dnsValidationError(ERR.dnsValidation, `Invalid or unsupported record type: ${String(type)}`);
  if (typeof name !== 'string' || name === '') throw dnsValidationError(ERR.dnsValidation, 'Record name is required.');
  if (typeof content !== 'string' || content === '') throw dnsValidationError(ERR.dnsValidation, 'Record content is required.');
  if (type === 'A' && !isIPv4(content)) throw new CfError(400, [{ code: ERR.invalidIPv4, message: 'Content for A record must be a valid IPv4 address.' }]);
  if (type === 'AAAA' && !isIPv6(content)) throw new CfError(400, [{ code: ERR.invalidIPv6, message: 'Content for AAAA record must be a valid IPv6 address.' }]);
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || (ttl !== 1 && (ttl < rules.minTtl || ttl > MAX_TTL))) {
    throw dnsValidationError(ERR.invalidTtl, `Invalid TTL. Must be between ${rules.minTtl} and ${MAX_TTL.toLocaleString('en-US')} seconds, or 1 for automatic.`);
  }
  if (typeof proxied !== 'boolean') throw dnsValidationError(ERR.dnsValidation, "Invalid 'proxied' value, must be a boolean");
  if (proxied && !PROXIABLE.has(type)) throw dnsValidationError(ERR.dnsValidation, `${type} records cannot be proxied.`);
  if (comment !== null && typeof comment !== 'string') throw invalid('comment must be a string');
  if (typeof comment === 'string' && /[\r\n]/.test(comment)) throw dnsValidationError(ERR.dnsValidation, 'Comments cannot contain newline characters.');
  if (typeof comment === 'string' && comment.length > rules.commentMaxLength) throw dnsValidationError(ERR.dnsValidation, `Comment is too long: at most ${rules.commentMaxLength} characters on this plan.`);
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_-]+:/.test(t))) throw invalid('tags must be an array of name:value strings');
  if (tags.length > 0 && !rules.allowTags) throw dnsValidationError(ERR.dnsValidation, 'DNS record tags are not available on this plan.');
  return { type, name: normalizeName(zone, name), content: canonicalContent(type, content), ttl, proxied, comment: comment === '' ? null : comment, tags: tags as string[] };
}

/** Zone-level rules against the other records: no identical duplicate, CNAME stands alone. */
export function checkConflicts(candidate: RecordFields, selfId: string | undefined, others: Iterable<StandInDnsRecord>): void {
  for (const o of others) {
    if (o.id === selfId || o.name !== candidate.name) continue;
    if (o.type === candidate.type && o.content.toLowerCase() === candidate.content.toLowerCase()) {
      throw new CfError(400, [{ code: ERR.identicalRecord, message: 'An identical record already exists.' }]);
    }
    if (o.type === 'CNAME' || candidate.type === 'CNAME') {
      throw new CfError(400, [{ code: ERR.cnameConflict, message: 'An A, AAAA, or CNAME record with that host already exists.' }]);
    }
  }
}

/** The record as the API returns it. */
export function toApiRecord(r: StandInDnsRecord, zone: StandInZone): Record<string, unknown> {
  return {
    id: r.id,
    zone_id: zone.id,
    zone_name: zone.name,
    name: r.name,
    type: r.type,
    content: r.content,
    proxiable: PROXIABLE.has(r.type),
    proxied: r.proxied,
    ttl: r.ttl,
    settings: {},
    meta: {},
    comment: r.comment,
    tags: r.tags,
    created_on: r.createdOn,
    modified_on: r.modifiedOn,
    ...(r.comment !== null ? { comment_modified_on: r.modifiedOn } : {}),
  };
}
