// pull_request mode: a pending action whose pull request is open moves on when the change is in
// the base branch. The leader sees that in two ways and records it as a `merged` outcome:
//   - the node pool file at the head of the branch (read each pass anyway) shows the target;
//   - GitHub says the pull request was merged (`baseShows` / `pullRequestMerged`, polled at most
//     every `pollMs` per pull request: the API is rate limited); closed unmerged -> `superseded`.
import type { AutoscaleState, PendingAction } from '@plane/autoscale';
import { publishEvent, type Plane } from '@plane/backbone';
import { envelope } from '@plane/events';
import { GitHubApiError, type PullRequestExecutor } from '@plane/gitops';
import type { Logger } from '@plane/runtime';
import { gitOutcomeId, gitOutcomeSubject, type GitCommitOutcome, type GitCommitOutcomeData, type GitOutcomeStatus } from '../events.js';
import type { BookEntry, OutcomeBook } from './outcome-book.js';

export interface MergeWatcherOptions {
  plane: Plane;
  log: Logger;
  book: OutcomeBook;
  repo: string;
  source: string;
  pullRequests?: PullRequestExecutor;
  pollMs: number;
  now?: () => number;
}

export class MergeWatcher {
  private readonly lastPoll = new Map<string, number>();

  constructor(private readonly opts: MergeWatcherOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Checks the service's actions waiting for a merge; `countAt(region)` is the node count at the branch head. */
  async check(state: AutoscaleState, countAt: (region: string) => number | null, head: string | null): Promise<void> {
    for (const [region, rs] of Object.entries(state.regions)) {
      const p = rs.pending;
      if (!p || p.phase !== 'committed') continue;
      const entry = this.opts.book.get(p.id);
      if (!entry || entry.data.status !== 'pr_opened') continue;
      if (countAt(region) === p.to) {
        await this.record(entry, 'merged', head, `${entry.data.file} on ${entry.data.branch} shows node_count ${p.to}${head ? ` at ${head}` : ''}: pull request #${entry.data.pr_number ?? '?'} is merged`);
        continue;
      }
      await this.poll(p, entry);
    }
  }

  private async poll(p: PendingAction, entry: BookEntry): Promise<void> {
    const gh = this.opts.pullRequests;
    const d = entry.data;
    if (!gh || d.repository === null || d.pr_number === null) return;
    const now = this.now();
    if (now - (this.lastPoll.get(p.id) ?? 0) < this.opts.pollMs) return;
    this.lastPoll.set(p.id, now);
    try {
      const pr = await gh.pullRequestMerged(d.repository, d.pr_number);
      if (pr.merged || (await gh.baseShows(d.repository, d.branch, d.file, p.to))) {
        await this.record(entry, 'merged', null, `pull request #${d.pr_number} of ${d.repository} is merged into ${d.branch}`);
      } else if (pr.state === 'closed') {
        await this.record(entry, 'superseded', null, `pull request #${d.pr_number} of ${d.repository} was closed without merging`);
      }
    } catch (err) {
      const retry = err instanceof GitHubApiError && err.retryAfterS !== undefined ? ` (GitHub asks to wait ${err.retryAfterS}s)` : '';
      if (err instanceof GitHubApiError && err.retryAfterS !== undefined) this.lastPoll.set(p.id, now + err.retryAfterS * 1000);
      this.opts.log.warn({ decision: p.id, pr: d.pr_number, err: (err as Error).message }, `pull request state not read${retry}; asked again later`);
    }
  }

  private async record(entry: BookEntry, status: GitOutcomeStatus, sha: string | null, reason: string): Promise<void> {
    const data: GitCommitOutcomeData = { ...entry.data, status, sha: sha ?? entry.data.sha, reason, attempt: 0, writes: 0, retry_in_ms: null, error: null };
    const event: GitCommitOutcome = envelope('GitCommitOutcome', gitOutcomeId(data.decision_id, status, 0), data, this.opts.source);
    const pub = await publishEvent(this.opts.plane.js, gitOutcomeSubject(status, this.opts.repo), event);
    this.opts.book.add(data, pub.seq, this.now());
    this.lastPoll.delete(data.decision_id);
    this.opts.log.info({ event: event.id, decision: data.decision_id, status }, reason);
  }
}
