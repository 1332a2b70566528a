// decide: one service's scaling decision at `input.now`. Pure and deterministic: the same input
// gives byte-identical events, and the state after them is `events.reduce(evolve, input.state)`.
//
// Per evaluation:
//   1. pending actions move on (drained -> commit, outcome -> phase, nodes -> completed,
//      clock -> failed + backoff, hot while draining -> cancelled);
//   2. every region's load and own recommendation; which regions may act at all;
//   3. the capacity plan (plan.ts): own needs, overflow, global bounds, cost order;
//   4. per region one outcome: ScaleDecided (+ DrainRequested or the commit command),
//      ScaleHeld or ScaleSteady, emitted only when its reason or its recommendation changed.
import { DecisionContext } from './context.js';
import { regionState } from './evolve.js';
import { clockText, durationText } from './format.js';
import { withinText } from './metrics.js';
import { advancePending, commitMessage, emitCommand, nodesRemoved } from './pending.js';
import { noMetricsWhy, planCapacity, wishWords } from './plan.js';
import { freezeOf, observeRegion, type HoldNote, type RegionView } from './region-view.js';
import type {
  DecideResult,
  DrainRequested,
  EvaluationFields,
  PendingAction,
  RegionObservation,
  ScaleDecided,
  ScaleHeld,
  ScaleInput,
  ScaleKind,
  ScaleSteady,
} from './types.js';

export function decide(input: ScaleInput, source: string): DecideResult {
  const ctx = new DecisionContext(input, source);
  const spec = input.spec;
  const observed = new Map<string, RegionObservation>();
  for (const o of input.regions) observed.set(o.region, o);
  const views = [...spec.regions]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => observeRegion(input, r, observed.get(r.name) ?? null, regionState(input.state, r.name)));

  if (spec.suspend) {
    for (const v of views) {
      emitOutcome(ctx, v, { code: 'suspended', wish: null, key: 'suspended', reason: `${v.name} held: the policy is suspended (suspend: true)`, until: null, related_decision_id: null }, false);
    }
    return { events: ctx.events, state: ctx.state };
  }

  // 1. Pending actions first: what they became decides whether the region may act now.
  for (const v of views) if (v.rs.pending !== null) advancePending(ctx, v);
  // A completion also starts the cooldown of the overflow's origin region: refresh every region.
  for (const v of views) refresh(v, ctx);

  // 2. Who may act.
  const pendingByOrigin = new Map<string, PendingAction & { region: string }>();
  for (const v of views) {
    v.freeze = freezeOf(v, input.now);
    const p = v.rs.pending;
    if (p !== null && p.origin !== null) pendingByOrigin.set(p.origin, { ...p, region: v.name });
  }

  // 3. The plan.
  planCapacity(views, input, pendingByOrigin);

  // 4. One outcome per region, in name order. Decision ids first: an overflow's origin names its target's.
  const decisionIds = new Map<string, string>();
  for (const v of views) {
    if (v.freeze === null && v.count !== null && v.planned !== v.count) {
      decisionIds.set(v.name, ctx.decisionId(v.name, v.planned > v.count ? 'scale_out' : 'scale_in', v.count, v.planned));
    }
  }
  for (const v of views) {
    const id = decisionIds.get(v.name);
    if (id !== undefined) {
      emitDecision(ctx, v, id);
      continue;
    }
    const h = outcomeHold(v, ctx, decisionIds);
    emitOutcome(ctx, v, h, true);
  }
  return { events: ctx.events, state: ctx.state };
}

function refresh(v: RegionView, ctx: DecisionContext): void {
  v.rs = regionState(ctx.state, v.name);
  const p = v.rs.pending;
  v.effective = p !== null ? p.to : (v.count ?? v.estimate);
  v.planned = v.effective;
}

/**
 * While an action is in flight, wanting more of the same (or nothing) is no news: only a wish
 * the other way is a new reason.
 */
function pendingKey(p: PendingAction, wish: ScaleKind | null): string {
  return wish === null || wish === p.kind ? `pending:${p.id}` : `pending:${p.id}:${wish}`;
}

/** The hold of a region that does not act (null: it is steady). */
function outcomeHold(v: RegionView, ctx: DecisionContext, decisionIds: ReadonlyMap<string, string>): HoldNote | null {
  const now = ctx.now;
  const f = v.freeze;
  if (f !== null) {
    switch (f.code) {
      case 'node_count_unknown':
        return { code: 'node_count_unknown', wish: null, key: 'node_count_unknown', reason: `${v.name} held: node_count unknown (${v.countError ?? 'unreadable'}); not acted on`, until: null, related_decision_id: null };
      case 'pending': {
        const p = v.rs.pending!;
        if (v.wish === null) return null; // steady while it is in flight
        const what = `pending ${p.kind} ${p.from} -> ${p.to} since ${clockText(p.since, now)} (${p.phase}; fails at ${clockText(p.deadline, now)})`;
        return { code: 'pending', wish: v.wish, key: pendingKey(p, v.wish), reason: `${wishWords(v.name, v.wish)} held: ${what}`, until: null, related_decision_id: p.id };
      }
      case 'cooldown':
      case 'backoff': {
        if (v.wish === null) return null;
        const until = f.until ?? now;
        const after = f.code === 'backoff' ? ` after ${v.rs.failures} failed action${v.rs.failures === 1 ? '' : 's'} (last: ${v.rs.last_failure ?? 'unknown'})` : '';
        return { code: f.code, wish: v.wish, key: `${f.code}:${until}:${v.wish}`, reason: `${wishWords(v.name, v.wish)} held: ${f.code} until ${clockText(until, now)}${after}`, until, related_decision_id: null };
      }
    }
  }
  if (v.overflowTo !== null) {
    const id = decisionIds.get(v.overflowTo) ?? '';
    return { code: 'overflowed', wish: 'scale_out', key: `overflow:${id}`, reason: `${v.name} scale-out held: at max_nodes ${v.spec.max_nodes}; overflow to ${v.overflowTo}`, until: null, related_decision_id: id };
  }
  return v.hold;
}

