// Runs each target's probe at its slots (schedule.ts), through one concurrency limiter.
// A target has at most one probe waiting or running: when its next slot comes first, that round
// is skipped (and reported), so a slow target costs at most its own timeout and the queue never
// grows past the number of targets.
import { ConcurrencyLimiter } from './limiter.js';
import { nextSlotAfter, scheduleOffset } from './schedule.js';
import { targetSignature, type ProbeTarget } from './targets.js';

export interface ScheduledProbe {
  target: ProbeTarget;
  /** The round's scheduled time (ms since epoch): part of the event id. */
  slotMs: number;
  /** False once the target was dropped or redefined: its result must not be recorded. */
  isCurrent(): boolean;
}

export interface ProbeSchedulerOptions {
  concurrency: number;
  run(probe: ScheduledProbe): Promise<void>;
  onSkipped?(target: ProbeTarget, slotMs: number, reason: string): void;
  onError?(target: ProbeTarget, err: unknown): void;
  now?(): number;
}

interface Entry {
  target: ProbeTarget;
  signature: string;
  offsetMs: number;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  removed: boolean;
}

export interface TargetChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export class ProbeScheduler {
  readonly #entries = new Map<string, Entry>();
  readonly #limiter: ConcurrencyLimiter;
  readonly #running = new Set<Promise<void>>();
  readonly #now: () => number;
  #stopped = false;

  constructor(private readonly opts: ProbeSchedulerOptions) {
    this.#limiter = new ConcurrencyLimiter(opts.concurrency);
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get active(): number {
    return this.#limiter.active;
  }

  get queued(): number {
    return this.#limiter.queued;
  }

  /** Replaces the target set: new targets start at their next slot, dropped ones stop at once. */
  setTargets(targets: readonly ProbeTarget[]): TargetChanges {
    const changes: TargetChanges = { added: [], removed: [], changed: [] };
    if (this.#stopped) return changes;
    const wanted = new Map(targets.map((t) => [t.key, t]));
    for (const [key, entry] of this.#entries) {
      if (!wanted.has(key)) {
        this.#drop(entry);
        this.#entries.delete(key);
        changes.removed.push(key);
      }
    }
    for (const [key, target] of wanted) {
      const signature = targetSignature(target);
      const existing = this.#entries.get(key);
      if (existing && existing.signature === signature) {
        existing.target = target;
        continue;
      }
      if (existing) {
        this.#drop(existing);
        changes.changed.push(key);
      } else changes.added.push(key);
      const entry: Entry = { target, signature, offsetMs: scheduleOffset(key, target.interval_ms), timer: undefined, busy: false, removed: false };
      this.#entries.set(key, entry);
      this.#arm(entry, this.#now());
    }
    return changes;
  }

  /** Stops every timer and waits for the probes under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#drop(entry);
    this.#entries.clear();
    await Promise.allSettled([...this.#running]);
  }

  #drop(entry: Entry): void {
    entry.removed = true;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  #arm(entry: Entry, after: number): void {
    const slot = nextSlotAfter(after, entry.target.interval_ms, entry.offsetMs);
    entry.timer = setTimeout(() => this.#fire(entry, slot), Math.max(0, slot - this.#now()));
  }

  #fire(entry: Entry, slotMs: number): void {
    if (entry.removed || this.#stopped) return;
    // From the later of the slot and now: a stalled event loop skips missed rounds, never bursts them.
    this.#arm(entry, Math.max(slotMs, this.#now()));
    const target = entry.target;
    if (entry.busy) {
      this.opts.onSkipped?.(target, slotMs, 'the previous probe of this target has not finished');
      return;
    }
    entry.busy = true;
    const isCurrent = () => !entry.removed && !this.#stopped;
    const task = this.#limiter
      .run(async () => {
        if (!isCurrent()) return;
        await this.opts.run({ target, slotMs, isCurrent });
      })
      .catch((err: unknown) => this.opts.onError?.(target, err))
      .finally(() => {
        entry.busy = false;
        this.#running.delete(task);
      });
    this.#running.add(task);
  }
}
