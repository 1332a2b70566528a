// Failover, fail open, dead band, and "record only what changed".
import { describe, expect, it } from 'vitest';
import { alertsOf, decide, decidedOf, domain, down, history, node, nodes, region, T0, WEIGHTING, weights, withNodes } from './fixtures.js';

describe('fail open: never withdraw every region because of health', () => {
  it('given every region down after a good answer, then the last good answer is kept and an all_withdrawn alert is raised once', () => {
    // max_ejection_percent 100: the mass-ejection guard (its own spec) stays out of the way.
    const base = domain([region('jp', 100, nodes('jp', 2, 1)), region('sg', 10, nodes('sg', 1, 2))], { max_ejection_percent: 100 });
    const allDown = domain([region('jp', 100, nodes('jp', 2, 1).map((n) => down(n))), region('sg', 10, nodes('sg', 1, 2).map((n) => down(n)))], { max_ejection_percent: 100 });
    const [first, second, third] = history([
      [base, T0],
      [allDown, T0 + 5000],
      [allDown, T0 + 10_000],
    ]);
    const good = decidedOf(first!.events).data.answer;
    const d = decidedOf(second!.events);
    expect(d.data.outcome).toBe('fail_open');
    expect(d.data.answer).toEqual(good);
    expect(d.data.dns_change).toBe(false);
    expect(d.data.reason).toMatch(/^api\.svc\.plus: every region withdrawn \(jp 0 of 2 ready, min 1; sg 0 of 1 ready, min 1\) .*: last good answer kept \(fail open\)$/);
    expect(d.data.regions[0]!.reason).toMatch(/^jp: 0 of 2 ready nodes \(min 1\): weight 100 kept \(fail open; computed 0\)/);
    const alerts = alertsOf(second!.events);
    expect(alerts.map((a) => a.data.kind)).toEqual(['all_withdrawn']);
    expect(alerts[0]!.data.message).toContain('the last good answer is kept');
    expect(second!.state.last_good).toEqual(good);
    // Still all down: nothing new to say.
    expect(third!.events).toEqual([]);
  });

  it('given every region down and never a good answer, then the answer is empty (nothing published) and says so', () => {
    const input = domain([region('jp', 100, [down(node('jp-1', '10.1.0.1'))]), region('sg', 10, [])]);
    const { events, state } = decide(input);
    const d = decidedOf(events);
    expect(d.data.outcome).toBe('fail_open');
    expect(d.data.answer).toEqual({ domain: 'api.svc.plus', ttl: 30, regions: [{ name: 'jp', weight: 0, ips: [] }, { name: 'sg', weight: 0, ips: [] }] });
    expect(d.data.reason).toMatch(/no good answer ever: nothing published$/);
    expect(alertsOf(events)[0]!.data).toMatchObject({ kind: 'all_withdrawn', service: 'svc-plus', domain: 'api.svc.plus', clock: T0 });
    expect(alertsOf(events)[0]!.data.message).toContain('there was never a good answer: nothing is published');
    expect(state.last_good).toBeNull();
  });

  it('given a region comes back, then the answer follows it again', () => {
    const base = domain([region('jp', 100, nodes('jp', 1, 1))], { max_ejection_percent: 100 });
    const out = withNodes(base, 'jp', [down(nodes('jp', 1, 1)[0]!)]);
    const steps = history([
      [base, T0],
      [out, T0 + 5000],
      [withNodes(base, 'jp', [node('jp-1', '10.1.0.7')]), T0 + 10_000],
    ]);
    const back = decidedOf(steps[2]!.events);
    expect(back.data.outcome).toBe('changed');
    expect(back.data.answer!.regions[0]).toEqual({ name: 'jp', weight: 100, ips: ['10.1.0.7'] });
    expect(alertsOf(steps[2]!.events)).toEqual([]);
  });
});

