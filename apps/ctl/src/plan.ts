// `planectl plan`: the DNS changes the gtm-controller would make now, per zone, without applying
// anything and without recording a decision. It runs the same pure decider on the same buckets,
// and finds the zone of a domain without dns.zone the way the controller does (the provider's
// longest-suffix zone).
import { BUCKETS, declarationsOf, openBucket, readBucket, readDesiredSnapshot, type Plane } from '@plane/backbone';
import type { DnsSpec, GtmSpec } from '@plane/declarations';
import { describeChange, planDnsChanges, ProviderCache, renderRecordSets, ZoneNotFoundError, ZoneResolver, type CurrentRecordSet, type RecordSet } from '@plane/dns';
import { domainToken } from '@plane/events';
import { buildDomainInputs, decideDomain, initialDomainState, type DomainState } from '@plane/gtm';
import type { NodeHealth } from '@plane/health';

interface Applied {
  zone: string;
  name: string;
  record_sets: RecordSet[];
}

async function bucket(plane: Plane, name: string): Promise<Map<string, unknown>> {
  try {
    return await readBucket(await openBucket(plane.nc, name));
  } catch {
    return new Map();
  }
}

export async function planCommand(plane: Plane, live: boolean, out: (s: string) => void): Promise<number> {
  const snapshot = await readDesiredSnapshot(await openBucket(plane.nc, BUCKETS.desired.name));
  const nodes = [...(await bucket(plane, BUCKETS.nodes.name)).entries()].filter(([k]) => k !== '_position').map(([, v]) => v as NodeHealth);
  const states = await bucket(plane, BUCKETS.gtm.name);
  const applied = [...(await bucket(plane, BUCKETS.dns.name)).values()] as Applied[];
  const now = Date.now();
  let changes = 0;
  let unresolved = 0;
  const byZone = new Map<string, string[]>();
  const providers = new ProviderCache();
  const zones = new ZoneResolver(providers);
  for (const decl of declarationsOf<GtmSpec>(snapshot, 'gtm').values()) {
    const spec = decl.spec;
    for (const d of spec.domains) {
      let zone: string;
      let zoneNote: string | undefined;
      try {
        zone = await zones.zoneOf(spec.dns as DnsSpec, d.name);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Without a live read, a provider that cannot be asked (no credentials here, unreachable)
        // leaves the zone the controller last applied the domain to.
        const last = !live && !(err instanceof ZoneNotFoundError) ? applied.find((a) => a.name === d.name)?.zone : undefined;
        if (last === undefined) {
          unresolved++;
          const lines = byZone.get(`unknown (${spec.dns.provider})`) ?? [];
          byZone.set(`unknown (${spec.dns.provider})`, lines);
          lines.push(`  ${d.name}: no zone: ${message}`);
          continue;
        }
        zone = last;
        zoneNote = `  ${d.name}: zone ${last} as last applied (${message})`;
      }
      const [input] = buildDomainInputs({ spec: { ...spec, domains: [d] }, commit: decl.commit, nodes, zone });
      if (!input) continue;
      const state = (states.get(domainToken(d.name)) as DomainState | undefined) ?? initialDomainState();
      const decided = decideDomain(input, state, now, 'planectl');
      const lines = byZone.get(`${zone} (${spec.dns.provider})`) ?? [];
      byZone.set(`${zone} (${spec.dns.provider})`, lines);
      if (zoneNote) lines.push(zoneNote);
      if (!decided.state.answer || input.suspended) {
        lines.push(`  ${d.name}: nothing to apply (${input.suspended ? 'suspended' : 'no answer decided yet'})`);
        continue;
      }
      const want = renderRecordSets(spec.dns.provider, decided.state.answer, { cloudflareMode: spec.dns.provider === 'cloudflare' ? spec.dns.mode : 'dns' });
      let current: CurrentRecordSet[];
      if (live) {
        current = await providers.get(spec.dns as DnsSpec).records(zone, [d.name]);
      } else {
        current = applied.filter((a) => a.name === d.name && a.zone === zone).flatMap((a) => a.record_sets.map((r) => ({ ...r, owned: true })));
      }
      const plan = planDnsChanges([d.name], want, current);
      for (const c of plan.conflicts) lines.push(`  ${c.name}: CONFLICT: foreign records ${c.foreign.map((f) => `${f.type} ${f.values.join(',')}`).join('; ')} (not taken over)`);
      if (plan.changes.length === 0 && plan.conflicts.length === 0) lines.push(`  ${d.name}: no changes`);
      for (const c of plan.changes) lines.push(`  ${describeChange(c)}`);
      changes += plan.changes.length;
      const why = decided.events.find((e) => e.type === 'GtmDecided');
      if (why) lines.push(`    why: ${(why.data as { reason: string }).reason}`);
    }
  }
  for (const [zone, lines] of [...byZone].sort(([a], [b]) => a.localeCompare(b))) {
    out(`zone ${zone}`);
    for (const l of lines) out(l);
  }
  out(`${changes} change(s) would be applied${live ? ' (compared with the provider now)' : ' (compared with the last applied record sets; --live reads the provider)'}`);
  if (unresolved > 0) {
    out(`${unresolved} domain(s) without a zone: not planned (declare dns.zone, or create the zone at the provider)`);
    return 1;
  }
  return 0;
}
