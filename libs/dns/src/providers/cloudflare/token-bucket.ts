// Client-side pacing: a token bucket refilled at `ratePerSecond`, holding at most `capacity`.
// Callers are served in arrival order.

export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
  ) {
    if (!(ratePerSecond > 0) || !(capacity >= 1)) throw new Error('TokenBucket needs ratePerSecond > 0 and capacity >= 1');
    this.tokens = capacity;
  }

  /** Resolves when a request may go out. */
  take(): Promise<void> {
    const turn = this.tail.then(() => this.acquire());
    this.tail = turn;
    return turn;
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
    }
  }
}
