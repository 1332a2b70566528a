// The prober's I/O shell: watches `desired` and `nodes`, keeps the scheduler's target set
// current, probes (directly or through a blackbox exporter) and publishes ProbeResult events.
import { BUCKETS, ensureStream, POSITION_KEY, STREAMS, type Plane } from '@plane/backbone';
import type { NodeHealth } from '@plane/health';
import type { Logger } from '@plane/runtime';
import { Registry } from 'prom-client';
import { blackboxName, moduleFor, probeViaBlackbox } from './blackbox.js';
import type { ProberConfig } from './config.js';
import { createProberMetrics } from './metrics.js';
import { probeDirect } from './probe-direct.js';
import { EventPublisher } from './publisher.js';
import { probeResultEvent, probeSubject, type ProbeOutcome } from './result-event.js';
import { ProbeScheduler, type ScheduledProbe, type TargetChanges } from './scheduler.js';
import { asNodeHealth, BucketWatch, readGtmHealth, waitForBucket } from './sources.js';
import { buildTargets, type GtmHealthDeclaration, type ProbeTarget } from './targets.js';

export interface ProberOptions {
  plane: Plane;
  config: Pick<ProberConfig, 'concurrency' | 'proberName' | 'blackbox'>;
  log: Logger;
  registry?: Registry;
  /** Quiet time after a bucket change before the target set is recomputed (default 50 ms). */
  settleMs?: number;
}

