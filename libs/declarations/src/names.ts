// Names, DNS names and IP networks. Service, region and node names become
// NATS subject tokens and KV keys, hence the narrow charset.
import { isIPv4, isIPv6 } from 'node:net';

const NAME = /^[a-z0-9-]{1,63}$/;

export const NAME_RULE = "1 to 63 characters a-z, 0-9 and '-'";

export function isValidName(s: string): boolean {
  return NAME.test(s);
}

/** DNS names compare lowercase without the trailing dot. */
export function canonicalDnsName(s: string): string {
  return (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
}

/** True when `name` is `zone` itself or below it. Both canonical. */
export function isWithinZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

export type CidrResult = { ok: true; cidr: string } | { ok: false; reason: string };

/**
 * Checks an IP network (`203.0.113.0/24`, `2001:db8::/32`) or a single IP
 * (becomes /32 or /128) and returns its canonical text. Host bits set
 * (`203.0.113.5/24`) are an error: the intent is ambiguous.
 */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip)) return { ok: false, reason: `"${ip}" is not an IP address` };
  const bits = v4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      return { ok: false, reason: `prefix length must be 0..${bits}` };
    }
    prefix = Number(prefixText);
  }
  const value = v4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask;
    const suggestion = `${v4 ? bigIntToIpv4(network) : bigIntToIpv6(network)}/${prefix}`;
    return { ok: false, reason: `host bits are set (did you mean ${suggestion}?)` };
  }
  return { ok: true, cidr: `${v4 ? bigIntToIpv4(value) : bigIntToIpv6(value)}/${prefix}` };
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 255n)).join('.');
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  return [...headGroups, ...fill, ...restGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lowercase, longest run (>= 2) of zero groups as '::'. */
function bigIntToIpv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
