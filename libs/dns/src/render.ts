// Each provider's own weight model. Proportions are the same everywhere: a region's share of the
// domain's answers is its effective weight, split evenly over its ready IPs (DECLARATIONS.md).
import { canonicalIp, isIPv6, normalizeName, type DomainAnswer, type ProviderKind, type RecordSet } from './model.js';

export interface RenderOptions {
  /** cloudflare only. */
  cloudflareMode?: 'dns' | 'load_balancer';
}

function up(answer: DomainAnswer) {
  return answer.regions.filter((r) => r.weight > 0 && r.ips.length > 0);
}

function byFamily(ips: string[]): { A: string[]; AAAA: string[] } {
  const sorted = [...new Set(ips)].sort();
  return { A: sorted.filter((ip) => !isIPv6(ip)), AAAA: sorted.filter(isIPv6) };
}

/** Scales positive weights so the largest is at most `max`; a positive weight stays at least `min`. */
export function scaleWeights(weights: number[], max: number, min = 1): number[] {
  const top = Math.max(0, ...weights);
  const factor = top > max ? max / top : 1;
  return weights.map((w) => (w <= 0 ? 0 : Math.max(min, Math.round(w * factor))));
}

function route53(answer: DomainAnswer): RecordSet[] {
  const regions = up(answer);
  const weights = scaleWeights(regions.map((r) => r.weight), 255);
  const out: RecordSet[] = [];
  regions.forEach((r, i) => {
    const fam = byFamily(r.ips);
    for (const type of ['A', 'AAAA'] as const) {
      if (fam[type].length > 0) out.push({ name: answer.domain, type, setId: r.name, ttl: answer.ttl, weight: weights[i]!, values: fam[type] });
    }
  });
  return out;
}

/** Per-IP weights: the region's weight split evenly over its IPs of one family. */
function perIpWeights(answer: DomainAnswer, family: 'A' | 'AAAA'): { ip: string; weight: number }[] {
  const out: { ip: string; weight: number }[] = [];
  for (const r of up(answer)) {
    const ips = byFamily(r.ips)[family];
    for (const ip of ips) out.push({ ip, weight: r.weight / ips.length });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip));
}

function powerdns(answer: DomainAnswer): RecordSet[] {
  const out: RecordSet[] = [];
  const lua: string[] = [];
  for (const family of ['A', 'AAAA'] as const) {
    const ips = perIpWeights(answer, family);
    if (ips.length === 0) continue;
    const equal = ips.every((x) => Math.abs(x.weight - ips[0]!.weight) < 1e-9);
    if (equal) {
      out.push({ name: answer.domain, type: family, setId: '', ttl: answer.ttl, values: ips.map((x) => x.ip) });
    } else {
      // Integer weights for pickwrandom, with three digits of precision per IP.
      const ints = scaleWeights(ips.map((x) => x.weight * 1000), 1_000_000);
      lua.push(`${family} "pickwrandom({${ips.map((x, i) => `{${ints[i]}, '${x.ip}'}`).join(', ')}})"`);
    }
  }
  if (lua.length > 0) {
    // A name cannot hold a LUA A record next to a plain A record: one kind per family.
    const luaFamilies = new Set(lua.map((l) => l.split(' ')[0]));
    const plain = out.filter((r) => !luaFamilies.has(r.type));
    return [...plain, { name: answer.domain, type: 'LUA', setId: '', ttl: answer.ttl, values: lua.sort() }];
  }
  return out;
}

function alidns(answer: DomainAnswer): RecordSet[] {
  const out: RecordSet[] = [];
  for (const family of ['A', 'AAAA'] as const) {
    const ips = perIpWeights(answer, family);
    // AliDNS weights are 1..100: the heaviest IP gets 100 so proportions survive rounding.
    const top = Math.max(0, ...ips.map((x) => x.weight));
    const exact = ips.map((x) => Math.max(1, Math.round((x.weight * 100) / top)));
    ips.forEach((x, i) => out.push({ name: answer.domain, type: family, setId: x.ip, ttl: answer.ttl, weight: exact[i]!, values: [x.ip] }));
  }
  return out;
}

function cloudflare(answer: DomainAnswer, mode: 'dns' | 'load_balancer'): RecordSet[] {
  if (mode === 'load_balancer') {
    const regions = up(answer);
    const top = Math.max(0, ...regions.map((r) => r.weight));
    return regions.map((r) => ({
      name: answer.domain,
      type: 'POOL',
      setId: r.name,
      ttl: answer.ttl,
      weight: top > 0 ? Math.max(0.01, Math.round((r.weight / top) * 100) / 100) : 0,
      values: [...new Set(r.ips)].sort(),
    }));
  }
  const out: RecordSet[] = [];
  for (const r of up(answer)) {
    const fam = byFamily(r.ips);
    for (const type of ['A', 'AAAA'] as const) for (const ip of fam[type]) out.push({ name: answer.domain, type, setId: ip, ttl: answer.ttl, values: [ip] });
  }
  return dedupe(out);
}

function dedupe(records: RecordSet[]): RecordSet[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const k = `${r.type}|${r.setId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The record sets a provider should hold for a domain's answer, in the provider's own model. */
export function renderRecordSets(kind: ProviderKind, answer: DomainAnswer, opts: RenderOptions = {}): RecordSet[] {
  const a: DomainAnswer = { ...answer, domain: normalizeName(answer.domain), regions: answer.regions.map((r) => ({ ...r, ips: r.ips.map(canonicalIp) })) };
  const sets = (() => {
    switch (kind) {
      case 'route53':
        return route53(a);
      case 'powerdns':
        return powerdns(a);
      case 'alidns':
        return alidns(a);
      case 'cloudflare':
        return cloudflare(a, opts.cloudflareMode ?? 'dns');
    }
  })();
  return sets.sort((x, y) => `${x.type}|${x.setId}`.localeCompare(`${y.type}|${y.setId}`));
}
