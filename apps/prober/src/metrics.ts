import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProberMetrics {
  /** result: ok | failed | exporter_error | skipped (the previous probe of the target was still under way). */
  probes: Counter<'check' | 'result'>;
  latency: Histogram<'check' | 'result'>;
  targets: Gauge;
  publishFailures: Counter;
  /** 1 while the blackbox exporter answers (only with --blackbox-url). */
  exporterUp: Gauge;
}

export function createProberMetrics(registry: Registry): ProberMetrics {
  const registers = [registry];
  return {
    probes: new Counter({ name: 'prober_probes_total', help: 'Probes by check type and result', labelNames: ['check', 'result'], registers }),
    latency: new Histogram({
      name: 'prober_probe_latency_seconds',
      help: 'Latency of probes that got an answer or timed out',
      labelNames: ['check', 'result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    targets: new Gauge({ name: 'prober_targets', help: 'Node IPs being probed', registers }),
    publishFailures: new Counter({ name: 'prober_publish_failures_total', help: 'Probe results that could not be stored on the NODES stream', registers }),
    exporterUp: new Gauge({ name: 'prober_blackbox_up', help: '1 when the last blackbox exporter request was answered', registers }),
  };
}
