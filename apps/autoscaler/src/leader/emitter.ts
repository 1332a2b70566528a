// Records what the decider decided and turns it into effects: every event on DECISIONS (acked,
// in order), then drains on NODES and the git-commit command on COMMANDS. A dry run records the
// decisions only.
import type { AutoscaleEvent, AutoscaleState, ScaleCommitRequested, ScaleDecided } from '@plane/autoscale';
import { lastEventOn, publishEvent, STREAMS, type Plane } from '@plane/backbone';
import { envelope, nodeSubject, type NodeDrainChanged } from '@plane/events';
import type { GitCommitCommand } from '@plane/gitops';
import type { Logger } from '@plane/runtime';
import { decisionSubject, drainEventId, gitCommandSubject, subjectOf, type GitCommit } from '../events.js';

export type EffectKind = 'git_commit' | 'drain' | 'undrain';

export interface EmitterOptions {
  plane: Plane;
  log: Logger;
  source: string;
  dryRun: boolean;
  /** The repository token of the command subject (`cmd.git.<repo>`). */
  repo: string;
  /** The branch of a policy that names none (already filled into the specs the leader decides on). */
  defaultBranch: string;
  onDecision?: (e: AutoscaleEvent) => void;
  onEffect?: (kind: EffectKind, count: number) => void;
}

interface DecidedRecord {
  seq: number;
  event: ScaleDecided;
}

