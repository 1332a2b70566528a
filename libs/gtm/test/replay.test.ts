// The Decider's contract: deterministic decide, evolve rebuilds the state, replay verifies.
import { describe, expect, it } from 'vitest';
import { digestOf, type EventEnvelope } from '@plane/events';
import { DECIDER_VERSION, evolveDomain, initialDomainState, replayDecision, type GtmDecided, type GtmEvent } from '../src/index.js';
import { decide, decidedOf, domain, down, history, node, nodes, region, SOURCE, T0, withNodes } from './fixtures.js';

const jp = nodes('jp', 5, 1);
const sg = nodes('sg', 5, 2);
const base = domain([region('jp', 100, jp), region('sg', 50, sg)]);
const sixOut = domain([region('jp', 100, jp.map((n) => down(n))), region('sg', 50, [down(sg[0]!), ...sg.slice(1)])]);

/** A history touching every outcome and alert. */
function scenario() {
  return history([
    [base, T0],
    [withNodes(base, 'jp', jp.map((n) => ({ ...n, rtt_ms: 400 }))), T0 + 5000], // rtt 400 > 300: x0.7
    [base, T0 + 10_000],
    [sixOut, T0 + 15_000], // frozen
    [sixOut, T0 + 30_000], // lifted, withdrawal goes through
    [{ ...sixOut, inputs_fresh: false, stale_reason: 'lost NATS' }, T0 + 35_000],
    [{ ...base, suspended: true, suspend_reason: 'ops' }, T0 + 40_000],
    [base, T0 + 45_000],
    [domain([region('jp', 100, []), region('sg', 50, [])], { max_ejection_percent: 100 }), T0 + 50_000], // fail open
    [withNodes(base, 'jp', [node('jp-9', '10.1.0.9')]), T0 + 55_000],
  ]);
}

