// The weight formula (DECLARATIONS.md "What a weight means"), min_ready_nodes and node exits.
import { describe, expect, it } from 'vitest';
import { effectiveWeight } from '../src/index.js';
import { decide, decidedOf, domain, down, history, node, nodes, region, T0, weights, withNodes } from './fixtures.js';

function weightWith(base: number, over: { rtt_ms?: number | null; error_rate?: number | null }): number {
  const d = decidedOf(decide(domain([region('jp', base, [node('jp-1', '10.1.0.1', over)])])).events);
  return d.data.answer!.regions[0]!.weight;
}

describe('effective weight = declared x health factor', () => {
  it('given weight 100 and a healthy region, then 100', () => {
    expect(weightWith(100, { rtt_ms: 120, error_rate: 0.01 })).toBe(100);
  });
  it('given rtt 350 ms (> 300), then x0.7 = 70', () => {
    expect(weightWith(100, { rtt_ms: 350 })).toBe(70);
  });
  it('given error rate 0.08 (> 0.05), then x0.5 = 50', () => {
    expect(weightWith(100, { error_rate: 0.08 })).toBe(50);
  });
  it('given both high, then the factors multiply: x0.35 = 35', () => {
    expect(weightWith(100, { rtt_ms: 350, error_rate: 0.08 })).toBe(35);
    const d = decidedOf(decide(domain([region('jp', 100, [node('jp-1', '10.1.0.1', { rtt_ms: 350, error_rate: 0.08 })])])).events);
    expect(d.data.regions[0]).toMatchObject({ factor: 0.35, rtt_ms: 350, error_rate: 0.08, weight: 35 });
  });
  it('given values exactly at the thresholds, then no penalty (the rule is "over")', () => {
    expect(weightWith(100, { rtt_ms: 300, error_rate: 0.05 })).toBe(100);
  });
  it('rounds to the nearest integer, halves up, without binary noise', () => {
    expect(effectiveWeight(15, 0.7)).toBe(11); // 10.5
    expect(effectiveWeight(5, 0.7)).toBe(4); // 3.5 (3.4999999999999996 in floating point)
    expect(effectiveWeight(3, 0.35)).toBe(1); // 1.05
    expect(effectiveWeight(7, 0.35)).toBe(2); // 2.45
    expect(weightWith(15, { rtt_ms: 400 })).toBe(11);
  });
  it('keeps at least 1 while the region is up; declared 0 stays 0', () => {
    expect(effectiveWeight(1, 0.35)).toBe(1);
    expect(weightWith(1, { rtt_ms: 999, error_rate: 0.4 })).toBe(1);
    expect(effectiveWeight(0, 1)).toBe(0);
  });
  it('takes the region rtt / error rate as the mean over its ready nodes that report them', () => {
    const input = domain([
      region('jp', 100, [
        node('jp-1', '10.1.0.1', { rtt_ms: 200 }),
        node('jp-2', '10.1.0.2', { rtt_ms: 500 }),
        node('jp-3', '10.1.0.3', { rtt_ms: null, error_rate: null }),
        down(node('jp-4', '10.1.0.4', { rtt_ms: 5000, error_rate: 1 })),
      ]),
    ]);
    const d = decidedOf(decide(input).events);
    expect(d.data.regions[0]).toMatchObject({ rtt_ms: 350, ready: 3, total: 4, factor: 0.7, weight: 70, ips: ['10.1.0.1', '10.1.0.2', '10.1.0.3'] });
    expect(d.data.regions[0]!.reason).toBe('jp: 3 of 4 ready nodes: weight 70 (rtt 350 ms > 300: x0.7)');
  });
  it('publishes the ready nodes IPs sorted and without duplicates; suspect nodes still serve', () => {
    const input = domain([
      region('jp', 100, [node('jp-2', '10.1.0.9'), node('jp-1', '10.1.0.3', { ips: ['10.1.0.3', '2001:db8::1'] }), node('jp-3', '10.1.0.3', { state: 'suspect' })]),
    ]);
    expect(decidedOf(decide(input).events).data.answer!.regions[0]!.ips).toEqual(['10.1.0.3', '10.1.0.9', '2001:db8::1']);
  });
});

describe('min_ready_nodes', () => {
  it('given 1 of 2 ready with min 2, then the region is withdrawn (weight 0) and the reason says why', () => {
    const jp = nodes('jp', 2, 1);
    const base = domain([region('jp', 100, jp, { min_ready_nodes: 2 }), region('sg', 10, nodes('sg', 1, 2))]);
    const [first, second] = history([
      [base, T0],
      [withNodes(base, 'jp', [jp[0]!, down(jp[1]!)]), T0 + 5000],
    ]);
    expect(weights(decidedOf(first!.events))).toEqual({ jp: 100, sg: 10 });
    const d = decidedOf(second!.events);
    expect(d.data.outcome).toBe('changed');
    expect(weights(d)).toEqual({ jp: 0, sg: 10 });
    expect(d.data.answer!.regions[0]!.ips).toEqual([]);
    expect(d.data.regions[0]).toMatchObject({ weight_before: 100, weight: 0, ready: 1, total: 2, min_ready_nodes: 2, ips: ['10.1.0.1'] });
    expect(d.data.regions[0]!.reason).toBe('jp: 1 of 2 ready nodes (min 2): weight 100 -> 0; jp-2 out: no heartbeat for 16.0s (heartbeat_timeout 15.0s)');
    expect(d.data.reason).toBe('api.svc.plus: jp 100 -> 0 (1 of 2 ready, min 2, jp-2 out: no heartbeat for 16.0s (heartbeat_timeout 15.0s)); sg 10');
  });
  it('given 0 of 1 ready (min 1), then the reason reads "jp: 0 of 1 ready nodes (min 1): weight 100 -> 0"', () => {
    const base = domain([region('jp', 100, nodes('jp', 1, 1)), region('sg', 10, nodes('sg', 1, 2))]);
    const [, second] = history([
      [base, T0],
      [withNodes(base, 'jp', [down(nodes('jp', 1, 1)[0]!)]), T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.regions[0]!.reason).toMatch(/^jp: 0 of 1 ready nodes \(min 1\): weight 100 -> 0; jp-1 out: /);
    expect(d.data.reason).toMatch(/^api\.svc\.plus: jp 100 -> 0 \(0 of 1 ready, min 1, jp-1 out: .*\); sg 10$/);
  });
});

describe('a node leaving', () => {
  it('given a draining node, then its IP leaves with its state_reason, and the change goes through', () => {
    const jp = nodes('jp', 3, 1);
    const base = domain([region('jp', 100, jp)]);
    const draining = { ...jp[1]!, state: 'draining' as const, state_reason: 'draining: autoscale scale-in jp 3 -> 2' };
    const [, second] = history([
      [base, T0],
      [withNodes(base, 'jp', [jp[0]!, draining, jp[2]!]), T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.answer!.regions[0]!.ips).toEqual(['10.1.0.1', '10.1.0.3']);
    expect(d.data.regions[0]!.reason).toBe('jp: 2 of 3 ready nodes: weight 100; jp-2 out: draining: autoscale scale-in jp 3 -> 2');
    expect(d.data.reason).toBe('api.svc.plus: jp 100 (-10.1.0.2, jp-2 out: draining: autoscale scale-in jp 3 -> 2)');
    expect(d.data.dns_change).toBe(true);
    // Leaving on purpose is not an ejection: the mass-ejection guard does not count it.
    expect(d.data.ejections).toEqual([]);
  });
});
