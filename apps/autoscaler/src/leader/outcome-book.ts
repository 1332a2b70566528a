// The git-commit executor's outcomes, followed on the OUTCOMES stream: the latest outcome that
// moves a decision on, per decision, for the decider's `command` input.
import type { CommandOutcome } from '@plane/autoscale';
import { followStream, STREAMS, type Plane } from '@plane/backbone';
import { decodeEvent } from '@plane/events';
import { toCommandOutcome, type GitCommitOutcomeData } from '../events.js';
import { Followed, type FollowedOptions } from './followed.js';

/** The longest a decision can stay pending: a drain (provision_timeout at most 24 h) then the commit (as long again). */
export const OUTCOME_HORIZON_MS = 49 * 3_600_000;

export interface BookEntry {
  /** The decider's view of it. */
  outcome: CommandOutcome;
  data: GitCommitOutcomeData;
  seq: number;
}

export class OutcomeBook extends Followed {
  private readonly latest = new Map<string, BookEntry>();
  private readonly listeners: ((e: BookEntry) => void)[] = [];

  constructor(
    private readonly plane: Plane,
    private readonly now: () => number = Date.now,
    opts: FollowedOptions = {},
  ) {
    super(opts);
  }

  /** Reads the outcomes of the last OUTCOME_HORIZON_MS (older decisions cannot be pending), then follows, again by itself after a NATS server goes away. */
  async start(): Promise<void> {
    const { js, jsm } = this.plane;
    await this.follow((options) =>
      followStream(js, jsm, {
        stream: STREAMS.outcomes.name,
        filter: 'git.>',
        from: { time: new Date(this.now() - OUTCOME_HORIZON_MS) },
        maxMessages: 512,
        onMessage: (m) => {
          try {
            const event = decodeEvent(m.data);
            if (event.type === 'GitCommitOutcome') this.add(event.data as GitCommitOutcomeData, m.info.streamSequence, Date.parse(event.time));
          } catch {
            // Not an outcome of ours: nothing to learn from it.
          }
        },
        ...options,
      }),
    );
  }

  /** Also used by the leader for what it observed itself (a merged pull request), before it comes back on the stream. */
  add(data: GitCommitOutcomeData, seq: number, at: number): void {
    const outcome = toCommandOutcome(data, Number.isFinite(at) ? at : this.now());
    if (outcome === null) return;
    const prev = this.latest.get(data.decision_id);
    if (prev !== undefined && prev.seq > seq) return;
    const entry = { outcome, data, seq };
    this.latest.set(data.decision_id, entry);
    if (this.isLoaded()) for (const l of this.listeners) l(entry);
  }

  get(decisionId: string): BookEntry | undefined {
    return this.latest.get(decisionId);
  }

  /** Forgets decisions no longer pending anywhere (called with the pending ids after each pass). */
  retain(pending: ReadonlySet<string>): void {
    const horizon = this.now() - OUTCOME_HORIZON_MS;
    for (const [id, e] of this.latest) if (!pending.has(id) && e.outcome.at < horizon) this.latest.delete(id);
  }

  onOutcome(listener: (e: BookEntry) => void): void {
    this.listeners.push(listener);
  }
}
