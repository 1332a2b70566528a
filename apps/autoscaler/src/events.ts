// The events and subjects of the autoscaler beyond the decider's own: the git-commit command on
// the COMMANDS work queue, the executor's outcomes on OUTCOMES, and the subject of every decider
// event on DECISIONS. (Candidates for @plane/events once a second reader needs them.)
import type { AutoscaleEvent, AutoscaleEventType, CommandOutcome, CommandStatus } from '@plane/autoscale';
import { assertToken, type EventEnvelope } from '@plane/events';
import type { GitCommitCommand, GitCommitStatus } from '@plane/gitops';

/**
 * DECISIONS subjects: `autoscale.<kind>.<service>.<region>`, one kind token per event type, so
 * `autoscale.*.svc-plus.jp` reads one region's whole history, `autoscale.decided.>` only the
 * scale decisions, and the last `autoscale.decided.<service>.<region>` is the region's latest
 * ScaleDecided (the stream sequence a later command carries as `decision_seq`).
 */
export const DECISION_KIND: Record<AutoscaleEventType, string> = {
  ScaleDecided: 'decided',
  ScaleHeld: 'held',
  ScaleSteady: 'steady',
  DrainRequested: 'drain',
  ScaleCommitRequested: 'commit',
  ScaleActionProgressed: 'progressed',
  ScaleActionCompleted: 'completed',
  ScaleActionFailed: 'failed',
  ScaleActionCancelled: 'cancelled',
};

export function decisionSubject(type: AutoscaleEventType, service: string, region: string): string {
  return `autoscale.${DECISION_KIND[type]}.${assertToken(service, 'service')}.${assertToken(region, 'region')}`;
}

export function subjectOf(event: AutoscaleEvent): string {
  return decisionSubject(event.type, event.data.service, event.data.region);
}

/** COMMANDS: `cmd.git.<repo>`; the executor's durable consumer takes `cmd.git.>`. */
export function gitCommandSubject(repo: string): string {
  return `cmd.git.${assertToken(repo, 'repo')}`;
}

/** The git-commit command as it travels: an envelope whose id (the Nats-Msg-Id) is the decision id. */
export type GitCommit = EventEnvelope<'GitCommit', GitCommitCommand>;

/**
 * What the git-commit executor did with a command, plus two statuses of its own:
 * `retrying` (a transport error or a rate limit: redelivered later) and `merged` (the leader saw
 * the pull request merged, or the base branch already showing the count).
 */
export type GitOutcomeStatus = GitCommitStatus | 'retrying' | 'merged';

export interface GitCommitOutcomeData {
  decision_id: string;
  decision_seq: number;
  service: string;
  region: string;
  file: string;
  from: number;
  to: number;
  mode: 'push' | 'pull_request';
  branch: string;
  repository: string | null;
  status: GitOutcomeStatus;
  /** The commit that carries the change (committed / noop / pr_opened / merged), when known. */
  sha: string | null;
  pr_number: number | null;
  pr_url: string | null;
  reason: string;
  /** The command's delivery count (0: observed by the leader, not executed). */
  attempt: number;
  /** Writes (pushes, file commits) the executor made for it. */
  writes: number;
  /** retrying: when the next delivery is due (ms from the outcome). */
  retry_in_ms: number | null;
  error: { name: string; status: number | null; code: string | null; message: string } | null;
}

export type GitCommitOutcome = EventEnvelope<'GitCommitOutcome', GitCommitOutcomeData>;

/** OUTCOMES: `git.<status>.<repo>` (`git.committed.platform`, `git.failed.>` for every failure). */
export function gitOutcomeSubject(status: GitOutcomeStatus, repo: string): string {
  return `git.${assertToken(status, 'status')}.${assertToken(repo, 'repo')}`;
}

/** One outcome per decision, status and delivery: a redelivered recording stores it once. */
export function gitOutcomeId(decisionId: string, status: GitOutcomeStatus, attempt: number): string {
  return `git:${decisionId}:${status}:${attempt}`;
}

/**
 * An executor outcome as the decider reads it (`command` of its region input); null for a status
 * that does not move a pending action (`retrying`).
 */
export function toCommandOutcome(data: GitCommitOutcomeData, at: number): CommandOutcome | null {
  const status = deciderStatus(data.status);
  if (status === null) return null;
  const reason = data.status === 'superseded' ? `superseded: ${data.reason}` : data.status === 'failed' ? data.reason : null;
  return { decision_id: data.decision_id, status, at, commit: data.sha, reason };
}

function deciderStatus(status: GitOutcomeStatus): CommandStatus | null {
  switch (status) {
    case 'committed':
      return 'pushed';
    case 'pr_opened':
      return 'pull_request_opened';
    case 'noop':
      return 'no_op';
    case 'merged':
      return 'merged';
    case 'failed':
    case 'superseded':
      // Superseded: a newer decision wrote the file, or this pull request was closed unmerged:
      // this decision's count will not be in the branch.
      return 'failed';
    case 'retrying':
      return null;
  }
}

/** Node drains asked for by a decision: one deterministic id per decision, node and direction. */
export function drainEventId(decisionId: string, nodeId: string, draining: boolean): string {
  return `autoscale-drain:${decisionId}:${nodeId}:${draining ? 'on' : 'off'}`;
}
