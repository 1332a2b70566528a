// The pending action of a region moves on: drained nodes -> the commit; the executor's outcome
// -> the phase; the nodes -> completed; the clock -> failed (with a backoff) or a hot region
// -> a scale-in cancelled while it was still draining.
import type { DecisionContext } from './context.js';
import { clockText, durationText } from './format.js';
import { isServing, overText, servingCount } from './metrics.js';
import type { RegionView } from './region-view.js';
import type {
  CommandStatus,
  FailureCause,
  NodeObservation,
  PendingAction,
  PendingPhase,
  ScaleActionCancelled,
  ScaleActionCompleted,
  ScaleActionFailed,
  ScaleActionProgressed,
  ScaleCommitRequested,
  ScaleInput,
} from './types.js';

const PHASE_RANK: Record<PendingPhase, number> = { draining: 0, committing: 1, committed: 2, merged: 3 };

/** The backoff after the n-th failure in a row: one cooldown, then 2, 4, at most 8. */
export function backoffMs(cooldownMs: number, failures: number): number {
  return cooldownMs * 2 ** Math.min(Math.max(failures - 1, 0), 3);
}

function phaseOf(status: CommandStatus): PendingPhase | null {
  switch (status) {
    case 'pull_request_opened':
      return 'committed';
    case 'pushed':
    case 'merged':
    case 'no_op':
      return 'merged';
    case 'failed':
      return null;
  }
}

/** `<region>-<index>` for every index the lower count drops (the Terraform module's names). */
export function nodesRemoved(region: string, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let i = to; i < from; i++) ids.push(`${region}-${i}`);
  return ids;
}

function nodeById(nodes: readonly NodeObservation[]): Map<string, NodeObservation> {
  const map = new Map<string, NodeObservation>();
  for (const n of nodes) map.set(n.node_id, n);
  return map;
}

/** Out of DNS: draining, down, not yet seen by health, deregistered, or not there at all. */
function outOfDnsSince(n: NodeObservation | undefined): number | null {
  if (n === undefined || n.state === 'deregistered') return Number.NEGATIVE_INFINITY;
  return isServing(n.state) ? null : n.state_since;
}

/** Gone for good: not there, deregistered, or silent for longer than the heartbeat timeout. */
function isGone(n: NodeObservation | undefined, input: ScaleInput): boolean {
  if (n === undefined || n.state === 'deregistered') return true;
  if (isServing(n.state)) return false;
  return n.last_heartbeat_at === null || input.now - n.last_heartbeat_at > input.heartbeat_timeout_ms;
}

interface DrainProgress {
  done: boolean;
  /** Still in DNS. */
  serving: string[];
  /** When the last one will have been out for ttl + drain (when all are out). */
  readyAt: number;
}

function drainProgress(p: PendingAction, view: RegionView, input: ScaleInput): DrainProgress {
  const byId = nodeById(view.nodes);
  const wait = input.dns_ttl_ms + input.spec.drain_ms;
  const serving: string[] = [];
  let readyAt = Number.NEGATIVE_INFINITY;
  for (const id of p.drain_node_ids) {
    const since = outOfDnsSince(byId.get(id));
    if (since === null) serving.push(id);
    else readyAt = Math.max(readyAt, since + wait);
  }
  return { done: serving.length === 0 && readyAt <= input.now, serving, readyAt };
}

/** The git-commit command: the full desired state (from, to) of one node pool file. */
export function emitCommand(ctx: DecisionContext, view: RegionView, p: PendingAction): void {
  const git = ctx.input.spec.git;
  ctx.emit<ScaleCommitRequested>('ScaleCommitRequested', `${p.id}:commit`, {
    ...ctx.meta(view.name),
    decision_id: p.id,
    node_pool: view.spec.node_pool,
    from: p.from,
    to: p.to,
    message: p.message,
    git: { mode: git.mode, branch: git.branch ?? null, repository: git.repository ?? null, auto_merge: git.auto_merge },
  });
}

/** `autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)` */
export function commitMessage(service: string, region: string, kind: string, from: number, to: number, values: string): string {
  return `autoscale: ${service} ${region} ${kind} ${from} -> ${to}${values === '' ? '' : ` (${values})`}`;
}

function action(p: PendingAction): string {
  return `${p.kind} ${p.from} -> ${p.to}`;
}

interface Step {
  ctx: DecisionContext;
  view: RegionView;
  p: PendingAction;
  input: ScaleInput;
  now: number;
}

function base(st: Step) {
  const { ctx, view, p, input } = st;
  return { ...ctx.meta(view.name), decision_id: p.id, kind: p.kind, from: p.from, to: p.to, origin: p.origin, inputs: input };
}

function complete(st: Step, what: string): void {
  const { ctx, view, p, input, now } = st;
  const until = now + input.spec.cooldown_ms;
  ctx.emit<ScaleActionCompleted>('ScaleActionCompleted', ctx.eventId(view.name, 'completed'), {
    ...base(st),
    since: p.since,
    cooldown_until: until,
    reason: `${view.name} ${action(p)} completed: ${what} after ${durationText(now - p.since)}; cooldown until ${clockText(until, now)}`,
  });
}