export interface RunningProber {
  /** true, or why not (for /readyz). */
  readiness(): true | string;
  /** The targets being probed now. */
  targets(): readonly ProbeTarget[];
  stop(): Promise<void>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function summarize(keys: string[]): string[] | number {
  return keys.length <= 20 ? keys : keys.length;
}

export async function startProber(opts: ProberOptions): Promise<RunningProber> {
  const { plane, config, log } = opts;
  const settleMs = opts.settleMs ?? 50;
  await ensureStream(plane.jsm, STREAMS.nodes);
  const metrics = createProberMetrics(opts.registry ?? new Registry());

  let stopped = false;
  let waitingFor: string | undefined = 'starting';
  let desiredError: string | undefined;
  let publishError: string | undefined;
  let gtm: GtmHealthDeclaration[] | undefined;
  let nodesWatched = false;
  const nodes = new Map<string, NodeHealth>();
  let current: readonly ProbeTarget[] = [];

  const publisher = new EventPublisher(plane.js, {
    onStored: () => {
      publishError = undefined;
    },
    onFailed: (subject, event, err) => {
      metrics.publishFailures.inc();
      publishError = message(err);
      log.error({ subject, id: event.id, err: publishError }, 'probe result not stored');
    },
  });

  const viaExporter = config.blackbox ? { settings: config.blackbox, name: blackboxName(config.blackbox.url) } : undefined;

  // Per exporter module: the error of its last request (cleared by its next answer). A module that
  // fails (say, unknown to the exporter) must show even while the other one answers.
  const exporterErrors = new Map<string, string>();
  const noteExporter = (module: string, error: string | undefined) => {
    const had = exporterErrors.get(module);
    if (error !== undefined && had === undefined) {
      log.warn({ exporter: viaExporter?.name, module, err: error }, 'blackbox exporter not answering: nothing is recorded for these rounds');
    } else if (error === undefined && had !== undefined) {
      log.info({ exporter: viaExporter?.name, module }, 'blackbox exporter answering again');
    }
    if (error === undefined) exporterErrors.delete(module);
    else exporterErrors.set(module, error);
    metrics.exporterUp.set(exporterErrors.size === 0 ? 1 : 0);
  };

  const measure = async (target: ProbeTarget): Promise<{ outcome: ProbeOutcome; prober: string } | undefined> => {
    if (!viaExporter) return { outcome: await probeDirect(target), prober: config.proberName };
    const answer = await probeViaBlackbox(viaExporter.settings, target);
    const module = moduleFor(viaExporter.settings, target.check);
    if (answer.kind === 'exporter_error') {
      metrics.probes.inc({ check: target.check, result: 'exporter_error' });
      log.debug({ target: target.key, module, err: answer.error }, 'blackbox exporter request failed');
      noteExporter(module, answer.error);
      return undefined;
    }
    noteExporter(module, undefined);
    return { outcome: answer.outcome, prober: viaExporter.name };
  };

  const runProbe = async ({ target, slotMs, isCurrent }: ScheduledProbe): Promise<void> => {
    const startedAt = new Date();
    const measured = await measure(target);
    if (!measured || !isCurrent()) return;
    const { outcome, prober } = measured;
    const result = outcome.ok ? 'ok' : 'failed';
    metrics.probes.inc({ check: target.check, result });
    metrics.latency.observe({ check: target.check, result }, outcome.latency_ms / 1000);
    const event = probeResultEvent(target, slotMs, startedAt, outcome, prober, config.proberName);
    log.debug({ id: event.id, ok: outcome.ok, latency_ms: event.data.latency_ms, status: outcome.status, error: outcome.error }, 'probed');
    await publisher.publish(probeSubject(target), event);
  };

  const scheduler = new ProbeScheduler({
    concurrency: config.concurrency,
    run: runProbe,
    onSkipped: (target, slotMs, reason) => {
      metrics.probes.inc({ check: target.check, result: 'skipped' });
      log.debug({ target: target.key, slot: slotMs, reason }, 'round skipped');
    },
    onError: (target, err) => log.error({ target: target.key, err: message(err) }, 'probe failed unexpectedly'),
  });

  const warnedAddresses = new Set<string>();
  const applyTargets = () => {
    if (stopped || gtm === undefined || !nodesWatched) return;
    const { targets, skipped } = buildTargets(gtm, nodes.values());
    for (const s of skipped) {
      const id = `${s.key}/${s.ip}`;
      if (!warnedAddresses.has(id)) log.warn(s, 'node address not probed');
      warnedAddresses.add(id);
    }
    const changes: TargetChanges = scheduler.setTargets(targets);
    current = targets;
    metrics.targets.set(targets.length);
    if (changes.added.length + changes.removed.length + changes.changed.length > 0) {
      log.info(
        { targets: targets.length, added: summarize(changes.added), removed: summarize(changes.removed), changed: summarize(changes.changed) },
        'probe targets changed',
      );
    }
  };

  const debounce = (fn: () => void) => {
    let timer: NodeJS.Timeout | undefined;
    const call = () => {
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (!stopped) fn();
      }, settleMs);
    };
    call.cancel = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    return call;
  };
  const targetsChanged = debounce(applyTargets);

  let desiredKv: Awaited<ReturnType<typeof waitForBucket>>;
  let reading = false;
  let readAgain = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const refreshDesired = async (): Promise<void> => {
    if (reading) {
      readAgain = true;
      return;
    }
    if (!desiredKv || stopped) return;
    reading = true;
    try {
      do {
        readAgain = false;
        gtm = await readGtmHealth(desiredKv);
      } while (readAgain && !stopped);
      if (desiredError !== undefined) log.info('desired bucket readable again');
      desiredError = undefined;
      targetsChanged();
    } catch (err) {
      desiredError = `desired bucket: ${message(err)}`;
      log.error({ err: desiredError }, 'cannot read the declarations in force; keeping the last targets, retrying');
      if (!stopped) retryTimer = setTimeout(() => void refreshDesired(), 1000);
    } finally {
      reading = false;
    }
  };
  const desiredChanged = debounce(() => void refreshDesired());

  let desiredWatch: BucketWatch | undefined;
  let nodesWatch: BucketWatch | undefined;
  const startup = (async () => {
    const onWaiting = (why: string) => {
      if (waitingFor !== why) log.info({ reason: why }, 'waiting');
      waitingFor = why;
    };
    desiredKv = await waitForBucket(plane.nc, plane.jsm, BUCKETS.desired.name, () => stopped, onWaiting);
    if (!desiredKv || stopped) return;
    desiredWatch = new BucketWatch(desiredKv, BUCKETS.desired.name, '>', (e) => e.key !== POSITION_KEY && desiredChanged(), desiredChanged, log);
    const nodesKv = await waitForBucket(plane.nc, plane.jsm, BUCKETS.nodes.name, () => stopped, onWaiting);
    if (!nodesKv || stopped) return;
    nodesWatch = new BucketWatch(
      nodesKv,
      BUCKETS.nodes.name,
      // Node keys have three tokens; `_position` (the projection's own marker) has one.
      '*.*.*',
      (e) => {
        if (e.operation !== 'PUT') nodes.delete(e.key);
        else {
          let health: NodeHealth | undefined;
          try {
            health = asNodeHealth(e.json<unknown>());
          } catch {
            health = undefined;
          }
          if (health) nodes.set(e.key, health);
          else {
            nodes.delete(e.key);
            log.warn({ key: e.key }, 'nodes bucket value is not a NodeHealth; ignored');
          }
        }
        targetsChanged();
      },
      () => {
        nodesWatched = true;
        targetsChanged();
      },
      log,
    );
    waitingFor = undefined;
  })().catch((err: unknown) => {
    waitingFor = `start-up failed: ${message(err)}`;
    log.error({ err: message(err) }, 'prober start-up failed');
  });

  return {
    readiness() {
      if (plane.nc.isClosed()) return 'NATS connection closed';
      if (waitingFor !== undefined) return waitingFor;
      if (desiredError !== undefined) return desiredError;
      if (gtm === undefined) return 'reading the desired bucket';
      if (!nodesWatched) return 'watching the nodes bucket';
      for (const [module, error] of exporterErrors) return `blackbox exporter ${viaExporter?.name.slice('blackbox@'.length) ?? ''} (module ${module}) not answering: ${error}`;
      if (publishError !== undefined) return `probe results not stored: ${publishError}`;
      return true;
    },
    targets: () => current,
    async stop() {
      stopped = true;
      targetsChanged.cancel();
      desiredChanged.cancel();
      if (retryTimer) clearTimeout(retryTimer);
      await startup;
      await Promise.all([desiredWatch?.stop(), nodesWatch?.stop()]);
      await scheduler.stop();
      await publisher.close();
    },
  };
}