describe('determinism', () => {
  it('given the same arguments, then byte-identical events and state', () => {
    const a = scenario();
    const b = scenario();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const outcomes = a.flatMap((d) => d.events).map((e) => (e.type === 'GtmDecided' ? e.data.outcome : `alert:${e.data.kind}`));
    expect(outcomes).toEqual([
      'changed',
      'changed',
      'changed',
      'frozen',
      'alert:mass_ejection',
      'changed',
      'alert:mass_ejection',
      'stale',
      'alert:stale_inputs',
      'suspended',
      'changed',
      'fail_open',
      'alert:all_withdrawn',
      'changed',
    ]);
  });

  it('records what replay needs: full inputs, their digest, the state decided from, clock, commit, version; the time is the clock', () => {
    const [first, second] = history([
      [base, T0],
      [withNodes(base, 'jp', jp.slice(1)), T0 + 5000],
    ]);
    const d = decidedOf(second!.events);
    expect(d.data.inputs).toEqual(withNodes(base, 'jp', jp.slice(1)));
    expect(d.data.inputs_digest).toBe(digestOf(d.data.inputs));
    expect((JSON.parse(JSON.stringify(d)) as GtmDecided).data.inputs_digest).toBe(digestOf(d.data.inputs));
    expect(d.data.state_before).toBe(first!.state);
    expect(d.data).toMatchObject({ clock: T0 + 5000, policy_commit: 'c0ffee0', decider_version: DECIDER_VERSION, service: 'svc-plus', provider: 'route53', zone: 'svc.plus', ttl: 30 });
    expect(d.time).toBe('2025-01-01T00:00:05.000Z');
    expect(d.source).toBe(SOURCE);
    expect(d.id).toMatch(/^gtm:api\.svc\.plus:2:[0-9a-f]{24}$/);
  });

  it('gives two replicas deciding the same inputs from the same state a few ms apart the same id', () => {
    const state = decide(base).state;
    const change = withNodes(base, 'jp', jp.slice(1));
    const a = decidedOf(decide(change, state, T0 + 5000).events);
    const b = decidedOf(decide(change, state, T0 + 5003).events);
    expect(a.id).toBe(b.id);
    // ...while the same inputs from another state (another place in the history) never repeat an id.
    const ids = scenario().flatMap((d) => d.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('evolve', () => {
  it('given the events of a history, then folding them rebuilds exactly the state decide returned, after each step', () => {
    let state = initialDomainState();
    for (const step of scenario()) {
      for (const e of step.events) state = evolveDomain(state, e);
      expect(state).toEqual(step.state);
    }
  });

  it('rebuilds the same state from the events as stored (JSON round trip)', () => {
    const steps = scenario();
    const stored = steps.flatMap((d) => d.events).map((e) => JSON.parse(JSON.stringify(e)) as GtmEvent);
    const rebuilt = stored.reduce(evolveDomain, initialDomainState());
    expect(rebuilt).toEqual(steps.at(-1)!.state);
    expect(rebuilt.decisions).toBe(10);
  });

  it('and a decider restarted on the rebuilt state carries on without re-emitting', () => {
    const steps = scenario();
    const rebuilt = steps
      .flatMap((d) => d.events)
      .map((e) => JSON.parse(JSON.stringify(e)) as GtmEvent)
      .reduce(evolveDomain, initialDomainState());
    expect(decide(withNodes(base, 'jp', [node('jp-9', '10.1.0.9')]), rebuilt, T0 + 60_000).events).toEqual([]);
  });
});

describe('replayDecision', () => {
  const decisions = scenario()
    .flatMap((d) => d.events)
    .filter((e): e is GtmDecided => e.type === 'GtmDecided');

  it('given recorded decisions (every outcome), then each replays the same, byte for byte, also after a JSON round trip', () => {
    for (const d of decisions) {
      expect(replayDecision(d)).toEqual({ same: true, verdict: 'same' });
      expect(replayDecision(JSON.parse(JSON.stringify(d)) as EventEnvelope)).toEqual({ same: true, verdict: 'same' });
    }
  });

  it('given tampered inputs, then a mismatch that says where', () => {
    const d = structuredClone(decisions[1]!);
    for (const n of d.data.inputs.regions[0]!.nodes) n.error_rate = 0.2;
    const r = replayDecision(d);
    expect(r.same).toBe(false);
    expect(r.verdict).toBe('mismatch');
    expect(r.reason).toMatch(/^data\.answer\.regions\[0\]\.weight: recorded 70, replayed 35$/);
  });

  it('given inputs tampered back to what was already decided, then the replay records nothing, a mismatch too', () => {
    const d = structuredClone(decisions[1]!);
    for (const n of d.data.inputs.regions[0]!.nodes) n.rtt_ms = 50;
    expect(replayDecision(d)).toMatchObject({ same: false, verdict: 'mismatch', reason: expect.stringContaining('records nothing') });
  });

  it('given a tampered reason or weight, then a mismatch', () => {
    const d = structuredClone(decisions[0]!);
    d.data.reason = 'api.svc.plus: all fine, trust me';
    expect(replayDecision(d)).toMatchObject({ same: false, verdict: 'mismatch', reason: expect.stringMatching(/^data\.reason: recorded/) });
    const w = structuredClone(decisions[0]!);
    w.data.regions[1]!.weight = 500;
    expect(replayDecision(w)).toMatchObject({ same: false, verdict: 'mismatch', reason: 'data.regions[1].weight: recorded 500, replayed 50' });
  });

  it('given a decision of another decider version, then it is reported as such, not as a mismatch', () => {
    const d = structuredClone(decisions[0]!);
    d.data.decider_version = 'gtm-decider/0';
    expect(replayDecision(d)).toEqual({ same: false, verdict: 'other_version', reason: `decided by gtm-decider/0; this is ${DECIDER_VERSION}: not comparable, not replayed` });
  });

  it('given an alert, then it is not a decision', () => {
    const alert = scenario()
      .flatMap((d) => d.events)
      .find((e) => e.type === 'GtmAlert')!;
    expect(replayDecision(alert)).toMatchObject({ same: false, verdict: 'not_a_decision' });
  });
});
