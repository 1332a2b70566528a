// What runs while this replica holds the `autoscaler` lease: the views it decides from (nodes,
// outcomes, its own state), a pass every --evaluate-interval, and one soon after the `nodes`
// bucket changes, an outcome arrives, or (through `poke`) the declarations in force change.
import { BUCKETS, ensureBucket, lagBehind, STREAMS, within, type DesiredWatcher, type Plane } from '@plane/backbone';
import type { PullRequestExecutor } from '@plane/gitops';
import type { Logger } from '@plane/runtime';
import { Emitter, type EmitterOptions } from './emitter.js';
import { Evaluator, type PassReport } from './evaluator.js';
import { MergeWatcher } from './merge-watcher.js';
import type { NodePoolReader } from './node-pools.js';
import { NodesView } from './nodes-view.js';
import { OutcomeBook } from './outcome-book.js';
import { StateStore } from './state-store.js';

export interface LeaderOptions {
  plane: Plane;
  log: Logger;
  source: string;
  desired: DesiredWatcher;
  pools: NodePoolReader;
  repo: string;
  defaultBranch: string;
  dryRun: boolean;
  evaluateIntervalMs: number;
  /** The shortest wait between a change and the pass it triggers. */
  settleMs?: number;
  pullRequests?: PullRequestExecutor;
  prPollMs?: number;
  isLeader: () => boolean;
  onDecision?: EmitterOptions['onDecision'];
  onEffect?: EmitterOptions['onEffect'];
  onPass?: (report: PassReport, seconds: number) => void;
  onPassError?: (err: unknown) => void;
  /** The views must have loaded within this, or the start fails (and is retried). Default 60 s. */
  loadTimeoutMs?: number;
  /** See followStream (for the views' watches). */
  stallMs?: number;
}

