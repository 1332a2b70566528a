// Where a heartbeat's qps / rtt_ms / error_rate come from. A source that fails says so: the
// heartbeat then carries exporter_ok false with the reason and zeros, never invented numbers.

export interface ServiceNumbers {
  qps: number;
  rtt_ms: number;
  error_rate: number;
}

export type ServiceReading = { ok: true; numbers: ServiceNumbers } | { ok: false; error: string };

export interface ServiceMetricSource {
  /** For logs and --help: `static`, `prometheus URL`, `nginx FILE`, `none`. */
  readonly description: string;
  /** Takes the baseline the first reading is measured against. Never throws. */
  start(): Promise<void>;
  /** The numbers since the previous reading (or start). Never throws. */
  read(): Promise<ServiceReading>;
  close(): Promise<void>;
}

export const ZERO: ServiceNumbers = { qps: 0, rtt_ms: 0, error_rate: 0 };

/** Fixed numbers (tests, demos). */
export class StaticSource implements ServiceMetricSource {
  readonly description = 'static';
  constructor(private readonly numbers: ServiceNumbers) {}
  async start(): Promise<void> {}
  async read(): Promise<ServiceReading> {
    return { ok: true, numbers: this.numbers };
  }
  async close(): Promise<void> {}
}

/** No source configured: the node serves no measured traffic; nothing failed. */
export class NoSource implements ServiceMetricSource {
  readonly description = 'none';
  async start(): Promise<void> {}
  async read(): Promise<ServiceReading> {
    return { ok: true, numbers: ZERO };
  }
  async close(): Promise<void> {}
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code = (err as NodeJS.ErrnoException).code;
    const causeText = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
    return `${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}${causeText}`;
  }
  return String(err);
}
