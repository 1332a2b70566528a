// The agent: register, then one heartbeat per interval over NATS (HTTP while NATS is away), and
// deregister on the way out.
import { encodeEvent, envelope, nodeSubject, type NodeHeartbeat } from '@plane/events';
import type { Logger } from '@plane/runtime';
import type { AgentMetrics } from './agent-metrics.js';
import { PlaneApiClient } from './api-client.js';
import type { AgentConfig, SourceConfig } from './config.js';
import { heartbeatFields, heartbeatId } from './heartbeat.js';
import { NatsLink } from './nats-link.js';
import { NginxLogSource } from './nginx-source.js';
import { ProblemLog } from './problem-log.js';
import { PrometheusSource } from './prometheus-source.js';
import { registerUntilAcknowledged } from './registration.js';
import { NoSource, StaticSource, type ServiceMetricSource } from './service-metrics.js';
import { SystemSampler, type SystemSample } from './system-sampler.js';

export function sourceOf(c: SourceConfig): ServiceMetricSource {
  switch (c.kind) {
    case 'none':
      return new NoSource();
    case 'static':
      return new StaticSource(c.numbers);
    case 'prometheus':
      return new PrometheusSource(c.url, c.names, c.timeoutMs);
    case 'nginx':
      return new NginxLogSource(c.path);
    default: {
      const never: never = c;
      throw new Error(`unknown source ${JSON.stringify(never)}`);
    }
  }
}

function clampMs(ms: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, ms));
}