/** Runs passes one at a time: a change during a pass asks for one more after it. */
class PassScheduler {
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private lastEnd = 0;
  private lastDurationMs = 0;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly settleMs: number,
  ) {}

  /** `tick`: now. `change`: after settleMs, and never sooner than the last pass's duration after it (a busy fleet's heartbeats keep the leader busy half the time at most). */
  request(why: 'tick' | 'change'): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const delay = why === 'tick' ? 0 : Math.max(this.settleMs, this.lastEnd + this.lastDurationMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fire();
    }, delay);
  }

  private async fire(): Promise<void> {
    this.running = true;
    const t0 = Date.now();
    try {
      await this.run();
    } finally {
      this.running = false;
      this.lastEnd = Date.now();
      this.lastDurationMs = this.lastEnd - t0;
      if (this.again) {
        this.again = false;
        this.request('change');
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

export class Leader {
  private nodes: NodesView | undefined;
  private book: OutcomeBook | undefined;
  private store: StateStore | undefined;
  private evaluator: Evaluator | undefined;
  private scheduler: PassScheduler | undefined;
  private interval: NodeJS.Timeout | undefined;
  private caughtUp = false;
  private firstPassDone = false;
  private stopped = false;
  private current: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: LeaderOptions) {}

  /** Loads the views, waits until they reflect the streams, re-publishes what a dead leader may have left undone, then evaluates. */
  async start(): Promise<void> {
    const { plane, log } = this.opts;
    // Every watch recovers by itself from a NATS server going away; each trouble is logged.
    const onTrouble = (message: string, err?: unknown): void => log.warn(err === undefined ? {} : { err: err instanceof Error ? err.message : String(err) }, message);
    const watch = { onTrouble, ...(this.opts.stallMs !== undefined ? { stallMs: this.opts.stallMs } : {}) };
    const nodes = new NodesView(await ensureBucket(plane.nc, BUCKETS.nodes), watch);
    const book = new OutcomeBook(plane, Date.now, watch);
    const store = new StateStore(plane);
    this.nodes = nodes;
    this.book = book;
    this.store = store;
    await Promise.all([nodes.start(), book.start(), store.start((err) => log.error({ err: String(err) }, 'autoscale projection: event not folded'), onTrouble)]);
    // Never wait silently: views that do not load in time fail the start, which is retried.
    await within(Promise.all([nodes.loaded, book.loaded]), this.opts.loadTimeoutMs ?? 60_000, 'loading the nodes and outcomes');
    if (this.stopped) return;
    const emitter = new Emitter({
      plane,
      log,
      source: this.opts.source,
      dryRun: this.opts.dryRun,
      repo: this.opts.repo,
      defaultBranch: this.opts.defaultBranch,
      ...(this.opts.onDecision ? { onDecision: this.opts.onDecision } : {}),
      ...(this.opts.onEffect ? { onEffect: this.opts.onEffect } : {}),
    });
    const reissued = await emitter.reissue(store.services(), (id) => book.get(id) !== undefined);
    if (reissued > 0) log.info({ reissued }, 'effects of pending actions published again after the change of leader');
    const merges = new MergeWatcher({ plane, log, book, repo: this.opts.repo, source: this.opts.source, pollMs: this.opts.prPollMs ?? 30_000, ...(this.opts.pullRequests ? { pullRequests: this.opts.pullRequests } : {}) });
    this.evaluator = new Evaluator({
      log,
      source: this.opts.source,
      defaultBranch: this.opts.defaultBranch,
      desired: () => this.opts.desired.current(),
      nodes,
      book,
      pools: this.opts.pools,
      store,
      emitter,
      merges,
      isLeader: () => this.opts.isLeader() && !this.stopped,
    });
    this.caughtUp = true;
    const scheduler = new PassScheduler(() => this.pass(), this.opts.settleMs ?? 50);
    this.scheduler = scheduler;
    nodes.onChange(() => scheduler.request('change'));
    book.onOutcome(() => scheduler.request('change'));
    this.interval = setInterval(() => scheduler.request('tick'), this.opts.evaluateIntervalMs);
    scheduler.request('tick');
  }

  private async pass(): Promise<void> {
    if (!this.evaluator || this.stopped) return;
    const t0 = performance.now();
    const p = this.evaluator.evaluate().then(
      (report) => {
        this.firstPassDone = true;
        this.opts.onPass?.(report, (performance.now() - t0) / 1000);
      },
      (err: unknown) => {
        this.opts.onPassError?.(err);
        this.opts.log.error({ err: (err as Error).message }, 'evaluation failed; retried at the next interval');
      },
    );
    this.current = p;
    await p;
  }

  /** Something the decisions depend on changed (the declarations in force): evaluate soon. */
  poke(): void {
    this.scheduler?.request('change');
  }

  /**
   * How many messages each view is behind its stream (for the lag metric): the nodes bucket's and
   * the git outcomes'. Empty before the views started.
   */
  async lags(): Promise<{ view: string; messages: number }[]> {
    const { nodes, book } = this;
    if (!nodes || !book) return [];
    const { jsm } = this.opts.plane;
    const [nodesLag, outcomesLag] = await Promise.all([lagBehind(jsm, `KV_${BUCKETS.nodes.name}`, `$KV.${BUCKETS.nodes.name}.>`, nodes.position()), lagBehind(jsm, STREAMS.outcomes.name, 'git.>', book.position())]);
    return [
      { view: 'nodes', messages: nodesLag },
      { view: 'outcomes', messages: outcomesLag },
    ];
  }

  /** Ready: every view loaded and one pass done. */
  readiness(): true | string {
    if (!this.caughtUp) return 'leader loading nodes, outcomes and decider state';
    if (!this.firstPassDone) return 'leader before its first evaluation';
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler?.stop();
    if (this.interval) clearInterval(this.interval);
    await this.current.catch(() => undefined);
    await this.nodes?.stop();
    await this.book?.stop();
    await this.store?.stop();
  }
}
