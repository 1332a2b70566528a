// The scaling decider as specifications: given this state (the events so far), when decide runs
// at this clock on these observations, then these events.
import { describe, expect, it } from 'vitest';
import { buildServiceInput, decide, DECIDER_VERSION, type NodeHealthView, type ScaleInput } from '../src/index.js';
import { MIN, SEC, T0, Scenario, n, nodes, only, ofType, policy, region, summary } from './harness.js';

describe('the closed-loop seed scenario', () => {
  it('jp cpu 0.82 > 0.7 with node_count 2 -> ScaleDecided 2 -> 3 and the git-commit command', () => {
    const s = new Scenario();
    const events = s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    expect(summary(events)).toEqual(['ScaleDecided jp', 'ScaleCommitRequested jp']);
    const d = only(events, 'ScaleDecided').data;
    expect(d).toMatchObject({ service: 'svc-plus', region: 'jp', kind: 'scale_out', from: 2, to: 3, causes: ['signal_over'], origin: null, clock: T0, policy_commit: 'c0ffee1', decider_version: DECIDER_VERSION });
    expect(d.reason).toBe('jp scale_out 2 -> 3 (cpu=0.82 > 0.7)');
    expect(d.message).toBe('autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)');
    expect(d.metrics).toMatchObject({ nodes_reporting: 2, nodes_ready: 2, cpu: 0.82 });
    expect(d.signals.map((x) => x.signal)).toEqual(['cpu', 'ram', 'qps']);
    expect(d.inputs).toBe(s.lastInput);
    expect(d.inputs_digest).toMatch(/^[0-9a-f]{64}$/);
    const cmd = only(events, 'ScaleCommitRequested').data;
    expect(cmd).toMatchObject({ decision_id: d.decision_id, node_pool: 'infra/node-pool/jp.tfvars', from: 2, to: 3, message: d.message, git: { mode: 'push', branch: 'main', repository: null, auto_merge: false } });
    expect(only(events, 'ScaleCommitRequested').id).toBe(`${d.decision_id}:commit`);
    expect(s.state.regions.jp?.pending).toMatchObject({ id: d.decision_id, kind: 'scale_out', from: 2, to: 3, phase: 'committing', deadline: T0 + 15 * MIN });
  });

  it('builds the same decision from the nodes bucket values and the tfvars counts', () => {
    // The fields of a `nodes` bucket value the decider reads (a whole NodeHealth fits).
    const health = (id: string, reg: string, cpu: number): NodeHealthView => ({
      service: 'svc-plus',
      region: reg,
      node_id: id,
      state: 'ready',
      state_since: T0 - 3600_000,
      ready_since: T0 - 3600_000,
      last_heartbeat_at: T0 - 2000,
      metrics: { cpu, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0, samples: 12 },
      deregistered: false,
    });
    const input = buildServiceInput({
      spec: policy(),
      policy_commit: 'c0ffee1',
      now: T0,
      node_counts: { jp: 2, sg: { error: 'infra/node-pool/sg.tfvars: no such file' } },
      nodes: [health('jp-1', 'jp', 0.84), health('jp-0', 'jp', 0.8), health('other-0', 'kr', 0.99), { ...health('x-0', 'jp', 0.99), service: 'other' }],
      dns_ttl_ms: 30_000,
    });
    expect(input.regions.map((r) => [r.region, r.node_count, r.nodes.map((x) => x.node_id)])).toEqual([
      ['jp', 2, ['jp-0', 'jp-1']],
      ['sg', null, []],
    ]);
    const { events } = decide(input, 'autoscaler');
    expect(only(events, 'ScaleDecided').data.message).toBe('autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)');
    // sg's tfvars is missing: not acted on, and it says why.
    expect(only(events, 'ScaleHeld', 'sg').data).toMatchObject({ code: 'node_count_unknown', reason: 'sg held: node_count unknown (infra/node-pool/sg.tfvars: no such file); not acted on' });
  });
});

