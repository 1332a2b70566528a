// What the leader's in-memory views share: a follower that recovers by itself after a NATS server
// goes away, a `loaded` promise for "everything there was at start is in", and a stop that also
// holds for a start still under way.
import type { Follower } from '@plane/backbone';

export interface FollowedOptions {
  /** A transient failure it recovers from (followed again): for the log. */
  onTrouble?: (message: string, err?: unknown) => void;
  /** See followStream. */
  stallMs?: number;
}

export abstract class Followed {
  private follower: Follower | undefined;
  private stopped = false;
  private caughtUp = false;
  private markCaughtUp!: () => void;
  /** Resolves once everything there was at start is loaded. */
  readonly loaded = new Promise<void>((resolve) => (this.markCaughtUp = resolve));

  constructor(protected readonly opts: FollowedOptions = {}) {}

  /** Starts the follower with the options every follower of a view takes; a view stopped meanwhile stops it at once. */
  protected async follow(start: (options: FollowedOptions) => Promise<Follower>): Promise<void> {
    const follower = await start({
      ...(this.opts.onTrouble ? { onTrouble: this.opts.onTrouble } : {}),
      ...(this.opts.stallMs !== undefined ? { stallMs: this.opts.stallMs } : {}),
    });
    this.follower = follower;
    if (this.stopped) await follower.stop();
    void follower.caughtUp.then(() => {
      if (this.caughtUp) return;
      this.caughtUp = true;
      this.markCaughtUp();
    });
  }

  isLoaded(): boolean {
    return this.caughtUp;
  }

  /** The stream sequence of the last message folded (0 before the start). */
  position(): number {
    return this.follower?.position() ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.follower?.stop();
  }
}
