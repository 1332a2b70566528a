// Timing of 1,000 domains x 10 regions x 20 nodes (logged, not asserted: machines differ).
import { describe, expect, it } from 'vitest';
import { decideDomain, initialDomainState, type DomainInput, type DomainState, type NodeView } from '../src/index.js';
import { domain, down, node, region, T0 } from './fixtures.js';

const DOMAINS = 1000;
const REGIONS = 10;
const NODES = 20;

function fleet(): DomainInput[] {
  const out: DomainInput[] = [];
  for (let d = 0; d < DOMAINS; d++) {
    const regions = [];
    for (let r = 0; r < REGIONS; r++) {
      const nodes: NodeView[] = [];
      for (let n = 0; n < NODES; n++) nodes.push(node(`r${r}-${n}`, `10.${r}.${d % 250}.${n + 1}`, { rtt_ms: 40 + ((d + r + n) % 300), error_rate: ((d + n) % 7) / 100 }));
      regions.push(region(`r${r}`, 10 + r * 10, nodes));
    }
    out.push(domain(regions, { domain: `d${d}.svc.plus` }));
  }
  return out;
}

function tick(inputs: DomainInput[], states: DomainState[], now: number): { ms: number; cpuMs: number; events: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  let events = 0;
  for (let i = 0; i < inputs.length; i++) {
    const r = decideDomain(inputs[i]!, states[i]!, now, 'bench');
    states[i] = r.state;
    events += r.events.length;
  }
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, events };
}

const best = (runs: { ms: number; cpuMs: number }[]) => `${Math.min(...runs.map((r) => r.ms)).toFixed(1)} ms (cpu ${Math.min(...runs.map((r) => r.cpuMs)).toFixed(1)} ms)`;

/** The fleet with the first node of region `region` down in every domain whose index is a multiple of `every`. */
function oneNodeDown(inputs: DomainInput[], region: number, every: number): DomainInput[] {
  return inputs.map((inp, d) =>
    d % every === 0 ? { ...inp, regions: inp.regions.map((r, i) => (i === region ? { ...r, nodes: r.nodes.map((n, k) => (k === 0 ? down(n) : n)) } : r)) } : inp,
  );
}

describe('timing', () => {
  it('decides 1,000 domains x 10 regions x 20 nodes', () => {
    const all = fleet();
    const states = all.map(() => initialDomainState());
    const first = tick(all, states, T0);
    let now = T0;
    // Warm up, then the steady state: nothing changed, nothing recorded (the common tick).
    for (let i = 0; i < 20; i++) tick(all, states, (now += 1000));
    const steady = Array.from({ length: 10 }, () => tick(all, states, (now += 1000)));
    // One node down (then back) in 1 % of the domains, and in every domain (every domain records a decision).
    const few = oneNodeDown(all, 1, 100);
    const every = oneNodeDown(all, 0, 1);
    const fewRuns = Array.from({ length: 6 }, (_, i) => tick(i % 2 === 0 ? few : all, states, (now += 20_000)));
    const everyRuns = Array.from({ length: 6 }, (_, i) => tick(i % 2 === 0 ? every : all, states, (now += 20_000)));
    const fromEmpty = Array.from({ length: 4 }, () => tick(all, all.map(() => initialDomainState()), now));
    console.log(
      `gtm decide timing, ${DOMAINS} domains x ${REGIONS} regions x ${NODES} nodes (best of runs; wall clock, machine shared): ` +
        `steady (no change, 0 events) ${best(steady)}; 1% of domains changed (${fewRuns[0]!.events} events) ${best(fewRuns)}; ` +
        `every domain changed (${everyRuns[0]!.events} events) ${best(everyRuns)}; ` +
        `first decision from an empty state (${first.events} events) cold ${first.ms.toFixed(1)} ms, warm ${best(fromEmpty)}`,
    );
    expect(steady.every((r) => r.events === 0)).toBe(true);
    expect(everyRuns.every((r) => r.events === DOMAINS)).toBe(true);
    expect(fewRuns.every((r) => r.events === DOMAINS / 100)).toBe(true);
  });
});
