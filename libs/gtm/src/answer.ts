// DomainAnswer helpers: build one reusing the previous answer's objects when nothing changed (so an
// unchanged evaluation allocates little and compares by reference), compare, look up.
import type { DomainAnswer, RegionAnswer } from '@plane/dns';
import type { DomainInput } from './types.js';

export function sameIps(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameAnswer(a: DomainAnswer | null, b: DomainAnswer | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a.domain !== b.domain || a.ttl !== b.ttl || a.regions.length !== b.regions.length) return false;
  for (let i = 0; i < a.regions.length; i++) {
    const x = a.regions[i]!;
    const y = b.regions[i]!;
    if (x.name !== y.name || x.weight !== y.weight || !sameIps(x.ips, y.ips)) return false;
  }
  return true;
}

/** True when at least one region takes traffic. */
export function serves(answer: DomainAnswer | null): boolean {
  return answer !== null && answer.regions.some((r) => r.weight > 0 && r.ips.length > 0);
}

/** The weight a region has in an answer (0 when the answer is null or lacks the region). */
export function weightIn(answer: DomainAnswer | null, name: string, index: number): number {
  if (answer === null) return 0;
  const at = answer.regions[index];
  if (at !== undefined && at.name === name) return at.weight;
  return answer.regions.find((r) => r.name === name)?.weight ?? 0;
}

export function regionIn(answer: DomainAnswer | null, name: string, index: number): RegionAnswer | undefined {
  if (answer === null) return undefined;
  const at = answer.regions[index];
  if (at !== undefined && at.name === name) return at;
  return answer.regions.find((r) => r.name === name);
}

/**
 * The answer for these weights and IPs; a withdrawn region (weight 0) publishes no IPs. Returns
 * `prev` itself when it is equal.
 */
export function buildAnswer(input: DomainInput, weights: readonly number[], ips: readonly (readonly string[])[], prev: DomainAnswer | null): DomainAnswer {
  const n = input.regions.length;
  if (prev !== null && prev.domain === input.domain && prev.ttl === input.ttl && prev.regions.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) {
      const p = prev.regions[i]!;
      const w = weights[i]!;
      same = p.name === input.regions[i]!.name && p.weight === w && (w > 0 ? sameIps(p.ips, ips[i]!) : p.ips.length === 0);
    }
    if (same) return prev;
  }
  const regions: RegionAnswer[] = new Array<RegionAnswer>(n);
  for (let i = 0; i < n; i++) {
    const name = input.regions[i]!.name;
    const weight = weights[i]!;
    const regionIps = weight > 0 ? ips[i]! : [];
    const p = prev?.regions[i];
    regions[i] = p !== undefined && p.name === name && p.weight === weight && sameIps(p.ips, regionIps) ? p : { name, weight, ips: [...regionIps] };
  }
  return { domain: input.domain, ttl: input.ttl, regions };
}

/** Every declared region withdrawn: nothing is published. */
export function emptyAnswer(input: DomainInput): DomainAnswer {
  return { domain: input.domain, ttl: input.ttl, regions: input.regions.map((r) => ({ name: r.name, weight: 0, ips: [] })) };
}

/** Whether `next` takes away traffic `prev` gave: a serving region withdrawn, or one of its IPs gone. */
export function withdraws(prev: DomainAnswer | null, next: DomainAnswer): boolean {
  if (prev === null) return false;
  for (let i = 0; i < prev.regions.length; i++) {
    const p = prev.regions[i]!;
    if (p.weight <= 0) continue;
    const n = regionIn(next, p.name, i);
    if (n === undefined || n.weight <= 0) return true;
    for (const ip of p.ips) if (!n.ips.includes(ip)) return true;
  }
  return false;
}
