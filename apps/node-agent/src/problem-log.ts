// A failure that repeats every heartbeat is logged when it starts, when its message changes, and
// once a minute while it lasts; its end is logged once. Logs stay readable at a 1 s interval.
import type { Logger } from '@plane/runtime';

export class ProblemLog {
  private readonly open = new Map<string, { message: string; at: number }>();

  constructor(
    private readonly log: Logger,
    private readonly repeatMs = 60_000,
  ) {}

  problem(key: string, message: string, fields: Record<string, unknown> = {}, level: 'warn' | 'error' = 'warn'): void {
    const prev = this.open.get(key);
    const now = Date.now();
    if (prev && prev.message === message && now - prev.at < this.repeatMs) return;
    this.open.set(key, { message, at: now });
    this.log[level]({ ...fields, problem: key }, message);
  }

  resolved(key: string, message: string, fields: Record<string, unknown> = {}): void {
    if (this.open.delete(key)) this.log.info({ ...fields, problem: key }, message);
  }

  isOpen(key: string): boolean {
    return this.open.has(key);
  }
}
