// What AliDNS accepts as a record: types, host records (RR), values per type, TTL range.
import { isIPv4, isIPv6 } from 'node:net';
import { aliErrors } from './errors.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'REDIRECT_URL', 'FORWARD_URL'] as const;
/** Types weighted round robin applies to (user guide, "Set weights"). */
export const WEIGHTED_TYPES = new Set(['A', 'AAAA', 'CNAME']);
/** TTL range of the paid editions; the free edition's floor (600) is a stand-in setting. */
export const TTL_RANGE = { min: 1, max: 86400 };

const LABEL = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?';
const RR_PATTERN = new RegExp(`^(@|\\*|(\\*\\.)?${LABEL}(\\.${LABEL})*)$`);
const HOSTNAME_PATTERN = new RegExp(`^${LABEL}(\\.${LABEL})*\\.?$`);

export function checkType(type: string): string {
  const upper = type.toUpperCase();
  if (!(RECORD_TYPES as readonly string[]).includes(upper)) throw aliErrors.invalidParameter('Type');
  return upper;
}

/** RR is stored lowercase, as AliDNS returns it. */
export function checkRR(rr: string): string {
  const lower = rr.toLowerCase();
  if (lower.length > 253 || !RR_PATTERN.test(lower)) throw aliErrors.invalidParameter('RR');
  return lower;
}

export function checkValue(type: string, value: string): void {
  const ok = (() => {
    switch (type) {
      case 'A':
        return isIPv4(value);
      case 'AAAA':
        return isIPv6(value);
      case 'CNAME':
      case 'NS':
      case 'MX':
        return HOSTNAME_PATTERN.test(value.toLowerCase());
      default:
        return value.length > 0 && value.length <= 512;
    }
  })();
  if (!ok) throw aliErrors.invalidParameter('Value', `(not a valid ${type} record value)`);
}