describe('bounds and dead-band', () => {
  it('raises a region below min_nodes even without metrics', () => {
    const s = new Scenario();
    const events = s.at(T0, { jp: { count: 0 }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const d = only(events, 'ScaleDecided', 'jp').data;
    expect([d.from, d.to, d.reason, d.message]).toEqual([0, 1, 'jp scale_out 0 -> 1 (below min_nodes 1)', 'autoscale: svc-plus jp scale_out 0 -> 1 (min_nodes=1)']);
  });

  it('clamps a scale-out step to max_nodes', () => {
    const s = new Scenario(policy({}, [region('jp', { scale_up_step: 3, max_nodes: 5 })]));
    const d = only(s.at(T0, { jp: { count: 4, nodes: nodes('jp', 4, { cpu: 0.9 }) } }), 'ScaleDecided').data;
    expect([d.from, d.to]).toEqual([4, 5]);
  });

  it('brings a region above max_nodes down to it, draining the highest indices', () => {
    const s = new Scenario(policy({}, [region('jp', { max_nodes: 5 })]));
    const events = s.at(T0, { jp: { count: 7, nodes: nodes('jp', 7, { cpu: 0.5 }) } });
    const d = only(events, 'ScaleDecided').data;
    expect([d.kind, d.from, d.to, d.reason]).toEqual(['scale_in', 7, 5, 'jp scale_in 7 -> 5 (above max_nodes 5)']);
    expect(only(events, 'DrainRequested').data.node_ids).toEqual(['jp-5', 'jp-6']);
  });

  it('dead-band: signals between their bounds change nothing and emit nothing', () => {
    const s = new Scenario();
    const events = s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.5, ram: 0.6, qps: 400 }) }, sg: { count: 1, nodes: nodes('sg', 1, { cpu: 0.69 }) } });
    expect(events).toEqual([]);
  });

  it('does not scale in below min_nodes (cold at the minimum is steady)', () => {
    const s = new Scenario();
    expect(s.at(T0, { jp: { count: 1, nodes: nodes('jp', 1, { cpu: 0.1, ram: 0.1, qps: 10 }) }, sg: { count: 1, nodes: nodes('sg', 1, { cpu: 0.1 }) } })).toEqual([]);
  });

  it('scale out when ANY signal is over; scale in only when ALL declared down bounds are under', () => {
    const s = new Scenario();
    const out = only(s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.2, ram: 0.3, qps: 900 }) }, sg: { count: 1, nodes: nodes('sg', 1) } }), 'ScaleDecided').data;
    expect(out.reason).toBe('jp scale_out 2 -> 3 (qps=900 > 800)');
    const s2 = new Scenario();
    // cpu and ram under, qps not: no scale-in wanted, nothing recorded.
    expect(s2.at(T0, { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.2, ram: 0.3, qps: 300 }) }, sg: { count: 1, nodes: nodes('sg', 1) } })).toEqual([]);
  });
});

