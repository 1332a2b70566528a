// Who this node is: its id and its addresses. Pure (the caller passes hostname() and
// networkInterfaces()).
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { NODE_ID_PATTERN } from '@plane/events';

/** The API takes at most this many addresses per node. */
export const MAX_IPS = 16;

/**
 * The default node id: the hostname, lowercased, every character outside [a-z0-9-] replaced by
 * '-'. Throws (with what to do) when the result still is not a valid id, e.g. over 63 characters.
 */
export function nodeIdFromHostname(host: string): string {
  const id = host.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!NODE_ID_PATTERN.test(id)) {
    throw new Error(`the hostname "${host}" does not make a node id ([a-z0-9-], 1 to 63 characters): pass --node-id`);
  }
  return id;
}

function linkLocal(address: string, family: 4 | 6): boolean {
  if (family === 6) return /^fe[89ab][0-9a-f]:/i.test(address);
  return address.startsWith('169.254.');
}

/**
 * The machine's own addresses other nodes and DNS can use: non-internal IPv4 and IPv6, without
 * link-local ones (fe80::/10, 169.254/16: not routable beyond the link). Sorted, IPv4 first.
 */
export function machineIps(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const found = new Set<string>();
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      const family = isIP(a.address);
      if (family !== 4 && family !== 6) continue;
      if (linkLocal(a.address, family)) continue;
      found.add(a.address.toLowerCase());
    }
  }
  return [...found].sort((x, y) => isIP(x) - isIP(y) || (x < y ? -1 : x > y ? 1 : 0));
}

/** Validates --ip values; returns them deduplicated, in the order given. */
export function checkIps(ips: readonly string[]): string[] {
  const out: string[] = [];
  for (const ip of ips) {
    if (isIP(ip) === 0) throw new Error(`"${ip}" is not an IPv4 or IPv6 address`);
    const v = ip.toLowerCase();
    if (!out.includes(v)) out.push(v);
  }
  if (out.length > MAX_IPS) throw new Error(`${out.length} addresses: the API takes at most ${MAX_IPS}`);
  return out;
}

/** `k=v` pairs -> labels (the API's label rules: short keys, string values). */
export function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z0-9_./-]{1,63}$/.test(key)) throw new Error(`"${pair}" is not KEY=VALUE (key: [A-Za-z0-9_./-], 1 to 63 characters)`);
    labels[key] = pair.slice(eq + 1);
  }
  return labels;
}
