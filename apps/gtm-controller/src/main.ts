import { hostname } from 'node:os';
import { acquireLease, OverrideWatcher, BUCKETS, connectPlane, DesiredWatcher, ensureBucket, ensureStream, lagBehind, natsSettingsFromFlags, STREAMS } from '@plane/backbone';
import { COMMON_FLAGS, ConfigError, createLogger, createMetricsRegistry, helpText, isLogLevel, parseFlags, runMain, scrapedGauge, startHealthServer, untilSignal, type FlagSpec } from '@plane/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';
import { healthSettingsFollowing } from './health/settings.js';
import { DnsExecutor } from './dns/executor.js';
import { ProviderCache, ZoneResolver } from '@plane/dns';
import { Reconciler } from './reconciler.js';
import { HealthWorker } from './health/worker.js';

const FLAGS: FlagSpec[] = [
  { name: 'lease-ttl', type: 'duration', default: '10s', description: 'leader lease TTL: a standby takes over within it when the leader dies' },
  { name: 'reconcile-interval', type: 'duration', default: '1s', description: 'how often domains are reconciled' },
  { name: 'dry-run', type: 'bool', description: 'decide and plan, record decisions, but emit no DNS commands' },
  { name: 'zone-refresh', type: 'duration', default: '5m', description: 'how often a DNS provider\'s zone list is read again (for domains without dns.zone)' },
  { name: 'zone-retry', type: 'duration', default: '1m', description: 'how often a domain that matches no zone of its provider is tried again (the first miss re-reads at once)' },
  { name: 'health-write-interval', type: 'duration', default: '5s', description: 'a node whose state did not change is written to the nodes bucket at most this often (a state change is written at once; a node is always written at least every third of its heartbeat_timeout)' },
  { name: 'instance-id', type: 'string', description: 'this replica\'s name in the lease (default: hostname and pid)' },
  ...COMMON_FLAGS,
];

