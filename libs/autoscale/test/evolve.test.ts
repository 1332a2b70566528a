// The state is the fold of the decider's own events: a worker that lost its `autoscale` bucket
// rebuilds it from the DECISIONS stream and decides exactly as before.
import { describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type AutoscaleEvent, type AutoscaleState } from '../src/index.js';
import { MIN, SEC, T0, Scenario, n, nodes, type RegionSketch } from './harness.js';

type Step = [number, Record<string, RegionSketch>];

/** A day in the life of jp and sg: scale-out, pending, completion, cooldown, stabilization, drain, commit, failure. */
function story(): Step[] {
  const sg = { count: 1, nodes: nodes('sg', 1) };
  const hot = (count: number, ready = count) => ({ jp: { count, nodes: nodes('jp', ready, { cpu: 0.9 }) }, sg });
  const cold = (count: number) => ({ jp: { count, nodes: nodes('jp', count, { cpu: 0.1, ram: 0.1, qps: 10 }) }, sg });
  return [
    [T0, hot(2)],
    [T0 + 30 * SEC, hot(2)],
    [T0 + MIN, { jp: { count: 3, nodes: nodes('jp', 2, { cpu: 0.9 }), command: { status: 'pushed', at: T0 + 50 * SEC, commit: 'abc' } }, sg }],
    [T0 + 6 * MIN, { jp: { count: 3, nodes: [...nodes('jp', 2, { cpu: 0.9 }), n('jp', 2, { readyFor: MIN })] }, sg }],
    [T0 + 8 * MIN, hot(3)],
    [T0 + 11 * MIN, hot(3)],
    [T0 + 12 * MIN, { jp: { count: 4, nodes: nodes('jp', 3, { cpu: 0.9 }) }, sg }],
    [T0 + 26 * MIN, { jp: { count: 4, nodes: nodes('jp', 3, { cpu: 0.9 }) }, sg }],
    [T0 + 40 * MIN, cold(4)],
    [T0 + 45 * MIN, { jp: { count: 4, nodes: nodes('jp', 4, { cpu: 0.5 }) }, sg }],
    [T0 + 46 * MIN, cold(4)],
    [T0 + 57 * MIN, cold(4)],
    [T0 + 57 * MIN + 10 * SEC, { jp: { count: 4, nodes: [...nodes('jp', 3, { cpu: 0.1, ram: 0.1, qps: 10 }), n('jp', 3, { state: 'draining', stateSince: T0 + 57 * MIN + 5 * SEC })] }, sg }],
    [T0 + 58 * MIN + 10 * SEC, { jp: { count: 4, nodes: [...nodes('jp', 3, { cpu: 0.1, ram: 0.1, qps: 10 }), n('jp', 3, { state: 'draining', stateSince: T0 + 57 * MIN + 5 * SEC })] }, sg }],
    [T0 + 60 * MIN, { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.1, ram: 0.1, qps: 10 }), command: { status: 'pushed', at: T0 + 59 * MIN, commit: 'def' } }, sg: { count: null } }],
    [T0 + 61 * MIN, { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.1, ram: 0.1, qps: 10 }) }, sg }],
  ];
}

describe('evolve', () => {
  it('folding the emitted events from the initial state reproduces the state decide handed on', () => {
    const s = new Scenario();
    for (const [now, regions] of story()) {
      const before = s.state;
      const events = s.at(now, regions);
      expect(events.reduce(evolve, before)).toEqual(s.state);
      expect(s.rebuilt()).toEqual(s.state);
    }
    const types = new Set(s.log.map((e) => e.type));
    for (const t of ['ScaleDecided', 'ScaleHeld', 'ScaleSteady', 'DrainRequested', 'ScaleCommitRequested', 'ScaleActionProgressed', 'ScaleActionCompleted', 'ScaleActionFailed']) {
      expect(types, `the story covers ${t}`).toContain(t);
    }
  });

  it('a worker that rebuilds its state from the stream at every step decides the same events', () => {
    const carried = new Scenario();
    const rebuilt = new Scenario();
    const stream: AutoscaleEvent[] = [];
    for (const [now, regions] of story()) {
      const a = carried.at(now, regions);
      rebuilt.state = JSON.parse(JSON.stringify(stream.reduce(evolve, initialState('svc-plus')))) as AutoscaleState;
      const b = rebuilt.at(now, regions);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      stream.push(...(JSON.parse(JSON.stringify(b)) as AutoscaleEvent[]));
    }
    expect(stream.length).toBeGreaterThan(15);
  });

  it('keeps the recommendation history trimmed to the stabilization window', () => {
    const s = new Scenario();
    for (const [now, regions] of story()) s.at(now, regions);
    const history = s.state.regions.jp!.recommendations;
    const end = story().at(-1)![0];
    // At most one point before the window start (the one in force at its start).
    expect(history.filter((p) => p.at <= end - 10 * MIN).length).toBeLessThanOrEqual(1);
  });

  it('ignores an event type it does not know', () => {
    const state = initialState('svc-plus');
    const alien = { schema: 1, type: 'ScaleFromTheFuture', id: 'x', time: '', source: '', data: {} } as unknown as AutoscaleEvent;
    expect(evolve(state, alien)).toBe(state);
  });

  it('decide returns exactly the fold of its events', () => {
    const s = new Scenario();
    const input = s.input(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: 1 } });
    const out = decide(input, 'x');
    expect(out.events.reduce(evolve, input.state)).toEqual(out.state);
  });
});
