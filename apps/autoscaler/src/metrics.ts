// Prometheus metrics of the autoscaler (served on --metrics-listen).
import { createMetricsRegistry, scrapedGauge } from '@plane/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AutoscalerMetrics {
  registry: Registry;
  leader: Gauge;
  decisions: Counter<'type'>;
  commands: Counter<'kind'>;
  outcomes: Counter<'status'>;
  evaluateSeconds: Histogram;
  evaluations: Counter<'result'>;
  services: Gauge;
  viewLag: Gauge<'view'>;
}

/** `viewLags`: the leader's views' lag behind their streams, read at each scrape (empty on a standby). */
export function createAutoscalerMetrics(viewLags: () => Promise<{ view: string; messages: number }[]> = async () => []): AutoscalerMetrics {
  const registry = createMetricsRegistry('autoscaler');
  const registers = [registry];
  return {
    registry,
    leader: new Gauge({ name: 'autoscaler_leader', help: '1 while this replica holds the autoscaler lease', registers }),
    decisions: new Counter({ name: 'autoscaler_decisions_total', help: 'Decider events recorded on DECISIONS, by type', labelNames: ['type'], registers }),
    commands: new Counter({ name: 'autoscaler_commands_total', help: 'Effects published: git_commit commands, node drain and undrain events', labelNames: ['kind'], registers }),
    outcomes: new Counter({ name: 'autoscaler_git_outcomes_total', help: 'git-commit outcomes recorded by this replica, by status', labelNames: ['status'], registers }),
    evaluateSeconds: new Histogram({ name: 'autoscaler_evaluate_duration_seconds', help: 'Time of one evaluation pass over every autoscale declaration', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    evaluations: new Counter({ name: 'autoscaler_evaluations_total', help: 'Evaluation passes, by result', labelNames: ['result'], registers }),
    services: new Gauge({ name: 'autoscaler_services', help: 'Autoscale declarations evaluated in the last pass', registers }),
    viewLag: scrapedGauge(registry, { name: 'autoscaler_view_lag_messages', help: "Messages the leader's views are behind their streams (nodes: the nodes bucket; outcomes: git outcomes on OUTCOMES); read at each scrape, absent on a standby", labelNames: ['view'] }, async () =>
      (await viewLags()).map(({ view, messages }) => ({ labels: { view }, value: messages })),
    ),
  };
}