describe('failover: priority', () => {
  const jp = nodes('jp', 1, 1);
  const sg = nodes('sg', 1, 2);
  const us = nodes('us', 1, 3);
  const input = domain([region('jp', 100, jp), region('sg', 50, sg, { fallback: false }), region('us', 20, us)], { failover: 'priority' });

  it('given every region up, then only the first serves; the others stand by and say so', () => {
    const d = decidedOf(decide(input).events);
    expect(weights(d)).toEqual({ jp: 100, sg: 0, us: 0 });
    expect(d.data.answer!.regions.map((r) => r.ips)).toEqual([['10.1.0.1'], [], []]);
    expect(d.data.regions[2]!.reason).toBe('us: 1 of 1 ready nodes: weight 0 (standby: priority failover, jp serves)');
    expect(d.data.reason).toBe('api.svc.plus: jp 100; sg 0 (standby: priority failover, jp serves); us 0 (standby: priority failover, jp serves)');
  });

  it('given the first down, then the next one that may take over serves; fallback: false is never a target; back to the first when it recovers', () => {
    const jpDown = withNodes(input, 'jp', [down(jp[0]!)]);
    const [, failover, recovered] = history([
      [input, T0],
      [jpDown, T0 + 5000],
      [input, T0 + 10_000],
    ]);
    const f = decidedOf(failover!.events);
    expect(weights(f)).toEqual({ jp: 0, sg: 0, us: 20 });
    expect(f.data.answer!.regions[2]!.ips).toEqual(['10.3.0.1']);
    expect(f.data.reason).toMatch(/^api\.svc\.plus: jp 100 -> 0 \(0 of 1 ready, min 1, jp-1 out: .*\); sg 0 \(standby: priority failover, us serves\); us 0 -> 20$/);
    expect(weights(decidedOf(recovered!.events))).toEqual({ jp: 100, sg: 0, us: 0 });
  });

  it('given only a fallback: false region up after the first, then no failover target: fail open', () => {
    const onlySg = domain([region('jp', 100, [down(jp[0]!)]), region('sg', 50, sg, { fallback: false })], { failover: 'priority' });
    const d = decidedOf(decide(onlySg).events);
    expect(d.data.outcome).toBe('fail_open');
    expect(d.data.status).toContain('sg 0 (fallback: false, never a failover target)');
  });

  it('given a fallback: false region listed first, then it serves (it is not a failover target, it is the first)', () => {
    const first = domain([region('sg', 50, sg, { fallback: false }), region('jp', 100, jp)], { failover: 'priority' });
    expect(weights(decidedOf(decide(first).events))).toEqual({ sg: 50, jp: 0 });
  });

  it('given weighted mode, then fallback: false is ignored (DNS shares cannot express it): every region up serves', () => {
    const weighted = domain([region('jp', 100, [down(jp[0]!)]), region('sg', 50, sg, { fallback: false }), region('us', 20, us)]);
    expect(weights(decidedOf(decide(weighted).events))).toEqual({ jp: 0, sg: 50, us: 20 });
  });
});

