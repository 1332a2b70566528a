// The service's numbers from an nginx access log the agent tails.
import { LogTail } from './log-tail.js';
import { AccessLogTally } from './nginx.js';
import { errorText, type ServiceMetricSource, type ServiceReading } from './service-metrics.js';

export class NginxLogSource implements ServiceMetricSource {
  readonly description: string;
  private readonly tail: LogTail;
  private since = performance.now();

  constructor(readonly path: string) {
    this.description = `nginx ${path}`;
    this.tail = new LogTail(path);
  }

  async start(): Promise<void> {
    this.since = performance.now();
    await this.tail.openAtEnd().catch(() => undefined); // the first read reports it
  }

  async read(): Promise<ServiceReading> {
    const tally = new AccessLogTally();
    const now = performance.now();
    const seconds = (now - this.since) / 1000;
    this.since = now;
    try {
      await this.tail.readNew((line) => tally.add(line));
    } catch (err) {
      return { ok: false, error: `cannot read access log ${this.path}: ${errorText(err)}` };
    }
    return tally.numbers(seconds);
  }

  async close(): Promise<void> {
    await this.tail.close();
  }
}