/** The pull request body: why, in words and numbers, and where the decision is recorded. */
export function explanation(d: ScaleDecided['data'], seq: number): string {
  const m = d.metrics;
  const lines = [
    `**${d.service} ${d.region} ${d.kind} ${d.from} -> ${d.to}**`,
    '',
    d.reason,
    '',
    '| signal | value | scale up over | scale down under |',
    '|---|---|---|---|',
    ...d.signals.map((s) => `| ${s.signal} | ${s.value} | ${s.up ?? '-'} | ${s.down ?? '-'} |`),
    '',
    m ? `Nodes reporting: ${m.nodes_reporting} of ${m.nodes_ready} ready.` : 'No fresh metrics.',
    d.drain_node_ids.length > 0 ? `Drained before this change: ${d.drain_node_ids.join(', ')}.` : '',
    '',
    `Decision \`${d.decision_id}\` (DECISIONS #${seq}), policy commit \`${d.policy_commit}\`, decider ${d.decider_version}. Inspect it with \`planectl explain ${d.decision_id}\`.`,
  ];
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

export class Emitter {
  /** ScaleDecided events recorded by this leader, by decision id (a scale-in's command comes later). */
  private readonly decided = new Map<string, DecidedRecord>();

  constructor(private readonly opts: EmitterOptions) {}

  /** Records the events of one service's decision, then publishes their effects. Throws when recording failed. */
  async record(events: AutoscaleEvent[]): Promise<void> {
    const { plane, log } = this.opts;
    for (const e of events) {
      const pub = await publishEvent(plane.js, subjectOf(e), e);
      this.opts.onDecision?.(e);
      if (e.type === 'ScaleDecided') {
        this.decided.set(e.id, { seq: pub.seq, event: e });
        log.info({ event: e.id, seq: pub.seq, service: e.data.service, region: e.data.region, kind: e.data.kind, from: e.data.from, to: e.data.to }, e.data.reason);
      } else if ('reason' in e.data) {
        log.info({ event: e.id, seq: pub.seq, type: e.type, service: e.data.service, region: e.data.region }, e.data.reason);
      } else {
        log.debug({ event: e.id, seq: pub.seq, type: e.type, service: e.data.service, region: e.data.region }, e.type);
      }
    }
    if (this.opts.dryRun) return;
    for (const e of events) {
      switch (e.type) {
        case 'DrainRequested':
          await this.drain(e.data.service, e.data.region, e.data.decision_id, e.data.node_ids, true, e.data.reason);
          break;
        case 'ScaleActionFailed':
        case 'ScaleActionCancelled':
          if (e.data.undrain_node_ids.length > 0) await this.drain(e.data.service, e.data.region, e.data.decision_id, e.data.undrain_node_ids, false, e.data.reason);
          break;
        case 'ScaleCommitRequested':
          await this.command(e.data);
          break;
        default:
          break;
      }
    }
    this.forgetSettled(events);
  }

  private forgetSettled(events: AutoscaleEvent[]): void {
    for (const e of events) {
      if (e.type === 'ScaleActionCompleted' || e.type === 'ScaleActionFailed' || e.type === 'ScaleActionCancelled') this.decided.delete(e.data.decision_id);
    }
  }

  private async drain(service: string, region: string, decisionId: string, nodeIds: string[], draining: boolean, reason: string): Promise<void> {
    for (const node_id of nodeIds) {
      const ref = { service, region, node_id };
      const event: NodeDrainChanged = envelope('NodeDrainChanged', drainEventId(decisionId, node_id, draining), { ...ref, draining, by: 'autoscaler', reason: `${draining ? 'scale-in' : 'scale-in undone'}: ${reason} (decision ${decisionId})` }, this.opts.source);
      await publishEvent(this.opts.plane.js, nodeSubject(ref, 'drain'), event);
    }
    this.opts.onEffect?.(draining ? 'drain' : 'undrain', nodeIds.length);
    this.opts.log.info({ decision: decisionId, service, region, nodes: nodeIds, draining }, `${draining ? 'drain' : 'undrain'} requested for ${nodeIds.join(', ')}`);
  }

  /** The ScaleDecided a command refers to: recorded by this leader, or the region's last one on the stream. */
  private async decidedOf(service: string, region: string, decisionId: string): Promise<DecidedRecord | undefined> {
    const mine = this.decided.get(decisionId);
    if (mine) return mine;
    const last = await lastEventOn(this.opts.plane.jsm, STREAMS.decisions.name, decisionSubject('ScaleDecided', service, region));
    if (!last || last.event.id !== decisionId) return undefined;
    const record = { seq: last.seq, event: last.event as ScaleDecided };
    this.decided.set(decisionId, record);
    return record;
  }

  /** The git-commit command: Nats-Msg-Id = the decision id, `decision_seq` = its ScaleDecided's stream sequence (DESIGN rule 3). */
  private async command(d: ScaleCommitRequested['data']): Promise<void> {
    const decided = await this.decidedOf(d.service, d.region, d.decision_id);
    if (!decided) {
      this.opts.log.error({ decision: d.decision_id, service: d.service, region: d.region }, 'git-commit command not sent: its ScaleDecided is not the last decision of the region on DECISIONS; the action will time out');
      return;
    }
    const cmd: GitCommitCommand = {
      decision_id: d.decision_id,
      service: d.service,
      region: d.region,
      file: d.node_pool,
      from: d.from,
      to: d.to,
      message: d.message,
      mode: d.git.mode,
      branch: d.git.branch ?? this.opts.defaultBranch,
      ...(d.git.repository !== null ? { repository: d.git.repository } : {}),
      auto_merge: d.git.auto_merge,
      explanation: explanation(decided.event.data, decided.seq),
      decision_seq: decided.seq,
    };
    const event: GitCommit = envelope('GitCommit', d.decision_id, cmd, this.opts.source, new Date(d.clock));
    const subject = gitCommandSubject(this.opts.repo);
    const pub = await publishEvent(this.opts.plane.js, subject, event);
    this.opts.onEffect?.('git_commit', 1);
    this.opts.log.info({ command: event.id, subject, seq: pub.seq, duplicate: pub.duplicate, file: cmd.file, from: cmd.from, to: cmd.to, decision_seq: cmd.decision_seq, mode: cmd.mode }, `git-commit command issued: ${cmd.message}`);
  }

  /**
   * After this replica starts leading: the effects a previous leader may have died before
   * publishing. Commands of actions still committing without an outcome, and drains of actions
   * still draining, are published again (same ids: the stream drops what it already has within
   * its duplicate window, and the executor finds an applied decision's trailer after it).
   */
  async reissue(states: Iterable<[string, AutoscaleState]>, hasOutcome: (decisionId: string) => boolean): Promise<number> {
    if (this.opts.dryRun) return 0;
    let n = 0;
    for (const [service, state] of states) {
      for (const [region, rs] of Object.entries(state.regions)) {
        const p = rs.pending;
        if (!p) continue;
        if (p.phase === 'draining' && p.drain_node_ids.length > 0) {
          await this.drain(service, region, p.id, p.drain_node_ids, true, `${region} ${p.kind} ${p.from} -> ${p.to} (reissued by a new leader)`);
          n++;
        } else if (p.phase === 'committing' && !hasOutcome(p.id)) {
          const decided = await this.decidedOf(service, region, p.id);
          if (!decided) continue;
          const d = decided.event.data;
          const spec = d.inputs.spec;
          await this.command({
            service,
            region,
            inputs_digest: d.inputs_digest,
            clock: d.clock,
            policy_commit: d.policy_commit,
            decider_version: d.decider_version,
            decision_id: p.id,
            node_pool: d.node_pool,
            from: p.from,
            to: p.to,
            message: p.message,
            git: { mode: spec.git.mode, branch: spec.git.branch ?? null, repository: spec.git.repository ?? null, auto_merge: spec.git.auto_merge },
          });
          n++;
        }
      }
    }
    return n;
  }
}
