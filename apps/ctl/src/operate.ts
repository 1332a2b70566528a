// planectl's operating verbs: suspend/resume a service (an override event that wins over Git
// until resumed), drain/undrain a node (out of DNS, kept registered), and status.
import { hostname, userInfo } from 'node:os';
import { BUCKETS, declarationsOf, ensureStream, lastEventOn, openBucket, publishEvent, readBucket, readDesiredSnapshot, readOverrides, STREAMS, type Plane } from '@plane/backbone';
import type { AutoscaleSpec, GtmSpec } from '@plane/declarations';
import { ConfigError } from '@plane/runtime';
import { domainToken, envelope, nodeSubject, overrideSubject, type NodeDrainChanged, type ServiceOverride } from '@plane/events';
import type { DomainState } from '@plane/gtm';
import type { NodeHealth } from '@plane/health';

export function operatorName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry in some containers
  }
  return `planectl@${hostname()} (${user})`;
}

export async function overrideCommand(plane: Plane, service: string, suspended: boolean, reason: string, out: (s: string) => void): Promise<number> {
  if (!/^[a-z0-9-]{1,63}$/.test(service)) throw new ConfigError(`"${service}" is not a service name`);
  await ensureStream(plane.jsm, STREAMS.declarations);
  const prev = await lastEventOn(plane.jsm, STREAMS.declarations.name, overrideSubject(service));
  const event: ServiceOverride = envelope('ServiceOverride', `override:${service}:${prev?.seq ?? 0}:${suspended ? 'suspend' : 'resume'}`, { service, suspended, by: operatorName(), reason }, 'planectl');
  const pub = await publishEvent(plane.js, overrideSubject(service), event);
  out(`${service}: ${suspended ? 'suspended' : 'resumed'} by ${event.data.by}${reason ? `: ${reason}` : ''} (event ${event.id}, seq ${pub.seq})`);
  return 0;
}

export async function drainCommand(plane: Plane, node: string, draining: boolean, reason: string, out: (s: string) => void): Promise<number> {
  const parts = node.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[a-z0-9-]{1,63}$/.test(p))) throw new ConfigError(`"${node}" is not a node: give <service>.<region>.<node_id> (as planectl status lists them)`);
  const [service, region, node_id] = parts as [string, string, string];
  const ref = { service, region, node_id };
  const prev = await lastEventOn(plane.jsm, STREAMS.nodes.name, nodeSubject(ref, 'drain'));
  const event: NodeDrainChanged = envelope('NodeDrainChanged', `drain:${node}:${prev?.seq ?? 0}:${draining}`, { ...ref, draining, by: operatorName(), reason: reason || (draining ? 'maintenance' : 'back in service') }, 'planectl');
  const pub = await publishEvent(plane.js, nodeSubject(ref, 'drain'), event);
  out(`${node}: ${draining ? 'draining: it leaves DNS and stays registered' : 'undrained: it returns to DNS when healthy'} (event ${event.id}, seq ${pub.seq})`);
  return 0;
}

async function bucket(plane: Plane, name: string): Promise<Map<string, unknown>> {
  try {
    return await readBucket(await openBucket(plane.nc, name));
  } catch {
    return new Map();
  }
}

interface ScaleState {
  regions: Record<string, { pending: { kind: string; from: number; to: number; phase: string; since: number } | null; cooldown_until: number | null; last_reason: { text: string } | null }>;
}

export async function statusCommand(plane: Plane, json: boolean, out: (s: string) => void): Promise<number> {
  const desiredKv = await openBucket(plane.nc, BUCKETS.desired.name);
  const snapshot = await readDesiredSnapshot(desiredKv);
  const overrides = await readOverrides(plane);
  const nodes = [...(await bucket(plane, BUCKETS.nodes.name)).entries()].filter(([k]) => k !== '_position').map(([, v]) => v as NodeHealth);
  const gtm = await bucket(plane, BUCKETS.gtm.name);
  const scale = await bucket(plane, 'autoscale');
  const report: Record<string, unknown>[] = [];
  for (const s of snapshot.syncs) out(`repo ${s.repo}: commit ${s.commit.slice(0, 12)} in force since ${s.time} (${Object.keys(s.declarations).length} declarations)`);
  for (const decl of declarationsOf<GtmSpec>(snapshot, 'gtm').values()) {
    const spec = decl.spec;
    const o = overrides.get(spec.service);
    const suspended = spec.suspend ? 'suspended in Git' : o?.suspended ? `suspended by ${o.by}: ${o.reason}` : null;
    for (const d of spec.domains) {
      const state = gtm.get(domainToken(d.name)) as DomainState | undefined;
      out(`domain ${d.name} (${spec.service}, ${spec.dns.provider}, ${d.failover})${suspended ? ` [${suspended}]` : ''}`);
      if (state?.last_reason) out(`  last decision: ${state.last_reason}`);
      for (const r of d.regions) {
        const own = nodes.filter((n) => n.service === spec.service && n.region === r.name);
        const ready = own.filter((n) => n.state === 'ready' || n.state === 'suspect');
        const weight = state?.answer?.regions.find((x) => x.name === r.name)?.weight;
        out(`  ${r.name.padEnd(10)} weight ${String(weight ?? '-').padStart(4)} of ${String(r.weight).padEnd(4)} ready ${ready.length}/${own.length} (min ${r.min_ready_nodes})`);
        for (const n of own) out(`    ${`${n.service}.${n.region}.${n.node_id}`.padEnd(28)} ${String(n.state ?? 'new').padEnd(12)} ${n.ips.join(',').padEnd(20)} ${n.state_reason}`);
        report.push({ domain: d.name, region: r.name, weight: weight ?? null, declared: r.weight, ready: ready.length, total: own.length });
      }
    }
  }
  for (const decl of declarationsOf<AutoscaleSpec>(snapshot, 'autoscale').values()) {
    const st = scale.get(decl.spec.service) as ScaleState | undefined;
    out(`autoscale ${decl.spec.service}${decl.spec.suspend ? ' [suspended in Git]' : ''}`);
    for (const r of decl.spec.regions) {
      const rs = st?.regions?.[r.name];
      const p = rs?.pending;
      const nodesIn = nodes.filter((n) => n.service === decl.spec.service && n.region === r.name && n.state !== 'deregistered').length;
      out(`  ${r.name.padEnd(10)} nodes ${nodesIn} (min ${r.min_nodes}, max ${r.max_nodes})${p ? `  pending ${p.kind} ${p.from} -> ${p.to} (${p.phase}) since ${new Date(p.since).toISOString()}` : ''}${rs?.last_reason ? `  ${rs.last_reason.text}` : ''}`);
    }
  }
  if (json) out(JSON.stringify(report));
  return 0;
}