export class Agent {
  readonly boot = Date.now();
  private seq = 0;
  private registeredOnce = false;
  private lastRegisterProblem: string | undefined = 'registration not attempted yet';
  private readonly stopping = new AbortController();
  private readonly api: PlaneApiClient;
  private readonly nats: NatsLink;
  private readonly sampler = new SystemSampler();
  private readonly source: ServiceMetricSource;
  private readonly problems: ProblemLog;
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private inFlight: Promise<void> | undefined;
  private registering: Promise<boolean> | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
  ) {
    this.api = new PlaneApiClient(config.apiUrl, config.token);
    this.problems = new ProblemLog(log);
    this.source = sourceOf(config.source);
    this.nats = new NatsLink({
      connection: config.nats,
      backoff: { baseMs: 250, maxMs: config.natsRetryMaxMs },
      log,
      onChange: (up) => metrics.natsConnected.set(up ? 1 : 0),
    });
  }

  /** Ready = registered; otherwise why not. */
  ready(): true | string {
    return this.registeredOnce ? true : (this.lastRegisterProblem ?? 'registering');
  }

  private get httpTimeoutMs(): number {
    return clampMs(this.config.intervalMs, 1000, 5000);
  }

  async start(): Promise<void> {
    const { config, log } = this;
    this.nats.start();
    await this.source.start();
    log.info(
      { node: `${config.ref.service}.${config.ref.region}.${config.ref.node_id}`, ips: config.ips, ips_discovered: config.ipsDiscovered, interval_ms: config.intervalMs, source: this.source.description, cpu_ram: this.sampler.source, boot: this.boot },
      'node-agent started',
    );
    if (config.source.kind === 'none') log.warn('no service metric source (--metrics-url, --nginx-access-log or --static-metrics): qps, rtt_ms and error_rate are reported as 0');
    this.registering = registerUntilAcknowledged({
      api: this.api,
      body: { ...config.ref, ips: config.ips, ...(Object.keys(config.labels).length > 0 ? { labels: config.labels } : {}) },
      log,
      problems: this.problems,
      backoff: { baseMs: 500, maxMs: config.retryMaxMs },
      rejectedRetryMs: config.rejectedRetryMs,
      timeoutMs: this.httpTimeoutMs,
      signal: this.stopping.signal,
      onAttempt: (outcome, detail) => {
        this.metrics.registrations.inc({ outcome });
        if (outcome !== 'ok') this.lastRegisterProblem = `registration ${outcome}: ${detail}`;
      },
    });
    void this.registering.then((ok) => {
      if (!ok) return;
      this.registeredOnce = true;
      this.lastRegisterProblem = undefined;
      this.metrics.registered.set(1);
      this.startHeartbeats();
    });
  }

  private startHeartbeats(): void {
    if (this.stopping.signal.aborted) return;
    this.nextAt = performance.now();
    this.tick();
  }

  /** Fixed cadence: a slow heartbeat does not shift the next ones; an overlapping tick is skipped. */
  private tick(): void {
    if (this.stopping.signal.aborted) return;
    const now = performance.now();
    this.nextAt += this.config.intervalMs;
    if (this.nextAt < now) this.nextAt = now + this.config.intervalMs;
    this.timer = setTimeout(() => this.tick(), this.nextAt - now);
    if (this.inFlight) {
      this.metrics.ticksSkipped.inc();
      return;
    }
    this.inFlight = this.beat()
      .catch((err: unknown) => this.log.error({ err: String(err) }, 'heartbeat failed'))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  private sampleSystem(): SystemSample | undefined {
    try {
      const s = this.sampler.sample();
      this.problems.resolved('system', 'cpu/ram readable again');
      return { cpu: this.config.cpuOverride ?? s.cpu, ram: this.config.ramOverride ?? s.ram };
    } catch (err) {
      if (this.config.cpuOverride !== undefined && this.config.ramOverride !== undefined) return { cpu: this.config.cpuOverride, ram: this.config.ramOverride };
      this.problems.problem('system', `cannot read cpu/ram: ${String(err)}; no heartbeat without them`, {}, 'error');
      return undefined;
    }
  }

  private async beat(): Promise<void> {
    const { config, metrics } = this;
    const system = this.sampleSystem();
    const reading = await this.source.read();
    if (!system || this.stopping.signal.aborted) return;
    if (reading.ok) {
      metrics.exporterOk.set(1);
      this.problems.resolved('exporter', 'service metric source works again', { source: this.source.description });
    } else {
      metrics.exporterOk.set(0);
      metrics.exporterErrors.inc();
      this.problems.problem('exporter', `service metric source failed: ${reading.error}`, { source: this.source.description });
    }
    const seq = ++this.seq;
    const fields = heartbeatFields(config.ref, seq, this.boot, system, reading);
    const id = heartbeatId(config.ref, this.boot, seq);

    if (this.nats.connected) {
      const event: NodeHeartbeat = envelope('NodeHeartbeat', id, { ...fields, via: 'nats' as const }, `node-agent@${config.host}`);
      const sent = await this.nats.publish(nodeSubject(config.ref, 'heartbeat'), encodeEvent(event), id, clampMs(config.intervalMs / 2, 100, 2000));
      if (sent === true) {
        metrics.heartbeats.inc({ via: 'nats' });
        this.problems.resolved('heartbeat', 'heartbeats delivered again', { via: 'nats' });
        return;
      }
      metrics.natsUnconfirmed.inc();
      this.log.debug({ seq, err: sent }, 'NATS publish not confirmed: sending this heartbeat over HTTP');
    }
    const r = await this.api.post('/nodes/heartbeat', fields, this.httpTimeoutMs);
    if (r.kind === 'ok') {
      metrics.heartbeats.inc({ via: 'http' });
      this.problems.resolved('heartbeat', 'heartbeats delivered again', { via: 'http' });
      return;
    }
    metrics.heartbeatsLost.inc({ reason: r.kind });
    const why = r.kind === 'rejected' ? `plane-api refused it (HTTP ${r.status}): ${r.error}` : `plane-api unreachable: ${r.error}`;
    this.problems.problem('heartbeat', `heartbeat not delivered (NATS away, ${why})`, { seq }, r.kind === 'rejected' ? 'error' : 'warn');
  }

  /** Stops heartbeats, deregisters (when configured), closes NATS: all within the shutdown timeout. */
  async stop(): Promise<void> {
    const { config, log } = this;
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const left = () => Math.max(100, deadline - Date.now());
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    await Promise.race([this.inFlight, new Promise((r) => setTimeout(r, Math.min(1000, left())))]);
    if (config.deregisterOnExit) {
      const r = await this.api.post('/nodes/deregister', config.ref, Math.min(left(), 3000));
      if (r.kind === 'ok') log.info({ node: `${config.ref.service}.${config.ref.region}.${config.ref.node_id}` }, 'deregistered');
      else log.warn({ err: r.kind === 'rejected' ? `HTTP ${r.status}: ${r.error}` : r.error }, 'could not deregister; the node will time out of its pool instead');
    }
    await this.nats.close(left());
    await this.source.close();
  }
}
