// The gateway-sync worker: follows the `upstreams` bucket, and after each burst of changes
// renders the nginx upstreams and puts them in force (only when the text changed).
import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from '@plane/runtime';
import { parsePool, type UpstreamPool } from './upstreams/pool.js';
import { describeChange, renderUpstreams, type Rendered, type RenderOptions } from './nginx/render.js';
import type { ApplyOutcome, NginxApplier } from './nginx/applier.js';

export interface WorkerOptions {
  kv: KV;
  applier: NginxApplier;
  render: RenderOptions;
  /** Changes within this window are rendered together. */
  debounceMs: number;
  /** A failed write, test or reload is tried again after this long. */
  retryMs: number;
  /**
   * Whether the bucket reflects NODES at all yet (a projection has recorded a position, or NODES
   * is empty). Until it does, nothing is rendered: an empty bucket is a lagging projection, not a
   * fleet without nodes (fail static).
   */
  bucketReady?: () => Promise<boolean>;
  /** How often bucketReady is asked while it says no. */
  bucketPollMs?: number;
  log: Logger;
  onPass?: (outcome: ApplyOutcome, rendered: Rendered) => void;
}

/** Pool keys are `<service>.<region>`: `_position` and anything else is not a pool. */
const POOL_KEYS = '*.*';

export class GatewayWorker {
  private readonly pools = new Map<string, { revision: number; pool: UpstreamPool | undefined }>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** No pass before the first snapshot of a filled bucket. */
  private open = false;
  private stopWatch: (() => void) | undefined;
  private last: ApplyOutcome | undefined;
  /** The render last put in force (undefined: the file as found at start). */
  private inForce: Rendered | undefined;

  constructor(private readonly opts: WorkerOptions) {}

  async start(): Promise<void> {
    await this.opts.applier.load();
    // Watch first, then read what is there: an update between the two is seen by the watch, and
    // revisions keep the newer of the two.
    const iter = await this.opts.kv.watch({ key: POOL_KEYS, include: 'updates' });
    this.stopWatch = () => iter.stop();
    void (async () => {
      for await (const e of iter) {
        if (this.stopped) break;
        if (this.take(e) && this.open) this.schedule(this.opts.debounceMs);
      }
    })().catch((err: unknown) => this.opts.log.error({ err: String(err) }, 'upstreams watch ended'));
    if (this.opts.bucketReady && !(await this.opts.bucketReady())) {
      this.opts.log.info('waiting for the upstreams projection to fill the bucket: nginx keeps its current upstreams until then');
      while (!this.stopped && !(await this.opts.bucketReady())) await new Promise((r) => setTimeout(r, this.opts.bucketPollMs ?? 200));
    }
    await this.readSnapshot();
    this.open = true;
    await this.pass();
  }

  private async readSnapshot(): Promise<void> {
    const keys: string[] = [];
    for await (const k of await this.opts.kv.keys(POOL_KEYS)) keys.push(k);
    const entries = await Promise.all(keys.map((k) => this.opts.kv.get(k)));
    for (const e of entries) if (e) this.take(e);
  }

  /** Folds a bucket entry in; false when it was older than what is known. */
  private take(e: KvEntry): boolean {
    const known = this.pools.get(e.key);
    if (known && known.revision >= e.revision) return false;
    let pool: UpstreamPool | undefined;
    if (e.operation === 'PUT' && e.value.length > 0) {
      try {
        pool = parsePool(e.json<unknown>());
      } catch {
        pool = undefined;
      }
      if (!pool) this.opts.log.warn({ key: e.key, revision: e.revision }, 'upstreams: a value that is not a pool; ignored');
    }
    this.pools.set(e.key, { revision: e.revision, pool });
    return true;
  }

  /** A pass within delayMs (an earlier one already planned stands; a later one, a retry, is brought forward). */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.timer) {
      if (this.dueAt <= due) return;
      clearTimeout(this.timer);
    }
    this.dueAt = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, delayMs);
  }

  /** Renders and applies now; a change arriving meanwhile makes one more pass afterwards. */
  pass(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        const pools = [...this.pools.values()].flatMap((p) => (p.pool ? [p.pool] : []));
        const rendered = renderUpstreams(pools, this.opts.render);
        for (const w of rendered.warnings) this.opts.log.warn(w);
        const outcome = await this.opts.applier.apply(rendered.text);
        this.last = outcome;
        this.opts.onPass?.(outcome, rendered);
        if (outcome.outcome === 'applied') {
          const change = describeChange(this.inForce, rendered);
          this.opts.log.info({ ...change, servers: Object.fromEntries(rendered.servers), reloaded: outcome.reloaded }, `nginx upstreams put in force${this.inForce ? `: +${change.added.length} -${change.removed.length}` : ''}`);
          this.inForce = rendered;
        } else if (outcome.outcome === 'unchanged') {
          this.inForce = rendered;
        } else {
          this.opts.log.warn({ outcome: outcome.outcome, retryMs: this.opts.retryMs }, 'nginx upstreams not in force; trying again later');
          this.schedule(this.opts.retryMs);
        }
      } catch (err) {
        this.opts.log.error({ err: String(err) }, 'render pass failed; trying again later');
        this.schedule(this.opts.retryMs);
      } finally {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule(this.opts.debounceMs);
        }
      }
    })();
    return this.running;
  }

  /** true when the last pass put the upstreams in force (or found them so), else why not. */
  ready(): true | string {
    if (!this.last) return 'no render yet';
    if (this.last.outcome === 'applied' || this.last.outcome === 'unchanged') return true;
    return `${this.last.outcome}: ${this.last.error}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopWatch?.();
    await this.running;
  }
}
