// replay --verify: a recorded decision, run through the same decider version, comes out byte for byte.
import { describe, expect, it } from 'vitest';
import { digestOf, type EventEnvelope } from '@plane/events';
import { DECIDER_VERSION, replayDecision, type AutoscaleEvent, type ScaleInput } from '../src/index.js';
import { MIN, T0, Scenario, nodes, only } from './harness.js';

/** As it comes back from the stream: JSON. */
const stored = <E extends AutoscaleEvent>(e: E): E => JSON.parse(JSON.stringify(e)) as E;

function recorded(): AutoscaleEvent[] {
  const s = new Scenario();
  s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: 1, nodes: nodes('sg', 1, { cpu: 0.1 }) } });
  s.at(T0 + 6 * MIN, { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.82 }) }, sg: { count: 1, nodes: nodes('sg', 1, { cpu: 0.1 }) } });
  return s.log.map(stored);
}

describe('replayDecision', () => {
  it('the same decider on the recorded inputs gives the same event', () => {
    const log = recorded();
    const decided = only(log, 'ScaleDecided');
    expect(replayDecision(decided)).toEqual({ same: true, verdict: 'same' });
    for (const e of log.filter((x) => 'inputs' in x.data)) expect(replayDecision(e).same, `${e.type} ${e.id}`).toBe(true);
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['ScaleHeld', 'ScaleActionCompleted']));
  });

  it('reports a different outcome with where it differs', () => {
    const decided = only(recorded(), 'ScaleDecided');
    const edited = { ...decided, data: { ...decided.data, to: 4 } };
    expect(replayDecision(edited)).toEqual({ same: false, verdict: 'different', reason: 'differs at /data/to' });
  });

  it('reports inputs that do not match their digest, and inputs that decide otherwise', () => {
    const decided = only(recorded(), 'ScaleDecided');
    const inputs: ScaleInput = { ...decided.data.inputs, regions: decided.data.inputs.regions.map((r) => ({ ...r, nodes: r.nodes.map((x) => ({ ...x, metrics: x.metrics && { ...x.metrics, cpu: 0.5 } })) })) };
    const tampered = { ...decided, data: { ...decided.data, inputs } };
    const r1 = replayDecision(tampered);
    expect(r1.verdict).toBe('different');
    expect(r1.reason).toMatch(/^the recorded inputs digest to [0-9a-f]{64}, not the recorded/);
    const consistent = { ...tampered, data: { ...tampered.data, inputs_digest: digestOf(inputs) } };
    const r2 = replayDecision(consistent);
    expect(r2.verdict).toBe('different');
    expect(r2.reason).toMatch(/^the decider no longer emits autoscale:svc-plus:jp:scale_out-2-3:/);
  });

  it('a decision of another decider version is reported as such, not as a mismatch', () => {
    const decided = only(recorded(), 'ScaleDecided');
    const old = { ...decided, data: { ...decided.data, decider_version: 'autoscale/0' } };
    const r = replayDecision(old);
    expect(r).toEqual({ same: false, verdict: 'other_version', reason: `decider version autoscale/0 recorded it; this is ${DECIDER_VERSION}: not comparable` });
    expect(r.reason?.startsWith('decider version')).toBe(true);
  });

  it('an event without recorded inputs is not a replayable decision', () => {
    const cmd = only(recorded(), 'ScaleCommitRequested');
    expect(replayDecision(cmd as EventEnvelope).verdict).toBe('not_replayable');
  });
});
