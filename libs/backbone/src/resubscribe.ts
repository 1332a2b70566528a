// What a stream follower and a work-queue runner share: a subscription that a watchdog replaces
// when it ended or went quiet while it should not have, one step at a time and each step bounded,
// until `stop()`. The subclass makes the subscription and says whether a quiet one is stalled.
import type { ConsumerMessages } from '@nats-io/jetstream';

/** Rejects when `p` does not settle within `ms` (the work itself is not cancelled). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The longest one step of subscribing again may take before it is abandoned and tried anew. */
export const STEP_MS = 15_000;

export abstract class Resubscribing {
  protected messages: ConsumerMessages | undefined;
  /** The current subscription's loop (ends once its iterator does). */
  protected loop: Promise<void> | undefined;
  protected stopped = false;
  /** A message is being handled: the watchdog waits for it. */
  protected handling = false;
  /** The current subscription ended (its iterator finished or failed): subscribe again. */
  protected ended = false;
  protected lastActivity = Date.now();
  /** Numbers subscription attempts: one that was abandoned (it took too long) cleans up after itself. */
  protected attempt = 0;
  private checking = false;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  /** Times it subscribed again after trouble. */
  resubscriptions(): number {
    return this.count;
  }

  /** Makes a subscription; one whose `attempt` is no longer current when it stands (or made after stop) must undo itself and throw. */
  protected abstract subscribe(): Promise<void>;
  /** The subscription ended or was quiet for `stallMs`: true (with the reason reported) when it must be replaced. */
  protected abstract diagnose(): Promise<boolean>;
  protected abstract stallMs(): number;
  protected abstract trouble(message: string, err?: unknown): void;
  /** Before each new subscription (bounded by STEP_MS). */
  protected prepare(): Promise<void> {
    return Promise.resolve();
  }
  /** After each new subscription that replaced a troubled one. */
  protected resubscribed(): void {}
  /** Lets go of the current subscription. */
  protected release(): void {
    const messages = this.messages;
    this.messages = undefined;
    messages?.stop();
  }

  /**
   * Makes `messages` (from attempt `attempt`) the current subscription; when that attempt was given
   * up on, or the reader stopped, while it was being made, stops it, runs `undo` and throws.
   */
  protected adopt(attempt: number, messages: ConsumerMessages, undo?: () => void): void {
    if (attempt !== this.attempt || this.stopped) {
      messages.stop();
      undo?.();
      throw new Error('subscription abandoned');
    }
    this.messages = messages;
    this.ended = false;
    this.lastActivity = Date.now();
  }

  /** `subscribe()`, abandoned when it takes longer than STEP_MS. */
  protected async subscribeWithin(what: string): Promise<void> {
    try {
      await within(this.subscribe(), STEP_MS, what);
    } catch (err) {
      this.attempt++; // abandon it, should it still finish
      throw err;
    }
  }

  protected watch(checkMs: number): void {
    this.timer = setInterval(() => void this.check(), checkMs);
  }

  private async check(): Promise<void> {
    if (this.stopped || this.checking || this.handling) return;
    if (!this.ended && Date.now() - this.lastActivity < this.stallMs()) return;
    this.checking = true;
    try {
      if (!(await this.diagnose())) return;
      this.release();
      // The old subscription's loop ends once its iterator does; it must not hold the watchdog.
      await within(this.loop ?? Promise.resolve(), 5000, 'ending the old subscription').catch(() => undefined);
      if (this.stopped) return;
      this.ended = true; // until the new subscription stands
      await within(this.prepare(), STEP_MS, 'preparing the new subscription');
      await this.subscribeWithin('subscribing again');
      this.count++;
      this.resubscribed();
    } catch (err) {
      this.trouble(`could not check or subscribe again (retried): ${messageOf(err)}`, err);
    } finally {
      this.checking = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.release();
    await this.loop?.catch(() => undefined);
  }
}

/** Starts `r`; when that fails, stops what it left behind and throws (the caller retries its start). */
export async function startedOrStopped<T extends { start(): Promise<void>; stop(): Promise<void> }>(r: T): Promise<T> {
  try {
    await r.start();
  } catch (err) {
    await r.stop();
    throw err;
  }
  return r;
}