describe('dead band', () => {
  const base = domain([region('jp', 100, nodes('jp', 2, 1)), region('sg', 50, nodes('sg', 1, 2))]);
  const declared = (jpWeight: number) => ({ ...base, regions: [{ ...base.regions[0]!, weight: jpWeight }, base.regions[1]!] });

  it('given a 5% weight change with dead_band 0.1, then nothing is emitted and the weights stay', () => {
    const [first, second] = history([
      [base, T0],
      [declared(95), T0 + 5000],
    ]);
    expect(second!.events).toEqual([]);
    expect(second!.state).toBe(first!.state);
  });

  it('given a 20% change, then it goes through', () => {
    const [, second] = history([
      [base, T0],
      [declared(80), T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.outcome).toBe('changed');
    expect(weights(d)).toEqual({ jp: 80, sg: 50 });
    expect(d.data.reason).toBe('api.svc.plus: jp 100 -> 80; sg 50');
  });

  it('given a health factor within the band (rtt_factor 0.95), then nothing; a slow drift goes through once it adds up to the band', () => {
    const soft = { ...WEIGHTING, rtt_factor: 0.95 };
    const slow = domain([region('jp', 100, nodes('jp', 2, 1).map((n) => ({ ...n, rtt_ms: 400 })))], { weighting: soft });
    const start = domain([region('jp', 100, nodes('jp', 2, 1))], { weighting: soft });
    const [, held] = history([
      [start, T0],
      [slow, T0 + 5000],
    ]);
    expect(held!.events).toEqual([]);
    const drift = domain([region('jp', 89, nodes('jp', 2, 1).map((n) => ({ ...n, rtt_ms: 400 })))], { weighting: soft }); // 89 x 0.95 = 85: 15%
    const [, , moved] = history([
      [start, T0],
      [slow, T0 + 5000],
      [drift, T0 + 10_000],
    ]);
    expect(weights(decidedOf(moved!.events))).toEqual({ jp: 85 });
  });

  it('given an IP set change, then it always goes through, the weights held within the band', () => {
    const replaced = withNodes(declared(95), 'jp', [node('jp-1', '10.1.0.1'), node('jp-3', '10.1.0.3')]);
    const [, second] = history([
      [base, T0],
      [replaced, T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.outcome).toBe('changed');
    expect(d.data.answer!.regions[0]).toEqual({ name: 'jp', weight: 95, ips: ['10.1.0.1', '10.1.0.3'] });
    expect(d.data.reason).toContain('jp 100 -> 95 (+10.1.0.3, -10.1.0.2, jp-2 out: no longer listed)');
  });

  it('given a region crossing between 0 and up, then it goes through whatever the band', () => {
    const tiny = domain([region('jp', 1000, nodes('jp', 1, 1)), region('sg', 1, nodes('sg', 1, 2))], { weighting: { ...WEIGHTING, dead_band: 0.99 } });
    const [, second] = history([
      [tiny, T0],
      [withNodes(tiny, 'sg', [down(nodes('sg', 1, 2)[0]!)]), T0 + 5000],
    ]);
    expect(weights(decidedOf(second!.events))).toEqual({ jp: 1000, sg: 0 });
  });

  it('given weights held and then an unrelated reason to record, then the outcome says the dead band held them', () => {
    // jp-3 has no IP: its coming up changes the serving set but not the answer.
    const base3 = domain([region('jp', 100, [...nodes('jp', 2, 1), node('jp-3', '', { ips: [], state: 'down' })])]);
    const up3 = domain([region('jp', 95, [...nodes('jp', 2, 1), node('jp-3', '', { ips: [] })])]);
    const [, second] = history([
      [base3, T0],
      [up3, T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.outcome).toBe('unchanged_weights_within_dead_band');
    expect(d.data.dns_change).toBe(false);
    expect(d.data.regions[0]!.reason).toBe('jp: 3 of 3 ready nodes: weight 100 (computed 95, within dead band 0.1)');
  });
});

describe('decisions are recorded only when the answer or the reason changes', () => {
  it('given the same input twice, then the second evaluation emits nothing and keeps the state object', () => {
    const input = domain([region('jp', 100, nodes('jp', 2, 1)), region('sg', 10, nodes('sg', 2, 2))]);
    const [first, second] = history([
      [input, T0],
      [structuredClone(input), T0 + 5000],
    ]);
    expect(first!.events.length).toBe(1);
    expect(second!.events).toEqual([]);
    expect(second!.state).toBe(first!.state);
  });

  it('given metrics that move but stay on the same side of the thresholds, then nothing is emitted', () => {
    const a = domain([region('jp', 100, [node('jp-1', '10.1.0.1', { rtt_ms: 40, error_rate: 0.001 })])]);
    const b = domain([region('jp', 100, [node('jp-1', '10.1.0.1', { rtt_ms: 90, error_rate: 0.02 })])]);
    expect(history([[a, T0], [b, T0 + 5000]])[1]!.events).toEqual([]);
  });

  it('given a TTL change, then it is recorded (the answer changed)', () => {
    const a = domain([region('jp', 100, nodes('jp', 1, 1))]);
    const d = decidedOf(history([[a, T0], [{ ...a, ttl: 60 }, T0 + 5000]])[1]!.events);
    expect(d.data).toMatchObject({ ttl: 60, dns_change: true, outcome: 'changed' });
  });
});