function evaluation(v: RegionView, ctx: DecisionContext, reason: string, key: string): EvaluationFields {
  return {
    count: v.count,
    recommendation: v.rec,
    stabilization_ms: ctx.input.spec.scale_down_stabilization_ms,
    metrics: v.metrics,
    signals: v.signals,
    reason,
    reason_key: key,
  };
}

function steadyReason(v: RegionView, ctx: DecisionContext): string {
  const c = v.count;
  if (c === null) return `${v.name} steady`;
  const p = v.rs.pending;
  const pending = p === null ? '' : `; pending ${p.kind} ${p.from} -> ${p.to} since ${clockText(p.since, ctx.now)} (${p.phase})`;
  if (v.metrics === null) return `${v.name} steady at ${c} (${c === 0 ? 'no nodes, no load' : `no fresh metrics: ${noMetricsWhy(v, ctx.input)}`}${pending})`;
  const signals = v.signals.length === 0 ? 'no signals declared' : withinText(v.signals);
  const bound = c === v.spec.min_nodes && v.load.under ? `; at min_nodes ${c}` : '';
  return `${v.name} steady at ${c} (${signals}${bound}${pending})`;
}

/**
 * A held or steady region: emitted only when the reason changed or the recommendation moved
 * (the recommendation history of stabilization lives in these events).
 */
function emitOutcome(ctx: DecisionContext, v: RegionView, h: HoldNote | null, recordRec: boolean): void {
  const key = h === null ? (v.rs.pending !== null ? pendingKey(v.rs.pending, null) : 'steady') : h.key;
  const lastKey = v.rs.last_reason?.key ?? 'steady';
  const last = v.rs.recommendations[v.rs.recommendations.length - 1];
  const rec = recordRec ? v.rec : null;
  const recMoved = rec !== null && last !== undefined && last.value !== rec;
  if (key === lastKey && !recMoved) return;
  const base = { ...ctx.meta(v.name), ...evaluation(v, ctx, '', key), recommendation: rec, inputs: ctx.input };
  if (h === null) {
    ctx.emit<ScaleSteady>('ScaleSteady', ctx.eventId(v.name, 'steady'), { ...base, reason: steadyReason(v, ctx) });
    return;
  }
  ctx.emit<ScaleHeld>('ScaleHeld', ctx.eventId(v.name, 'held'), {
    ...base,
    reason: h.reason,
    code: h.code,
    wish: h.wish,
    until: h.until,
    related_decision_id: h.related_decision_id,
  });
}

function emitDecision(ctx: DecisionContext, v: RegionView, id: string): void {
  const input = ctx.input;
  const from = v.count!;
  const to = v.planned;
  const kind = to > from ? 'scale_out' : 'scale_in';
  const reason = `${v.name} ${kind} ${from} -> ${to} (${v.causes.map((c) => c.reason).join('; ')})`;
  const message = commitMessage(ctx.service, v.name, kind, from, to, v.causes.map((c) => c.short).join(', '));
  const drainIds = kind === 'scale_in' ? nodesRemoved(v.name, from, to) : [];
  // A scale-out commits at once; a scale-in drains first (its deadline: nodes out of DNS in time).
  const deadline = input.now + input.spec.provision_timeout_ms;
  ctx.emit<ScaleDecided>('ScaleDecided', id, {
    ...ctx.meta(v.name),
    ...evaluation(v, ctx, reason, `pending:${id}`),
    decision_id: id,
    kind,
    from,
    to,
    causes: v.causes.map((c) => c.cause),
    origin: v.origin,
    node_pool: v.spec.node_pool,
    message,
    drain_node_ids: drainIds,
    phase: kind === 'scale_in' ? 'draining' : 'committing',
    deadline,
    inputs: input,
  });
  const pending = regionState(ctx.state, v.name).pending!;
  if (kind === 'scale_in') {
    const wait = input.dns_ttl_ms + input.spec.drain_ms;
    ctx.emit<DrainRequested>('DrainRequested', `${id}:drain`, {
      ...ctx.meta(v.name),
      decision_id: id,
      node_ids: drainIds,
      out_for_ms: wait,
      reason: `${v.name} scale_in ${from} -> ${to}: drain ${drainIds.join(', ')}; commit after ${durationText(wait)} out of DNS (ttl ${durationText(input.dns_ttl_ms)} + drain ${durationText(input.spec.drain_ms)})`,
    });
    return;
  }
  emitCommand(ctx, v, pending);
}
