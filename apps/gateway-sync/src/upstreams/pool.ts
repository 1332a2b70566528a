// The value of one key of the `upstreams` bucket: the nodes of one service in one region that
// take gateway traffic, and, for each node known in the pool, the inputs that decided it.
import { isIP } from 'node:net';
import type { NodeState } from '@plane/events';
import { isServing } from '@plane/health';

export interface UpstreamServer {
  node_id: string;
  /** The IP the gateway sends to: the node's first IPv4 (sorted), else its first IPv6. */
  address: string;
}

/** What the projection knows of one node of the pool. */
export interface UpstreamMember {
  /** `to` of the node's latest state event (null: none yet). */
  state: NodeState | null;
  draining: boolean;
  /** Valid IPs, sorted: from the latest registration or state event that carried any. */
  ips: string[];
}

/** Bucket `upstreams`, key `<service>.<region>`. */
export interface UpstreamPool {
  service: string;
  region: string;
  /** Serving nodes, sorted by node_id. */
  servers: UpstreamServer[];
  /** Every node of the pool not deregistered, by node_id (keys sorted). */
  members: Record<string, UpstreamMember>;
}

export function poolKey(service: string, region: string): string {
  return `${service}.${region}`;
}

/** Drops what is not an IP address, removes duplicates, sorts. */
export function cleanIps(ips: readonly string[]): string[] {
  return [...new Set(ips.filter((ip) => isIP(ip) !== 0))].sort();
}

export function serverAddress(ips: readonly string[]): string | undefined {
  return ips.find((ip) => isIP(ip) === 4) ?? ips.find((ip) => isIP(ip) === 6);
}

/** A node takes traffic while its latest state serves (ready, suspect), it is not draining, and it has an IP. */
export function memberServes(m: UpstreamMember): boolean {
  return isServing(m.state) && !m.draining && serverAddress(m.ips) !== undefined;
}

/** The pool's bucket value, built in one canonical order so equal inputs give equal JSON. */
export function poolValue(service: string, region: string, members: ReadonlyMap<string, UpstreamMember>): UpstreamPool {
  const ids = [...members.keys()].sort();
  const servers: UpstreamServer[] = [];
  const record: Record<string, UpstreamMember> = {};
  for (const id of ids) {
    const m = members.get(id)!;
    record[id] = { state: m.state, draining: m.draining, ips: [...m.ips] };
    const address = serverAddress(m.ips);
    if (address !== undefined && memberServes(m)) servers.push({ node_id: id, address });
  }
  return { service, region, servers, members: record };
}

const STATES: readonly (NodeState | null)[] = ['ready', 'suspect', 'down', 'draining', 'deregistered', null];

function isMember(v: unknown): v is UpstreamMember {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return STATES.includes(m.state as NodeState | null) && typeof m.draining === 'boolean' && Array.isArray(m.ips) && m.ips.every((ip) => typeof ip === 'string');
}

/** Reads a bucket value back; undefined when it is not a pool (written by something else). */
export function parsePool(v: unknown): UpstreamPool | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (typeof p.service !== 'string' || typeof p.region !== 'string' || !Array.isArray(p.servers)) return undefined;
  if (typeof p.members !== 'object' || p.members === null) return undefined;
  const members = p.members as Record<string, unknown>;
  if (!Object.values(members).every(isMember)) return undefined;
  const servers = p.servers as unknown[];
  if (!servers.every((s) => typeof s === 'object' && s !== null && typeof (s as UpstreamServer).node_id === 'string' && typeof (s as UpstreamServer).address === 'string')) return undefined;
  return { service: p.service, region: p.region, servers: servers as UpstreamServer[], members: members as Record<string, UpstreamMember> };
}
