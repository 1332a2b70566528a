// What to probe: every IP of every registered node of every service with a gtm declaration,
// probed as that declaration's `health` says. Down nodes stay targets (so they can come back);
// deregistered ones do not.
import { isIP } from 'node:net';
import { nodeKey, type NodeRef } from '@plane/events';
import type { GtmSpec, HealthSpec } from '@plane/declarations';
import type { NodeHealth } from '@plane/health';

export type CheckType = HealthSpec['type'];

export interface ProbeTarget {
  /** `<service>.<region>.<node_id>/<ip>`: the target's identity and the seed of its schedule offset. */
  key: string;
  node: NodeRef;
  ip: string;
  port: number;
  check: CheckType;
  /** The URL (http) or `host:port` (tcp) probed; IPv6 addresses in brackets. */
  target: string;
  interval_ms: number;
  timeout_ms: number;
}

/** The part of a `desired` gtm declaration the prober needs. */
export interface GtmHealthDeclaration {
  name: string;
  spec: Pick<GtmSpec, 'service' | 'health'>;
}

export function hostPort(ip: string, port: number): string {
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function probeTargetOf(node: NodeRef, ip: string, health: HealthSpec): ProbeTarget {
  const address = hostPort(ip, health.port);
  return {
    key: `${nodeKey(node)}/${ip}`,
    node: { service: node.service, region: node.region, node_id: node.node_id },
    ip,
    port: health.port,
    check: health.type,
    target: health.type === 'http' ? `http://${address}${health.path}` : address,
    interval_ms: health.interval_ms,
    timeout_ms: health.timeout_ms,
  };
}

/** Two targets with the same key but another signature are probed differently: reschedule. */
export function targetSignature(t: ProbeTarget): string {
  return `${t.check} ${t.target} ${t.interval_ms} ${t.timeout_ms}`;
}

/** Targets sorted by key; IPs that are not IP addresses are left out (and returned as skipped). */
export function buildTargets(
  declarations: readonly GtmHealthDeclaration[],
  nodes: Iterable<NodeHealth>,
): { targets: ProbeTarget[]; skipped: { key: string; ip: string; reason: string }[] } {
  const healthOf = new Map<string, HealthSpec>();
  for (const d of declarations) healthOf.set(d.spec.service ?? d.name, d.spec.health);
  const targets = new Map<string, ProbeTarget>();
  const skipped: { key: string; ip: string; reason: string }[] = [];
  for (const node of nodes) {
    if (node.deregistered) continue;
    const health = healthOf.get(node.service);
    if (!health) continue;
    for (const ip of node.ips) {
      if (isIP(ip) === 0) {
        skipped.push({ key: nodeKey(node), ip, reason: 'not an IP address' });
        continue;
      }
      const t = probeTargetOf(node, ip, health);
      targets.set(t.key, t);
    }
  }
  return { targets: [...targets.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), skipped };
}
