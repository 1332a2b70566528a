// Scrapes the service's Prometheus endpoint; rates come from two scrapes `interval` apart.
import { parsePrometheusText, requestCountersOf, serviceRates, type RequestCounters, type RequestMetricNames } from './prometheus.js';
import { errorText, type ServiceMetricSource, type ServiceReading } from './service-metrics.js';

const MAX_SCRAPE_BYTES = 16 * 1024 * 1024;

interface Baseline {
  counters: RequestCounters;
  at: number;
}

export class PrometheusSource implements ServiceMetricSource {
  readonly description: string;
  private baseline: Baseline | undefined;

  constructor(
    private readonly url: string,
    private readonly names: RequestMetricNames,
    private readonly timeoutMs: number,
  ) {
    this.description = `prometheus ${url}`;
  }

  private async scrape(): Promise<RequestCounters> {
    let res: Response;
    try {
      res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' } });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError') throw new Error(`scrape of ${this.url} timed out after ${this.timeoutMs} ms`);
      throw new Error(`scrape of ${this.url} failed: ${errorText(err)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`scrape of ${this.url} answered HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_SCRAPE_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`scrape of ${this.url}: ${declared} bytes is over ${MAX_SCRAPE_BYTES}`);
    }
    const text = await res.text();
    try {
      return requestCountersOf(parsePrometheusText(text), this.names);
    } catch (err) {
      throw new Error(`scrape of ${this.url}: ${(err as Error).message}`);
    }
  }

  async start(): Promise<void> {
    // The first fetch of a process loads the HTTP client, which would skew the baseline's clock.
    await this.scrape().catch(() => undefined);
    try {
      const at = performance.now();
      this.baseline = { counters: await this.scrape(), at };
    } catch {
      this.baseline = undefined; // the first read reports the failure
    }
  }

  async read(): Promise<ServiceReading> {
    let counters: RequestCounters;
    // Like Prometheus, a scrape's time is when it started: the exporter reads its counters then.
    const at = performance.now();
    try {
      counters = await this.scrape();
    } catch (err) {
      // Rates across a failure would mix an old baseline into new numbers: start over.
      this.baseline = undefined;
      return { ok: false, error: (err as Error).message };
    }
    const before = this.baseline;
    this.baseline = { counters, at };
    if (!before) return { ok: false, error: `scrape of ${this.url} works again; rates need a second scrape (next heartbeat)` };
    return { ok: true, numbers: serviceRates(before.counters, counters, (at - before.at) / 1000, this.names.durationUnit) };
  }

  async close(): Promise<void> {}
}
