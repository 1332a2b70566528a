// The git-commit executor of every replica: one durable pull consumer on `cmd.git.<repo>` of the
// COMMANDS work queue (the commands of the repository this replica pushes to: another
// deployment's commands for another repository are never taken), one command at a time across
// all replicas (max_ack_pending 1). For each:
// parse, apply through @plane/gitops (which reads the branch first and is idempotent by the
// decision trailer), record the outcome on OUTCOMES, and only then ack. Transport trouble and
// rate limits are retried by redelivery (nak with backoff and jitter, honouring retry-after),
// each recorded as a `retrying` outcome. A NATS server going away neither loses an outcome (its
// publish is retried under the same id) nor stalls the consumer (runWorkQueue consumes again).
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { isNotFound, publishEvent, runWorkQueue, STREAMS, type Plane, type WorkQueueRunner } from '@plane/backbone';
import { decodeEvent, envelope } from '@plane/events';
import { GitCommandError, GitHubApiError, InvalidCommandError, parseGitCommitCommand, type GitCommitCommand, type GitCommitExecutor, type GitCommitOutcome as ExecutorOutcome } from '@plane/gitops';
import type { Logger } from '@plane/runtime';
import { gitCommandSubject, gitOutcomeId, gitOutcomeSubject, type GitCommitOutcome, type GitCommitOutcomeData, type GitOutcomeStatus } from '../events.js';

/** The durable consumer shared by every replica executing commands for `repo`. */
export function executorDurable(repo: string): string {
  return `git-commit-executor-${repo}`;
}

export interface GitCommitWorkerOptions {
  plane: Plane;
  log: Logger;
  executor: GitCommitExecutor;
  /** The repository token of outcome subjects (`git.<status>.<repo>`). */
  repo: string;
  source: string;
  /** A command not acked within this is redelivered (to another replica if this one died). */
  ackWaitMs?: number;
  /** Deliveries before a command that keeps failing is given up (recorded `failed`). */
  maxAttempts?: number;
  /** First retry delay; doubled per delivery, capped at maxRetryDelayMs, jittered into [half, full]. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  random?: () => number;
  /** Test seam: wait this long after the effect, before its outcome is recorded and the command acked (the crash window). */
  pauseAfterEffectMs?: number;
  onOutcome?: (status: GitOutcomeStatus) => void;
  /** Nothing delivered for this long while commands wait and none is in flight: consume again. Default 10 s. */
  stallMs?: number;
  /** How often that is checked. Default 2 s. */
  checkMs?: number;
}

const NS = 1_000_000;

/** The delay before redelivery `attempt` + 1: exponential with jitter, at least what GitHub asked for. */
export function retryDelayMs(attempt: number, opts: { baseMs: number; maxMs: number; retryAfterS?: number; random?: () => number }): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (opts.random ?? Math.random)() * (exp / 2);
  return Math.round(Math.max(jittered, (opts.retryAfterS ?? 0) * 1000));
}

function errorInfo(err: unknown): GitCommitOutcomeData['error'] {
  if (err instanceof GitHubApiError) return { name: err.name, status: err.status ?? null, code: err.code ?? null, message: err.message };
  if (err instanceof GitCommandError) return { name: err.name, status: err.exitCode, code: err.command, message: err.message };
  return { name: err instanceof Error ? err.name : 'Error', status: null, code: null, message: err instanceof Error ? err.message : String(err) };
}

/** Retried by redelivery: transport trouble, rate limits, 5xx; and anything unexpected (bounded by maxAttempts). */
function isRetryable(err: unknown): boolean {
  if (err instanceof GitHubApiError) return err.retryable;
  if (err instanceof GitCommandError) return err.retryable;
  return true;
}