describe('cooldown', () => {
  it('holds with the time it ends, then allows the next action', () => {
    const s = new Scenario();
    const hot = (count: number) => ({ jp: { count, nodes: nodes('jp', count, { cpu: 0.9 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    s.at(T0, hot(2));
    // 3 ready nodes (the new one still warming, so still hot): the action completes, the cooldown starts.
    const done = s.at(T0 + 4 * MIN, { ...hot(3), jp: { count: 3, nodes: [...nodes('jp', 2, { cpu: 0.9 }), n('jp', 2, { readyFor: 30 * SEC, cpu: 0.1 })] } });
    expect(summary(done)).toEqual(['ScaleActionCompleted jp', 'ScaleHeld jp']);
    expect(only(done, 'ScaleActionCompleted').data.cooldown_until).toBe(T0 + 9 * MIN);
    const held = only(done, 'ScaleHeld').data;
    expect(held).toMatchObject({ code: 'cooldown', wish: 'scale_out', until: T0 + 9 * MIN });
    expect(held.reason).toBe('jp scale-out held: cooldown until 12:09:00Z');
    // Same reason: nothing new.
    expect(s.at(T0 + 6 * MIN, hot(3))).toEqual([]);
    // The cooldown is over.
    const next = only(s.at(T0 + 9 * MIN, hot(3)), 'ScaleDecided').data;
    expect([next.from, next.to]).toEqual([3, 4]);
  });
});

describe('scale-down stabilization', () => {
  const cold = (count: number, cpu = 0.1) => ({ jp: { count, nodes: nodes('jp', count, { cpu, ram: 0.2, qps: 50 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
  const calm = (count: number) => ({ jp: { count, nodes: nodes('jp', count, { cpu: 0.5, ram: 0.5, qps: 500 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });

  it('a dip shorter than the window does not scale in', () => {
    const s = new Scenario();
    const first = only(s.at(T0, cold(3)), 'ScaleHeld').data;
    expect(first.code).toBe('stabilization');
    expect(first.reason).toBe('jp scale-in held: stabilization: highest recommendation in the last 10m is 3 (cpu=0.1 < 0.3, ram=0.2 < 0.4, qps=50 < 200; no scale-in before 12:10:00Z if it stays so)');
    expect(s.at(T0 + 4 * MIN, cold(3))).toEqual([]);
    // Load is back before the window passed: steady, recorded because the recommendation moved.
    expect(summary(s.at(T0 + 6 * MIN, calm(3)))).toEqual(['ScaleSteady jp']);
    // Cold again: the calm recommendation (3) is in the window, so still held.
    expect(only(s.at(T0 + 12 * MIN, cold(3)), 'ScaleHeld').data.code).toBe('stabilization');
    expect(ofType(s.at(T0 + 20 * MIN, cold(3)), 'ScaleDecided')).toEqual([]);
    // Ten minutes after the last calm recommendation ended it acts.
    expect(only(s.at(T0 + 22 * MIN, cold(3)), 'ScaleDecided').data).toMatchObject({ kind: 'scale_in', from: 3, to: 2 });
  });

  it('a sustained dip scales in to the highest recommendation seen in the window', () => {
    const s = new Scenario(policy({}, [region('jp', { scale_down_step: 1, min_nodes: 1, max_nodes: 6 })]));
    const only_jp = (count: number) => ({ jp: { count, nodes: nodes('jp', count, { cpu: 0.1 }) } });
    expect(only(s.at(T0, only_jp(4)), 'ScaleHeld').data.recommendation).toBe(3);
    // The policy now allows two at a time: the recommendation drops to 2, but 3 is still in the window.
    s.spec = policy({}, [region('jp', { scale_down_step: 2, min_nodes: 1, max_nodes: 6 })]);
    const held = only(s.at(T0 + 5 * MIN, only_jp(4)), 'ScaleHeld').data;
    expect([held.recommendation, held.code]).toEqual([2, 'stabilization']);
    const d = only(s.at(T0 + 10 * MIN, only_jp(4)), 'ScaleDecided').data;
    expect([d.from, d.to]).toEqual([4, 3]);
    expect(d.reason).toBe('jp scale_in 4 -> 3 (cpu=0.1 < 0.3; stabilization: highest recommendation in the last 10m is 3)');
    expect(d.message).toBe('autoscale: svc-plus jp scale_in 4 -> 3 (cpu=0.1)');
  });
});

describe('missing metrics', () => {
  it('never scales in a region without fresh metrics, and says so once', () => {
    const s = new Scenario();
    const regions = { jp: { count: 3, nodes: nodes('jp', 3, { metrics: false as const }) }, sg: { count: 1, nodes: nodes('sg', 1) } };
    const held = only(s.at(T0, regions), 'ScaleHeld').data;
    expect(held.code).toBe('no_fresh_metrics');
    expect(held.reason).toBe('jp scale-in held: no fresh metrics (3 ready, 0 within warmup 2m, none reporting fresh metrics)');
    expect(s.at(T0 + 20 * MIN, regions)).toEqual([]);
  });

  it('counts a new node only after warmup, and a silent node not at all', () => {
    const s = new Scenario();
    const events = s.at(T0, {
      jp: { count: 3, nodes: [n('jp', 0, { cpu: 0.5 }), n('jp', 1, { cpu: 0.95, readyFor: 60 * SEC }), n('jp', 2, { cpu: 0.99, silentFor: 20 * SEC })] },
      sg: { count: 1, nodes: nodes('sg', 1) },
    });
    expect(events).toEqual([]); // only jp-0 counts: cpu 0.5, within bounds
  });

  it('a region whose nodes are all warming is not scaled in even when they report idle', () => {
    const s = new Scenario();
    const events = s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.01, readyFor: 30 * SEC }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    expect(only(events, 'ScaleHeld').data).toMatchObject({ code: 'no_fresh_metrics', reason: 'jp scale-in held: no fresh metrics (2 ready, 2 within warmup 2m, none reporting fresh metrics)' });
  });
});

describe('pending guard and provision timeout', () => {
  const hot = (count: number, ready = count) => ({ jp: { count, nodes: nodes('jp', ready, { cpu: 0.9 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });

  it('takes no new action while pending, follows the executor, completes on ready nodes', () => {
    const s = new Scenario();
    const id = only(s.at(T0, hot(2)), 'ScaleDecided').data.decision_id;
    expect(s.at(T0 + 30 * SEC, hot(2))).toEqual([]);
    const pushed = s.at(T0 + MIN, { ...hot(3, 2), jp: { ...hot(3, 2).jp, command: { status: 'pushed', at: T0 + 50 * SEC, commit: 'abc123' } } });
    // The tfvars now says 3: the recommendation moved to 4, held by the pending action.
    expect(summary(pushed)).toEqual(['ScaleActionProgressed jp', 'ScaleHeld jp']);
    expect(only(pushed, 'ScaleActionProgressed').data).toMatchObject({ decision_id: id, phase: 'merged', commit: 'abc123' });
    expect(only(pushed, 'ScaleHeld').data.reason).toBe('jp scale-out held: pending scale_out 2 -> 3 since 12:00:00Z (merged; fails at 12:15:00Z)');
    expect(s.state.regions.jp?.pending).toMatchObject({ phase: 'merged', commit: 'abc123' });
    const done = s.at(T0 + 8 * MIN, { jp: { count: 3, nodes: [...nodes('jp', 2, { cpu: 0.5 }), n('jp', 2, { readyFor: MIN })] }, sg: { count: 1, nodes: nodes('sg', 1) } });
    expect(only(done, 'ScaleActionCompleted').data.reason).toBe('jp scale_out 2 -> 3 completed: 3 nodes ready after 8m; cooldown until 12:13:00Z');
    expect(s.state.regions.jp?.pending).toBeNull();
  });

  it('marks the action failed after provision_timeout and backs off, longer after each failure', () => {
    const s = new Scenario();
    s.at(T0, hot(2));
    expect(s.at(T0 + 14 * MIN, hot(3, 2)).map((e) => e.type)).toEqual(['ScaleHeld']); // pending (rec moved to 4)
    const failed = s.at(T0 + 15 * MIN, hot(3, 2));
    const f = only(failed, 'ScaleActionFailed').data;
    expect(f).toMatchObject({ cause: 'provision_timeout', failures: 1, backoff_until: T0 + 20 * MIN, undrain_node_ids: [] });
    expect(f.reason).toBe('jp scale_out 2 -> 3 failed: 2 of 3 nodes ready after provision_timeout 15m (phase committing); backoff until 12:20:00Z (1 failure in a row)');
    expect(only(failed, 'ScaleHeld').data).toMatchObject({ code: 'backoff', until: T0 + 20 * MIN });
    expect(only(failed, 'ScaleHeld').data.reason).toMatch(/^jp scale-out held: backoff until 12:20:00Z after 1 failed action \(last: jp scale_out 2 -> 3 failed/);
    expect(s.at(T0 + 19 * MIN, hot(3, 2))).toEqual([]);
    // Retry after the backoff; it fails again: the backoff doubles.
    expect(only(s.at(T0 + 20 * MIN, hot(3, 2)), 'ScaleDecided').data).toMatchObject({ from: 3, to: 4 });
    const again = only(s.at(T0 + 35 * MIN, hot(4, 2)), 'ScaleActionFailed').data;
    expect([again.failures, again.backoff_until]).toEqual([2, T0 + 45 * MIN]);
  });

  it('fails at once when the executor reports a failed commit', () => {
    const s = new Scenario();
    s.at(T0, hot(2));
    const events = s.at(T0 + MIN, { ...hot(2), jp: { ...hot(2).jp, command: { status: 'failed', at: T0 + 50 * SEC, reason: 'push rejected 3 times (non-fast-forward)' } } });
    expect(only(events, 'ScaleActionFailed').data).toMatchObject({ cause: 'command_failed', backoff_until: T0 + 6 * MIN });
  });

  it('waits for a pull request to be merged', () => {
    const s = new Scenario(policy({ git: { mode: 'pull_request', repository: 'acme/platform', auto_merge: true } }));
    const cmd = only(s.at(T0, hot(2)), 'ScaleCommitRequested').data;
    expect(cmd.git).toEqual({ mode: 'pull_request', branch: null, repository: 'acme/platform', auto_merge: true });
    const opened = s.at(T0 + MIN, { ...hot(2), jp: { ...hot(2).jp, command: { status: 'pull_request_opened', at: T0 + 30 * SEC, commit: 'pr#42' } } });
    expect(only(opened, 'ScaleActionProgressed').data.phase).toBe('committed');
    const merged = s.at(T0 + 3 * MIN, { ...hot(3, 2), jp: { ...hot(3, 2).jp, command: { status: 'merged', at: T0 + 2 * MIN, commit: 'def456' } } });
    expect(only(merged, 'ScaleActionProgressed').data.phase).toBe('merged');
  });
});

describe('scale-in drains first', () => {
  const TTL = 30 * SEC;
  const coldJp = (count: number, extra: Parameters<typeof n>[2] = {}) => nodes('jp', count, { cpu: 0.2, ram: 0.3, qps: 100, ...extra });
  const sg = { count: 1, nodes: nodes('sg', 1) };

  function decidedScaleIn(s: Scenario): string {
    s.at(T0, { jp: { count: 3, nodes: coldJp(3) }, sg });
    const events = s.at(T0 + 10 * MIN, { jp: { count: 3, nodes: coldJp(3) }, sg });
    expect(summary(events)).toEqual(['ScaleDecided jp', 'DrainRequested jp']);
    const d = only(events, 'ScaleDecided').data;
    expect([d.kind, d.from, d.to, d.phase, d.drain_node_ids]).toEqual(['scale_in', 3, 2, 'draining', ['jp-2']]);
    expect(d.message).toBe('autoscale: svc-plus jp scale_in 3 -> 2 (cpu=0.2, ram=0.3, qps=100)');
    const drain = only(events, 'DrainRequested').data;
    expect(drain).toMatchObject({ decision_id: d.decision_id, node_ids: ['jp-2'], out_for_ms: 60 * SEC });
    expect(drain.reason).toBe('jp scale_in 3 -> 2: drain jp-2; commit after 1m out of DNS (ttl 30s + drain 30s)');
    return d.decision_id;
  }

  it('emits no command until the nodes have been out of DNS for ttl + drain, then the command, then completes', () => {
    const s = new Scenario(policy(), TTL);
    const id = decidedScaleIn(s);
    const t1 = T0 + 10 * MIN;
    // The node is still serving: nothing.
    expect(s.at(t1 + 20 * SEC, { jp: { count: 3, nodes: coldJp(3) }, sg })).toEqual([]);
    // Draining since t1 + 30s: not yet ttl + drain.
    const draining = [...coldJp(2), n('jp', 2, { state: 'draining', stateSince: t1 + 30 * SEC })];
    expect(ofType(s.at(t1 + 60 * SEC, { jp: { count: 3, nodes: draining }, sg }), 'ScaleCommitRequested')).toEqual([]);
    const commit = s.at(t1 + 90 * SEC, { jp: { count: 3, nodes: draining }, sg });
    expect(summary(commit)).toEqual(['ScaleActionProgressed jp', 'ScaleCommitRequested jp']);
    expect(only(commit, 'ScaleCommitRequested').data).toMatchObject({ decision_id: id, from: 3, to: 2, message: 'autoscale: svc-plus jp scale_in 3 -> 2 (cpu=0.2, ram=0.3, qps=100)' });
    expect(only(commit, 'ScaleCommitRequested').id).toBe(`${id}:commit`);
    expect(s.state.regions.jp?.pending).toMatchObject({ phase: 'committing', deadline: t1 + 90 * SEC + 15 * MIN });
    // Merged, tfvars says 2, but jp-2 still heartbeats: pending.
    const merged = s.at(t1 + 3 * MIN, { jp: { count: 2, nodes: draining, command: { status: 'pushed', at: t1 + 2 * MIN, commit: 'aaa' } }, sg });
    expect(ofType(merged, 'ScaleActionCompleted')).toEqual([]);
    // jp-2 is gone: completed.
    const done = s.at(t1 + 6 * MIN, { jp: { count: 2, nodes: coldJp(2) }, sg });
    expect(only(done, 'ScaleActionCompleted').data.reason).toBe('jp scale_in 3 -> 2 completed: node_count 2, jp-2 gone after 6m; cooldown until 12:21:00Z');
  });

  it('a region that gets hot while draining cancels the scale-in and puts the nodes back', () => {
    const s = new Scenario(policy(), TTL);
    s.at(T0, { jp: { count: 3, nodes: coldJp(3) }, sg });
    s.at(T0 + 10 * MIN, { jp: { count: 3, nodes: coldJp(3) }, sg });
    const hot = [...nodes('jp', 2, { cpu: 0.9 }), n('jp', 2, { state: 'draining', stateSince: T0 + 10 * MIN })];
    const events = s.at(T0 + 10 * MIN + 20 * SEC, { jp: { count: 3, nodes: hot }, sg });
    expect(only(events, 'ScaleActionCancelled').data).toMatchObject({ undrain_node_ids: ['jp-2'], cooldown_until: T0 + 15 * MIN + 20 * SEC });
    expect(ofType(events, 'ScaleCommitRequested')).toEqual([]);
  });

  it('a drain that never takes effect fails after provision_timeout and undrains', () => {
    const s = new Scenario(policy(), TTL);
    decidedScaleIn(s);
    const f = only(s.at(T0 + 25 * MIN, { jp: { count: 3, nodes: coldJp(3) }, sg }), 'ScaleActionFailed').data;
    expect(f).toMatchObject({ cause: 'drain_timeout', undrain_node_ids: ['jp-2'] });
    expect(f.reason).toMatch(/^jp scale_in 3 -> 2 failed: jp-2 still in DNS after 15m;/);
  });
});

describe('where capacity goes', () => {
  const three = (over: Partial<Record<'jp' | 'sg' | 'kr', Parameters<typeof region>[1]>> = {}) => [
    region('jp', { cost: 1, max_nodes: 5, ...over.jp }),
    region('kr', { cost: 2, max_nodes: 5, ...over.kr }),
    region('sg', { cost: 0.6, max_nodes: 3, ...over.sg }),
  ];

  it('a hot region at max_nodes overflows to the cheapest region with headroom', () => {
    const s = new Scenario(policy({}, three()));
    const events = s.at(T0, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    expect(summary(events)).toEqual(['ScaleHeld jp', 'ScaleDecided sg', 'ScaleCommitRequested sg']);
    const d = only(events, 'ScaleDecided').data;
    expect([d.from, d.to, d.origin, d.causes]).toEqual([1, 2, 'jp', ['overflow']]);
    expect(d.reason).toBe('sg scale_out 1 -> 2 (overflow: jp at max_nodes 5 (cpu=0.9 > 0.7); sg is the cheapest region with headroom (cost 0.6))');
    expect(d.message).toBe('autoscale: svc-plus sg scale_out 1 -> 2 (overflow jp cpu=0.9)');
    const held = only(events, 'ScaleHeld').data;
    expect(held).toMatchObject({ code: 'overflowed', related_decision_id: d.decision_id });
    // While that overflow is in flight, jp does not spill again (sg's tfvars says 2 now: its own
    // recommendation moved, which is recorded, nothing else).
    const inFlight = s.at(T0 + MIN, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 2, nodes: nodes('sg', 1) } });
    expect(summary(inFlight)).toEqual(['ScaleSteady sg']);
    expect(only(inFlight, 'ScaleSteady').data.recommendation).toBe(2);
    expect(s.at(T0 + 2 * MIN, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 2, nodes: nodes('sg', 1) } })).toEqual([]);
    // sg is full and in cooldown after its completion: the overflow goes on to kr only after jp's own cooldown.
    const after = s.at(T0 + 5 * MIN, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 2, nodes: nodes('sg', 2) } });
    expect(summary(after)).toEqual(['ScaleActionCompleted sg', 'ScaleHeld jp']);
    expect(only(after, 'ScaleHeld').data.code).toBe('cooldown');
  });

  it('holds the overflow when no region has headroom, and says why', () => {
    const s = new Scenario(policy({}, three({ sg: { max_nodes: 1 }, kr: { max_nodes: 1 } })));
    const held = only(s.at(T0, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 1, nodes: nodes('sg', 1) } }), 'ScaleHeld').data;
    expect(held.code).toBe('no_headroom');
    expect(held.reason).toBe('jp scale-out held: at max_nodes 5 (cpu=0.9 > 0.7) and no region has headroom (sg: at max_nodes 1; kr: at max_nodes 1)');
  });

  it('fills global min_nodes in the cheapest regions first', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 6, max_nodes: 20 } }, three()));
    const events = s.at(T0, { jp: { count: 1, nodes: nodes('jp', 1) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const decided = ofType(events, 'ScaleDecided').map((e) => [e.data.region, e.data.from, e.data.to]);
    expect(decided).toEqual([
      ['jp', 1, 2],
      ['sg', 1, 3],
    ]);
    expect(only(events, 'ScaleDecided', 'sg').data.reason).toBe('sg scale_out 1 -> 3 (global min_nodes 6 not met: 3 nodes; sg is the cheapest region with headroom (cost 0.6))');
    expect(only(events, 'ScaleDecided', 'sg').data.message).toBe('autoscale: svc-plus sg scale_out 1 -> 3 (global min_nodes=6)');
  });

  it('scales in the most expensive region first when the global minimum leaves a choice', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 5, max_nodes: 20 } }, three({ sg: { min_nodes: 0 } })));
    const cold = { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.1 }) }, kr: { count: 3, nodes: nodes('kr', 3, { cpu: 0.1 }) }, sg: { count: 0 } };
    s.at(T0, cold);
    const events = s.at(T0 + 10 * MIN, cold);
    expect(only(events, 'ScaleDecided').data).toMatchObject({ region: 'kr', from: 3, to: 2 });
    expect(only(events, 'ScaleHeld', 'jp').data).toMatchObject({ code: 'global_min_nodes', reason: 'jp scale-in held: global min_nodes 5 (5 nodes in 2 regions; cpu=0.1 < 0.3)' });
  });

  it('holds a scale-out that would pass global max_nodes', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 4 } }));
    const regions = { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.9 }) }, sg: { count: 2, nodes: nodes('sg', 2) } };
    const held = only(s.at(T0, regions), 'ScaleHeld').data;
    expect(held).toMatchObject({ code: 'global_max_nodes', wish: 'scale_out' });
    expect(held.reason).toBe('jp scale-out held: global max_nodes 4 reached (4 nodes)');
    expect(s.at(T0 + MIN, regions)).toEqual([]);
  });

  it('counts a region with an unreadable tfvars by the nodes it has, and does not act on it', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 4 } }));
    const events = s.at(T0, { jp: { count: null, error: 'infra/node-pool/jp.tfvars: parse error at line 3', nodes: nodes('jp', 3, { cpu: 0.1 }) }, sg: { count: 1, nodes: nodes('sg', 1, { cpu: 0.9 }) } });
    expect(summary(events)).toEqual(['ScaleHeld jp', 'ScaleHeld sg']);
    expect(only(events, 'ScaleHeld', 'jp').data.reason).toBe('jp held: node_count unknown (infra/node-pool/jp.tfvars: parse error at line 3); not acted on');
    expect(only(events, 'ScaleHeld', 'sg').data.reason).toBe('sg scale-out held: global max_nodes 4 reached (4 nodes)');
  });

  it('shrinks the most expensive region first when global max_nodes is already passed', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 5 } }, three()));
    const events = s.at(T0, { jp: { count: 3, nodes: nodes('jp', 3) }, kr: { count: 2, nodes: nodes('kr', 2) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const d = only(events, 'ScaleDecided').data;
    expect([d.region, d.from, d.to, d.causes]).toEqual(['kr', 2, 1, ['global_max_nodes']]);
    expect(d.reason).toBe('kr scale_in 2 -> 1 (global max_nodes 5 passed: 6 nodes; kr is the most expensive region (cost 2))');
    expect(d.message).toBe('autoscale: svc-plus kr scale_in 2 -> 1 (global max_nodes=5)');
    expect(only(events, 'DrainRequested').data.node_ids).toEqual(['kr-1']);
  });

  it('does not grow a new region past max_regions', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 2, min_nodes: 2, max_nodes: 20 } }, three({ sg: { min_nodes: 0 } })));
    const held = only(s.at(T0, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 0 } }), 'ScaleHeld', 'jp').data;
    // sg is cheaper but has no nodes and two regions are active already: kr takes it.
    expect(held.code).toBe('overflowed');
    const s2 = new Scenario(policy({ global: { min_regions: 1, max_regions: 2, min_nodes: 2, max_nodes: 20 } }, three({ sg: { min_nodes: 0 }, kr: { max_nodes: 1 } })));
    const held2 = only(s2.at(T0, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 0 } }), 'ScaleHeld', 'jp').data;
    expect(held2.reason).toBe('jp scale-out held: at max_nodes 5 (cpu=0.9 > 0.7) and no region has headroom (sg: max_regions 2; kr: at max_nodes 1)');
  });

  it('min_nodes 0: a region scales to zero and comes back only through global bounds or overflow', () => {
    const spec = policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 1, max_nodes: 20 } }, three({ sg: { min_nodes: 0 } }));
    const s = new Scenario(spec);
    const idle = (sgCount: number, sgNodes = sgCount) => ({ jp: { count: 2, nodes: nodes('jp', 2) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: sgCount, nodes: nodes('sg', sgNodes, { cpu: 0.05 }) } });
    s.at(T0, idle(1));
    const down = s.at(T0 + 10 * MIN, idle(1));
    expect(only(down, 'ScaleDecided').data).toMatchObject({ region: 'sg', from: 1, to: 0 });
    // sg-0 drains, the commit goes, sg-0 goes away: completed.
    expect(summary(s.at(T0 + 11 * MIN, { ...idle(1, 0), sg: { count: 1, nodes: [n('sg', 0, { state: 'draining', stateSince: T0 + 10 * MIN })] } }))).toEqual(['ScaleActionProgressed sg', 'ScaleCommitRequested sg']);
    expect(summary(s.at(T0 + 14 * MIN, idle(0)))).toEqual(['ScaleActionCompleted sg']);
    // At zero it reports no load and stays there.
    expect(s.at(T0 + 30 * MIN, idle(0))).toEqual([]);
    // jp hot at max: sg, the cheapest, comes back as the overflow target.
    const back = s.at(T0 + 31 * MIN, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.9 }) }, kr: { count: 1, nodes: nodes('kr', 1) }, sg: { count: 0 } });
    expect(only(back, 'ScaleDecided').data).toMatchObject({ region: 'sg', from: 0, to: 1, causes: ['overflow'] });
    // global min_regions brings the cheapest region without nodes back.
    const s2 = new Scenario(policy({ global: { min_regions: 2, max_regions: 3, min_nodes: 1, max_nodes: 20 } }, three({ sg: { min_nodes: 0 }, kr: { min_nodes: 0 } })));
    const regions2 = s2.at(T0, { jp: { count: 2, nodes: nodes('jp', 2) }, kr: { count: 0 }, sg: { count: 0 } });
    expect(only(regions2, 'ScaleDecided').data).toMatchObject({ region: 'sg', from: 0, to: 1, causes: ['global_min_regions'] });
  });
});

