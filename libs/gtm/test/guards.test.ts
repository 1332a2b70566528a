// Safety rails (DESIGN.md section 5): mass-ejection freeze, fail static on stale inputs, suspend.
import { describe, expect, it } from 'vitest';
import { alertsOf, decide, decidedOf, domain, down, history, nodes, region, T0, weights, withNodes } from './fixtures.js';

// 10 nodes, max_ejection_percent 50: more than 5 going out within 15 s freezes the domain.
const jp = nodes('jp', 5, 1);
const sg = nodes('sg', 5, 2);
const base = domain([region('jp', 100, jp), region('sg', 50, sg)]);
const sixOut = domain([region('jp', 100, jp.map((n) => down(n))), region('sg', 50, [down(sg[0]!), ...sg.slice(1)])]);

describe('mass-ejection guard', () => {
  it('given 6 of 10 nodes out within one heartbeat_timeout, then the domain freezes at its previous answer with one alert', () => {
    const [first, frozen, again] = history([
      [base, T0],
      [sixOut, T0 + 5000],
      [sixOut, T0 + 10_000],
    ]);
    const before = decidedOf(first!.events).data.answer;
    const d = decidedOf(frozen!.events);
    expect(d.data.outcome).toBe('frozen');
    expect(d.data.answer).toEqual(before);
    expect(d.data.dns_change).toBe(false);
    expect(d.data.ejections.map((e) => e.node)).toEqual(['jp/jp-1', 'jp/jp-2', 'jp/jp-3', 'jp/jp-4', 'jp/jp-5', 'sg/sg-1']);
    expect(d.data.reason).toMatch(/^api\.svc\.plus: frozen: 6 of 10 nodes stopped serving within 15\.0s \(max 50%\): previous answer kept; would be: jp 100 -> 0 \(0 of 5 ready, min 1/);
    expect(d.data.regions[0]!.reason).toMatch(/^jp: 0 of 5 ready nodes \(min 1\): weight 100 kept \(frozen; computed 0\)/);
    const alerts = alertsOf(frozen!.events);
    expect(alerts.map((a) => a.data.kind)).toEqual(['mass_ejection']);
    expect(alerts[0]!.id).toBe(`${d.id}:mass_ejection`);
    expect(frozen!.state.frozen).toEqual({ since: T0 + 5000, reason: d.data.status });
    // Still frozen, nothing new: no event, no second alert.
    expect(again!.events).toEqual([]);
  });

  it('given 5 of 10 (not more than 50%), then no freeze: the withdrawal goes through', () => {
    const fiveOut = withNodes(base, 'jp', jp.map((n) => down(n)));
    const d = decidedOf(history([[base, T0], [fiveOut, T0 + 5000]])[1]!.events);
    expect(d.data.outcome).toBe('changed');
    expect(weights(d)).toEqual({ jp: 0, sg: 50 });
  });

  it('given the window passes with the nodes still out, then the freeze lifts and the withdrawal goes through with an alert that says so', () => {
    const steps = history([
      [base, T0],
      [sixOut, T0 + 5000],
      [sixOut, T0 + 19_999],
      [sixOut, T0 + 20_000],
      [sixOut, T0 + 25_000],
    ]);
    expect(steps[2]!.events).toEqual([]);
    const lifted = steps[3]!;
    const d = decidedOf(lifted.events);
    expect(d.data.outcome).toBe('changed');
    expect(weights(d)).toEqual({ jp: 0, sg: 50 });
    expect(d.data.answer!.regions[1]!.ips).toEqual(['10.2.0.2', '10.2.0.3', '10.2.0.4', '10.2.0.5']);
    expect(d.data.reason).toMatch(/^api\.svc\.plus: freeze lifted \(0 of 10 nodes stopped serving within 15\.0s \(max 50%\)\): jp 100 -> 0/);
    const alerts = alertsOf(lifted.events);
    expect(alerts.map((a) => a.data.kind)).toEqual(['mass_ejection']);
    expect(alerts[0]!.data.message).toContain('lifted after the window');
    expect(alerts[0]!.data.message).toContain('the withdrawal goes through');
    expect(lifted.state.frozen).toBeNull();
    expect(lifted.state.ejections).toEqual([]);
    expect(steps[4]!.events).toEqual([]);
  });

  it('given the nodes come back while frozen, then the freeze lifts at once, without a withdrawal alert', () => {
    const steps = history([
      [base, T0],
      [sixOut, T0 + 5000],
      [base, T0 + 8000],
    ]);
    const d = decidedOf(steps[2]!.events);
    expect(d.data.reason).toBe('api.svc.plus: freeze lifted (0 of 10 nodes stopped serving within 15.0s (max 50%)): jp 100; sg 50');
    expect(d.data.dns_change).toBe(false);
    expect(alertsOf(steps[2]!.events)).toEqual([]);
    expect(steps[2]!.state.frozen).toBeNull();
  });

  it('given more nodes going out while frozen, then each is recorded (its own window) but no second alert', () => {
    const sevenOut = withNodes(sixOut, 'sg', [down(sg[0]!), down(sg[1]!), ...sg.slice(2)]);
    const steps = history([
      [base, T0],
      [sixOut, T0 + 5000],
      [sevenOut, T0 + 12_000],
      [sevenOut, T0 + 20_000], // the first six aged out: 1 of 10 within the window
    ]);
    const more = decidedOf(steps[2]!.events);
    expect(more.data.outcome).toBe('frozen');
    expect(more.data.ejections.at(-1)).toEqual({ node: 'sg/sg-2', at: T0 + 12_000 });
    expect(alertsOf(steps[2]!.events)).toEqual([]);
    const lifted = decidedOf(steps[3]!.events);
    expect(lifted.data.outcome).toBe('changed');
    expect(lifted.data.ejections).toEqual([{ node: 'sg/sg-2', at: T0 + 12_000 }]);
  });

  it('given nodes vanishing from the inputs (a broken projection), then they count; a region taken out of the declaration does not', () => {
    const vanished = withNodes(withNodes(base, 'jp', []), 'sg', sg.slice(1));
    const frozen = decidedOf(history([[base, T0], [vanished, T0 + 5000]])[1]!.events);
    expect(frozen.data.outcome).toBe('frozen');
    expect(frozen.data.reason).toMatch(/^api\.svc\.plus: frozen: 6 of 10 nodes stopped serving/);
    const regionRemoved = domain([region('sg', 50, sg)]);
    const d = decidedOf(history([[base, T0], [regionRemoved, T0 + 5000]])[1]!.events);
    expect(d.data.outcome).toBe('changed');
    expect(d.data.ejections).toEqual([]);
    expect(d.data.answer!.regions.map((r) => r.name)).toEqual(['sg']);
  });

  it('given max_ejection_percent 100, then the guard never freezes', () => {
    const all = (input: typeof base) => ({ ...input, max_ejection_percent: 100 });
    const d = decidedOf(history([[all(base), T0], [all(withNodes(sixOut, 'sg', [])), T0 + 5000]])[1]!.events);
    expect(d.data.outcome).toBe('fail_open');
  });

  it('given draining nodes (a scale-in), then they are not counted as ejections', () => {
    const drained = domain([
      region('jp', 100, jp.map((n) => ({ ...n, state: 'draining' as const, state_reason: 'draining: scale-in' }))),
      region('sg', 50, [{ ...sg[0]!, state: 'draining' as const, state_reason: 'draining: scale-in' }, ...sg.slice(1)]),
    ]);
    const d = decidedOf(history([[base, T0], [drained, T0 + 5000]])[1]!.events);
    expect(d.data.outcome).toBe('changed');
    expect(d.data.ejections).toEqual([]);
  });
});

describe('fail static: stale inputs', () => {
  it('given inputs_fresh false, then nothing changes; one stale_inputs alert when it starts, not every tick', () => {
    const stale = (input: typeof base) => ({ ...input, inputs_fresh: false, stale_reason: 'nodes projection 42 s behind the stream' });
    const steps = history([
      [base, T0],
      [stale(sixOut), T0 + 5000],
      [stale(withNodes(base, 'jp', [])), T0 + 10_000],
    ]);
    const d = decidedOf(steps[1]!.events);
    expect(d.data.outcome).toBe('stale');
    expect(d.data.answer).toEqual(steps[0]!.state.answer);
    expect(d.data.dns_change).toBe(false);
    expect(d.data.reason).toBe('api.svc.plus: stale inputs (nodes projection 42 s behind the stream): nothing changes (fail static)');
    expect(alertsOf(steps[1]!.events).map((a) => a.data.kind)).toEqual(['stale_inputs']);
    expect(steps[1]!.state).toEqual({ ...steps[0]!.state, last_reason: d.data.status, last_outcome: 'stale', decisions: 2 });
    expect(steps[2]!.events).toEqual([]);
  });

  it('given fresh inputs again, then deciding resumes from the state before the stale period', () => {
    const steps = history([
      [base, T0],
      [{ ...base, inputs_fresh: false, stale_reason: 'lost NATS' }, T0 + 5000],
      [base, T0 + 10_000],
    ]);
    const d = decidedOf(steps[2]!.events);
    expect(d.data).toMatchObject({ outcome: 'changed', dns_change: false, reason: 'api.svc.plus: jp 100; sg 50' });
    expect(alertsOf(steps[2]!.events)).toEqual([]);
  });
});

describe('suspend', () => {
  it('given suspended, then no decision at all: one GtmDecided "suspended" when it starts, state otherwise unchanged', () => {
    const suspended = (input: typeof base) => ({ ...input, suspended: true, suspend_reason: 'declared suspend: true' });
    const steps = history([
      [base, T0],
      [suspended(sixOut), T0 + 5000],
      [suspended(withNodes(base, 'sg', [])), T0 + 10_000],
    ]);
    const d = decidedOf(steps[1]!.events);
    expect(d.data.outcome).toBe('suspended');
    expect(d.data.reason).toBe('api.svc.plus: suspended (declared suspend: true): nothing decided, DNS left as it is');
    expect(d.data.answer).toEqual(steps[0]!.state.answer);
    expect(alertsOf(steps[1]!.events)).toEqual([]);
    const { last_reason, last_outcome, decisions, ...rest } = steps[1]!.state;
    const { last_reason: _r, last_outcome: _o, decisions: _d, ...restBefore } = steps[0]!.state;
    expect(rest).toEqual(restBefore);
    expect({ last_reason, last_outcome, decisions }).toEqual({ last_reason: d.data.status, last_outcome: 'suspended', decisions: 2 });
    expect(steps[2]!.events).toEqual([]);
  });

  it('given suspended before any decision, then the answer is null: DNS is left alone', () => {
    const d = decidedOf(decide({ ...base, suspended: true, suspend_reason: 'planectl suspend by ops' }).events);
    expect(d.data).toMatchObject({ outcome: 'suspended', answer: null, dns_change: false });
  });
});