/** Failed: the region backs off (one cooldown, doubling with each failure in a row, at most 8). */
function fail(st: Step, cause: FailureCause, why: string, undrain: boolean): void {
  const { ctx, view, p, input, now } = st;
  const failures = view.rs.failures + 1;
  const backoffUntil = now + backoffMs(input.spec.cooldown_ms, failures);
  ctx.emit<ScaleActionFailed>('ScaleActionFailed', ctx.eventId(view.name, 'failed'), {
    ...base(st),
    cause,
    failures,
    backoff_until: backoffUntil,
    origin_cooldown_until: p.origin === null ? null : now + input.spec.cooldown_ms,
    undrain_node_ids: undrain ? p.drain_node_ids : [],
    reason: `${view.name} ${action(p)} failed: ${why}; backoff until ${clockText(backoffUntil, now)} (${failures} failure${failures === 1 ? '' : 's'} in a row)`,
  });
}

/** A scale-in before its commit: cancelled if the region got hot, committed once drained, failed if the drain never took. */
function advanceDrain(st: Step): void {
  const { ctx, view, p, input, now } = st;
  const spec = input.spec;
  if (view.load.over.length > 0) {
    const until = now + spec.cooldown_ms;
    ctx.emit<ScaleActionCancelled>('ScaleActionCancelled', ctx.eventId(view.name, 'cancelled'), {
      ...base(st),
      cooldown_until: until,
      undrain_node_ids: p.drain_node_ids,
      reason: `${view.name} ${action(p)} cancelled while draining: ${overText(view.load.over)}; ${p.drain_node_ids.join(', ')} back in service; cooldown until ${clockText(until, now)}`,
    });
    return;
  }
  const drain = drainProgress(p, view, input);
  if (drain.done) {
    ctx.emit<ScaleActionProgressed>('ScaleActionProgressed', ctx.eventId(view.name, 'progressed'), {
      ...base(st),
      phase: 'committing',
      deadline: now + spec.provision_timeout_ms,
      commit: null,
      reason: `${view.name} ${action(p)}: ${p.drain_node_ids.join(', ')} out of DNS for ttl ${durationText(input.dns_ttl_ms)} + drain ${durationText(spec.drain_ms)}; committing node_count ${p.to}`,
    });
    emitCommand(ctx, view, p);
    return;
  }
  if (now >= p.deadline) {
    const still = drain.serving.length > 0 ? `${drain.serving.join(', ')} still in DNS` : 'the drain not complete';
    fail(st, 'drain_timeout', `${still} after ${durationText(now - p.since)}`, true);
  }
}

/** After the command: the executor's outcome, then the nodes, or the clock. */
function advanceCommitted(st: Step): void {
  const { ctx, view, p, input, now } = st;
  const byId = nodeById(view.nodes);
  const ready = servingCount(view.nodes);
  const left = p.drain_node_ids.filter((id) => !isGone(byId.get(id), input));
  if (p.kind === 'scale_out' && ready >= p.to) return complete(st, `${ready} nodes ready`);
  if (p.kind === 'scale_in' && view.count !== null && view.count <= p.to && left.length === 0) {
    return complete(st, `node_count ${view.count}, ${p.drain_node_ids.join(', ')} gone`);
  }
  const outcome = view.observation?.command ?? null;
  const mine = outcome !== null && outcome.decision_id === p.id ? outcome : null;
  // A scale-in's nodes stay drained once the lower count is in the branch (they are going away).
  const undrain = p.kind === 'scale_in' && PHASE_RANK[p.phase] < PHASE_RANK.merged;
  if (mine !== null && mine.status === 'failed') {
    return fail(st, 'command_failed', `the git-commit executor failed: ${mine.reason ?? 'no reason given'}`, undrain);
  }
  if (now >= p.deadline) {
    const timeout = `provision_timeout ${durationText(input.spec.provision_timeout_ms)}`;
    const why =
      p.kind === 'scale_out'
        ? `${ready} of ${p.to} nodes ready after ${timeout} (phase ${p.phase})`
        : `after ${timeout} node_count is ${view.count ?? 'unknown'}${left.length > 0 ? ` and ${left.join(', ')} still there` : ''} (phase ${p.phase})`;
    return fail(st, 'provision_timeout', why, undrain);
  }
  const next = mine === null ? null : phaseOf(mine.status);
  if (mine === null || next === null || PHASE_RANK[next] <= PHASE_RANK[p.phase]) return;
  const by = mine.status === 'pull_request_opened' ? 'pull request opened' : mine.status === 'no_op' ? 'the file already had it' : mine.status;
  const waiting = p.kind === 'scale_out' ? `${p.to} ready nodes` : `${p.drain_node_ids.join(', ')} to go`;
  ctx.emit<ScaleActionProgressed>('ScaleActionProgressed', ctx.eventId(view.name, 'progressed'), {
    ...base(st),
    phase: next,
    deadline: p.deadline,
    commit: mine.commit,
    reason: `${view.name} ${action(p)}: ${by}${mine.commit ? ` (${mine.commit})` : ''}; waiting for ${waiting} until ${clockText(p.deadline, now)}`,
  });
}

/** Move the region's pending action on, if anything happened. */
export function advancePending(ctx: DecisionContext, view: RegionView): void {
  const p = view.rs.pending;
  if (p === null) return;
  const st: Step = { ctx, view, p, input: ctx.input, now: ctx.input.now };
  if (p.phase === 'draining') advanceDrain(st);
  else advanceCommitted(st);
}