describe('reasons are recorded when they change', () => {
  it('the same inputs twice: the second evaluation emits nothing', () => {
    const s = new Scenario();
    const regions = { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: null } };
    expect(s.at(T0, regions).length).toBeGreaterThan(0);
    expect(s.at(T0, regions)).toEqual([]);
    expect(s.at(T0 + 10 * SEC, regions)).toEqual([]);
  });

  it('held -> steady -> held again records all three', () => {
    const s = new Scenario(policy({ global: { min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 4 } }));
    const hot = { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.9 }) }, sg: { count: 2, nodes: nodes('sg', 2) } };
    const calm = { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.5 }) }, sg: { count: 2, nodes: nodes('sg', 2) } };
    expect(summary(s.at(T0, hot))).toEqual(['ScaleHeld jp']);
    expect(summary(s.at(T0 + MIN, calm))).toEqual(['ScaleSteady jp']);
    expect(only(s.log, 'ScaleSteady').data.reason).toBe('jp steady at 2 (cpu=0.5 (0.3..0.7), ram=0.6 (0.4..0.8), qps=500 (200..800))');
    expect(summary(s.at(T0 + 2 * MIN, hot))).toEqual(['ScaleHeld jp']);
  });

  it('a suspended policy holds every region once and acts on nothing', () => {
    const s = new Scenario(policy({ suspend: true }));
    const regions = { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.99 }) }, sg: { count: 0 } };
    expect(s.at(T0, regions).map((e) => `${e.type} ${e.data.region} ${(e.data as { code?: string }).code}`)).toEqual(['ScaleHeld jp suspended', 'ScaleHeld sg suspended']);
    expect(s.at(T0 + MIN, regions)).toEqual([]);
  });
});