export class GitCommitWorker {
  private runner: WorkQueueRunner | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly opts: GitCommitWorkerOptions) {}

  private get ackWaitMs(): number {
    return this.opts.ackWaitMs ?? 30_000;
  }

  private get durable(): string {
    return executorDurable(this.opts.repo);
  }

  /** Creates the durable consumer, or brings its ack wait up to date. */
  private async ensureConsumer(): Promise<void> {
    const { plane } = this.opts;
    const durable = this.durable;
    const config = {
      durable_name: durable,
      filter_subject: gitCommandSubject(this.opts.repo),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: this.ackWaitMs * NS,
      max_deliver: -1,
      max_ack_pending: 1,
    };
    try {
      const info = await plane.jsm.consumers.info(STREAMS.commands.name, durable);
      if (info.config.ack_wait !== config.ack_wait) await plane.jsm.consumers.update(STREAMS.commands.name, durable, { ack_wait: config.ack_wait });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await plane.jsm.consumers.add(STREAMS.commands.name, config).catch(async (e: unknown) => {
        // Another replica created it first.
        await plane.jsm.consumers.info(STREAMS.commands.name, durable).catch(() => {
          throw e;
        });
      });
    }
  }

  /** Consumes the commands, and consumes again by itself after a NATS server goes away (runWorkQueue). */
  async start(): Promise<void> {
    const { plane, log } = this.opts;
    this.runner = await runWorkQueue(plane.js, plane.jsm, {
      stream: STREAMS.commands.name,
      durable: this.durable,
      ensure: () => this.ensureConsumer(),
      handle: (m) => this.handle(m),
      onTrouble: (message, err) => log.warn(err === undefined ? {} : { err: err instanceof Error ? err.message : String(err) }, message),
      ...(this.opts.stallMs !== undefined ? { stallMs: this.opts.stallMs } : {}),
      ...(this.opts.checkMs !== undefined ? { checkMs: this.opts.checkMs } : {}),
    });
    this.started = true;
  }

  isStarted(): boolean {
    return this.started;
  }

  /** Times the consumer was consumed again after trouble. */
  resubscriptions(): number {
    return this.runner?.resubscriptions() ?? 0;
  }

  private async record(cmd: GitCommitCommand, status: GitOutcomeStatus, fields: Partial<GitCommitOutcomeData>, attempt: number): Promise<void> {
    const data: GitCommitOutcomeData = {
      decision_id: cmd.decision_id,
      decision_seq: cmd.decision_seq,
      service: cmd.service,
      region: cmd.region,
      file: cmd.file,
      from: cmd.from,
      to: cmd.to,
      mode: cmd.mode,
      branch: cmd.branch,
      repository: cmd.repository ?? null,
      status,
      sha: null,
      pr_number: null,
      pr_url: null,
      reason: '',
      attempt,
      writes: 0,
      retry_in_ms: null,
      error: null,
      ...fields,
    };
    const event: GitCommitOutcome = envelope('GitCommitOutcome', gitOutcomeId(cmd.decision_id, status, attempt), data, this.opts.source);
    // The effect may already have happened: its record must not be lost to a brief NATS outage (a
    // stream electing a new leader). Retried with the same id, so it is stored once.
    let pub: { seq: number } | undefined;
    for (let i = 1; pub === undefined; i++) {
      try {
        pub = await publishEvent(this.opts.plane.js, gitOutcomeSubject(status, this.opts.repo), event);
      } catch (err) {
        if (i >= 20 || this.stopped) throw err;
        this.opts.log.warn({ event: event.id, attempt: i, err: (err as Error).message }, 'outcome not recorded yet; retried');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
    this.opts.onOutcome?.(status);
    const level = status === 'failed' ? 'error' : status === 'retrying' || status === 'superseded' ? 'warn' : 'info';
    this.opts.log[level]({ event: event.id, seq: pub.seq, decision: cmd.decision_id, file: cmd.file, status, sha: data.sha, pr: data.pr_number, attempt }, `${cmd.service} ${cmd.region}: ${status}: ${data.reason}`);
  }

  private async handle(m: JsMsg): Promise<void> {
    const attempt = m.info.deliveryCount;
    let cmd: GitCommitCommand;
    try {
      const event = decodeEvent(m.data);
      if (event.type !== 'GitCommit') throw new InvalidCommandError([`event type ${event.type} is not a GitCommit command`]);
      cmd = parseGitCommitCommand(event.data);
    } catch (err) {
      await this.reject(m, err, attempt);
      return;
    }
    // Keep the message ours while git works (a slow push must not be redelivered to another replica).
    const working = setInterval(() => m.working(), Math.max(1000, Math.floor(this.ackWaitMs / 3)));
    try {
      let outcome: ExecutorOutcome;
      try {
        outcome = await this.opts.executor.execute(cmd);
      } catch (err) {
        await this.retryOrFail(m, cmd, err, attempt);
        return;
      }
      if (this.opts.pauseAfterEffectMs) await new Promise((r) => setTimeout(r, this.opts.pauseAfterEffectMs));
      await this.record(
        cmd,
        outcome.status,
        { sha: outcome.sha ?? null, pr_number: outcome.pr_number ?? null, pr_url: outcome.pr_url ?? null, reason: outcome.reason, writes: outcome.attempts },
        attempt,
      );
      await this.ack(m, cmd);
    } finally {
      clearInterval(working);
    }
  }

  /** Acks and waits for the server to confirm; an unconfirmed ack is logged (if it was lost, the command comes back after ack_wait and is found applied). */
  private async ack(m: JsMsg, cmd: GitCommitCommand): Promise<void> {
    try {
      await m.ackAck({ timeout: 5000 });
    } catch (err) {
      this.opts.log.warn({ decision: cmd.decision_id, seq: m.info.streamSequence, err: (err as Error).message }, 'ack not confirmed; if it was lost the command is redelivered after ack_wait and found already applied');
    }
  }

  private async retryOrFail(m: JsMsg, cmd: GitCommitCommand, err: unknown, attempt: number): Promise<void> {
    const maxAttempts = this.opts.maxAttempts ?? 20;
    const error = errorInfo(err);
    if (isRetryable(err) && attempt < maxAttempts) {
      const retryAfterS = err instanceof GitHubApiError ? err.retryAfterS : undefined;
      const wait = retryDelayMs(attempt, {
        baseMs: this.opts.retryBaseMs ?? 1000,
        maxMs: this.opts.maxRetryDelayMs ?? 300_000,
        ...(retryAfterS !== undefined ? { retryAfterS } : {}),
        ...(this.opts.random ? { random: this.opts.random } : {}),
      });
      await this.record(cmd, 'retrying', { error, retry_in_ms: wait, reason: `attempt ${attempt} of ${maxAttempts} failed (${error?.message ?? 'unknown error'}); redelivered in ${wait} ms${retryAfterS !== undefined ? ` (GitHub asked for ${retryAfterS}s)` : ''}` }, attempt);
      m.nak(wait);
      return;
    }
    const why = isRetryable(err) ? `gave up after ${attempt} attempts` : 'refused';
    await this.record(cmd, 'failed', { error, reason: `${why}: ${error?.message ?? 'unknown error'}; nothing written` }, attempt);
    m.term();
  }

  /** A message that is not a valid command: recorded as failed when it names its decision, then terminated. */
  private async reject(m: JsMsg, err: unknown, attempt: number): Promise<void> {
    const problems = err instanceof InvalidCommandError ? err.problems.join('; ') : (err as Error).message;
    let raw: Record<string, unknown> = {};
    try {
      raw = (decodeEvent(m.data).data ?? {}) as Record<string, unknown>;
    } catch {
      // Not even an event.
    }
    const text = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
    const count = (k: string): number => (typeof raw[k] === 'number' ? (raw[k] as number) : 0);
    const decisionId = text('decision_id') || `cmd-seq-${m.info.streamSequence}`;
    this.opts.log.error({ subject: m.subject, seq: m.info.streamSequence, decision: decisionId, problems }, 'COMMANDS: not a valid git-commit command; dropped');
    const partial: GitCommitCommand = {
      decision_id: decisionId,
      service: text('service'),
      region: text('region'),
      file: text('file'),
      from: count('from'),
      to: count('to'),
      message: text('message'),
      mode: raw.mode === 'pull_request' ? 'pull_request' : 'push',
      branch: text('branch'),
      auto_merge: false,
      explanation: '',
      decision_seq: count('decision_seq'),
    };
    await this.record(partial, 'failed', { reason: `invalid command: ${problems}; nothing written`, error: { name: 'InvalidCommandError', status: null, code: null, message: problems } }, attempt).catch(() => undefined);
    m.term();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.runner?.stop();
  }
}
