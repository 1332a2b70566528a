// What /metrics shows about the agent itself.
import { createMetricsRegistry } from '@plane/runtime';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface AgentMetrics {
  registry: Registry;
  heartbeats: Counter<'via'>;
  heartbeatsLost: Counter<'reason'>;
  natsUnconfirmed: Counter;
  ticksSkipped: Counter;
  registrations: Counter<'outcome'>;
  registered: Gauge;
  natsConnected: Gauge;
  exporterOk: Gauge;
  exporterErrors: Counter;
}

export function createAgentMetrics(): AgentMetrics {
  const registry = createMetricsRegistry('node-agent');
  const registers = [registry];
  return {
    registry,
    heartbeats: new Counter({ name: 'node_agent_heartbeats_sent_total', help: 'Heartbeats delivered, by path (nats: flushed to the server; http: accepted by plane-api)', labelNames: ['via'], registers }),
    heartbeatsLost: new Counter({ name: 'node_agent_heartbeats_failed_total', help: 'Heartbeats no path delivered, by reason', labelNames: ['reason'], registers }),
    natsUnconfirmed: new Counter({ name: 'node_agent_nats_publish_unconfirmed_total', help: 'NATS publishes the server did not confirm in time (then sent over HTTP)', registers }),
    ticksSkipped: new Counter({ name: 'node_agent_ticks_skipped_total', help: 'Heartbeat ticks skipped because the previous one was still running', registers }),
    registrations: new Counter({ name: 'node_agent_register_attempts_total', help: 'POST /nodes/register attempts by outcome (ok, rejected, unavailable)', labelNames: ['outcome'], registers }),
    registered: new Gauge({ name: 'node_agent_registered', help: '1 once plane-api acknowledged the registration', registers }),
    natsConnected: new Gauge({ name: 'node_agent_nats_connected', help: '1 while connected to NATS', registers }),
    exporterOk: new Gauge({ name: 'node_agent_exporter_ok', help: '1 when the last reading of the service metric source worked', registers }),
    exporterErrors: new Counter({ name: 'node_agent_exporter_errors_total', help: 'Readings of the service metric source that failed', registers }),
  };
}