async function main(): Promise<number> {
  const { values: f } = parseFlags(process.argv.slice(2), FLAGS);
  if (f.help) {
    process.stdout.write(helpText('gtm-controller', 'node health, region weights, node ejection, weighted DNS', FLAGS) + '\n');
    return 0;
  }
  const level = String(f['log-level']);
  if (!isLogLevel(level)) throw new ConfigError(`--log-level: "${level}" is not a level`);
  const leaseTtl = f['lease-ttl'] as number;
  if (leaseTtl < 1000) throw new ConfigError('--lease-ttl must be at least 1s');
  const writeInterval = f['health-write-interval'] as number;
  if (writeInterval < 1000 || writeInterval > 60_000) throw new ConfigError('--health-write-interval must be between 1s and 1m');
  const id = f['instance-id'] ? String(f['instance-id']) : `${hostname()}-${process.pid}`;
  const log = createLogger('gtm-controller', level).child({ instance: id });

  const plane = await connectPlane(natsSettingsFromFlags(f, `gtm-controller ${id}`));
  await ensureStream(plane.jsm, STREAMS.nodes);
  await ensureStream(plane.jsm, STREAMS.declarations);
  for (const s of [STREAMS.decisions, STREAMS.commands, STREAMS.outcomes]) await ensureStream(plane.jsm, s);
  const desired = new DesiredWatcher(await ensureBucket(plane.nc, BUCKETS.desired));
  await desired.start();
  const overrides = new OverrideWatcher(plane);
  await overrides.start();
  const leases = await ensureBucket(plane.nc, { ...BUCKETS.leases, ttlMs: leaseTtl });

  const registry = createMetricsRegistry('gtm-controller');
  const leader = new Gauge({ name: 'gtm_controller_leader', help: '1 while this replica holds the lease', registers: [registry] });
  const stateEvents = new Counter({ name: 'gtm_node_state_events_total', help: 'Node state changes recorded', labelNames: ['to'], registers: [registry] });
  const position = new Gauge({ name: 'gtm_health_projection_position', help: 'NODES stream sequence the health projection has folded', registers: [registry] });
  let worker: HealthWorker | undefined;
  scrapedGauge(registry, { name: 'gtm_health_projection_lag_messages', help: 'Messages on NODES the health projection has not folded yet; read at each scrape, absent on a standby' }, async () => {
    const w = worker;
    return w ? [{ value: await lagBehind(plane.jsm, STREAMS.nodes.name, 'node.>', w.getPosition()) }] : [];
  });

  const decisions = new Counter({ name: 'gtm_decisions_total', help: 'Decisions and alerts recorded', labelNames: ['type'], registers: [registry] });
  const outcomes = new Counter({ name: 'gtm_dns_outcomes_total', help: 'DNS executor outcomes', labelNames: ['provider', 'outcome'], registers: [registry] });
  const providerCalls = new Counter({ name: 'gtm_provider_calls_total', help: 'DNS provider API calls', labelNames: ['provider'], registers: [registry] });
  const providerErrors = new Counter({ name: 'gtm_provider_errors_total', help: 'DNS applies the provider refused or failed (retried, or given up on), by provider', labelNames: ['provider', 'outcome'], registers: [registry] });
  const reconcileSeconds = new Histogram({ name: 'gtm_reconcile_duration_seconds', help: 'Time of one reconcile pass over every domain', registers: [registry] });
  const dryRun = Boolean(f['dry-run']);
  // One adapter per dns block, shared: the executor's writes and the zone lookups go through the
  // same rate limiter, and a zone list read once serves every domain of the provider.
  const providers = new ProviderCache();
  const zones = new ZoneResolver(providers, {
    refreshMs: f['zone-refresh'] as number,
    missRetryMs: f['zone-retry'] as number,
    onListing: (provider, calls) => providerCalls.inc({ provider }, calls),
  });
  const executor = dryRun
    ? undefined
    : new DnsExecutor({
        plane,
        log: log.child({ role: 'dns-executor' }),
        providers,
        source: `gtm-controller@${id}`,
        onOutcome: (o) => {
          outcomes.inc({ provider: o.provider, outcome: o.outcome });
          if (o.outcome === 'failed' || o.outcome === 'retrying') providerErrors.inc({ provider: o.provider, outcome: o.outcome });
          providerCalls.inc({ provider: o.provider }, o.calls);
        },
      });
  await executor?.start();
  let reconciler: Reconciler | undefined;
  const lease = acquireLease(leases, 'gtm-controller', id, { ttlMs: leaseTtl });
  const startWorker = async () => {
    const w = new HealthWorker({
      plane,
      log: log.child({ role: 'health' }),
      settings: healthSettingsFollowing(() => desired.current()),
      minWriteIntervalMs: writeInterval,
      source: `gtm-controller@${id}`,
      onStateEvent: (e) => stateEvents.inc({ to: e.data.to }),
    });
    try {
      await w.start();
    } catch (err) {
      await w.stop().catch(() => undefined);
      throw err;
    }
    worker = w;
    const r = new Reconciler({
      plane,
      log: log.child({ role: 'reconcile' }),
      desired,
      health: w,
      source: `gtm-controller@${id}`,
      dryRun,
      onDecision: (e) => decisions.inc({ type: e.type }),
      overrides: () => overrides.suspended(),
      zones,
    });
    await r.start();
    reconciler = r;
  };
  lease.onChange((holder) => {
    leader.set(holder ? 1 : 0);
    if (holder) {
      log.info('lease acquired: this replica is the leader');
      // Starting needs JetStream; while it is briefly unavailable keep trying as long as we lead.
      const attempt = (n: number): void => {
        startWorker().catch((err: unknown) => {
          log.error({ err: String(err), attempt: n }, 'health projection failed to start; retrying');
          if (lease.isHolder() && !worker) setTimeout(() => attempt(n + 1), Math.min(10_000, 500 * 2 ** Math.min(n, 5)));
        });
      };
      attempt(1);
    } else {
      log.warn('lease lost: standing by');
      const w = worker;
      worker = undefined;
      reconciler = undefined;
      void w?.stop();
    }
  });
  const gauges = setInterval(() => position.set(worker?.getPosition() ?? 0), 1000);
  const reconcileTimer = setInterval(() => {
    if (!reconciler || !lease.isHolder()) return;
    const end = reconcileSeconds.startTimer();
    reconciler.reconcile().then(() => end(), (err: unknown) => {
      end();
      log.error({ err: String(err) }, 'reconcile failed; retried at the next interval');
    });
  }, f['reconcile-interval'] as number);
  const health = f['metrics-listen']
    ? await startHealthServer({
        listen: String(f['metrics-listen']),
        registry,
        ready: () => (plane.nc.isClosed() ? 'NATS connection closed' : lease.isHolder() && !worker?.isLive() ? 'leader catching up with NODES' : true),
      })
    : undefined;
  log.info({ leaseTtl, dryRun: Boolean(f['dry-run']) }, 'gtm-controller started');
  await untilSignal();
  clearInterval(gauges);
  clearInterval(reconcileTimer);
  await executor?.stop();
  await worker?.stop();
  await lease.release();
  desired.stop();
  overrides.stop();
  health?.close();
  await plane.close();
  return 0;
}

runMain('gtm-controller', main);