describe('determinism', () => {
  it('the same input gives byte-identical output and leaves the input untouched', () => {
    const s = new Scenario(policy({}, [region('jp', { cost: 1 }), region('kr', { cost: 2 }), region('sg', { cost: 0.6, max_nodes: 3 })]));
    s.at(T0, { jp: { count: 3, nodes: nodes('jp', 3, { cpu: 0.1 }) }, kr: { count: 2, nodes: nodes('kr', 2, { cpu: 0.1 }) }, sg: { count: 1 } });
    const input: ScaleInput = s.input(T0 + 11 * MIN, { jp: { count: 5, nodes: nodes('jp', 5, { cpu: 0.95 }) }, kr: { count: 2, nodes: nodes('kr', 2, { cpu: 0.1 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const before = JSON.stringify(input);
    const a = decide(input, 'autoscaler');
    const b = decide(JSON.parse(before) as ScaleInput, 'autoscaler');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(input)).toBe(before);
    expect(a.events.length).toBeGreaterThan(2);
    expect(new Set(a.events.map((e) => e.id)).size).toBe(a.events.length);
    for (const e of a.events) expect(e.time).toBe(new Date(T0 + 11 * MIN).toISOString());
  });

  it('the input is plain JSON', () => {
    const s = new Scenario();
    s.at(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const input = s.input(T0 + MIN, { jp: { count: 3, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: null } });
    expect(JSON.parse(JSON.stringify(input))).toEqual(input);
  });

  it('event ids depend on the input and the decider version only', () => {
    const s = new Scenario();
    const input = s.input(T0, { jp: { count: 2, nodes: nodes('jp', 2, { cpu: 0.82 }) }, sg: { count: 1, nodes: nodes('sg', 1) } });
    const a = decide(input, 'replica-a').events;
    const b = decide(input, 'replica-b').events;
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a[0]!.id).toMatch(/^autoscale:svc-plus:jp:scale_out-2-3:[0-9a-f]{20}$/);
    const later = decide({ ...input, now: T0 + 1 }, 'replica-a').events;
    expect(later[0]!.id).not.toBe(a[0]!.id);
  });
});
