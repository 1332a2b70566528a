import { hostname } from 'node:os';
import { connectPlane, natsSettingsFromFlags } from '@plane/backbone';
import { createLogger, createMetricsRegistry, helpText, parseFlags, runMain, startHealthServer, untilSignal } from '@plane/runtime';
import { PROBER_FLAGS, proberConfigFromFlags, SUMMARY } from './config.js';
import { startProber } from './prober.js';

async function main(): Promise<number> {
  const { values: f, positionals } = parseFlags(process.argv.slice(2), PROBER_FLAGS);
  if (f.help) {
    process.stdout.write(
      helpText('prober', SUMMARY, PROBER_FLAGS) +
        '\n\nEach target is probed every `interval` of its gtm health declaration, at a stable offset within the\n' +
        'interval, so one round is spread over the whole interval. An exporter that does not answer records\n' +
        'nothing for that round (and shows in /readyz): a broken prober never ejects healthy nodes.\n',
    );
    return 0;
  }
  const config = proberConfigFromFlags(f, positionals);
  const log = createLogger('prober', config.logLevel);
  const plane = await connectPlane(natsSettingsFromFlags(f, `prober ${hostname()}`));
  const registry = createMetricsRegistry('prober');
  const prober = await startProber({ plane, config, log, registry });
  const health = config.metricsListen
    ? await startHealthServer({ listen: config.metricsListen, registry, ready: () => prober.readiness() })
    : undefined;
  log.info(
    { prober: config.proberName, concurrency: config.concurrency, blackbox: config.blackbox?.url ?? null, metrics: config.metricsListen ?? null },
    'prober started',
  );
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  health?.close();
  await prober.stop();
  await plane.close();
  return 0;
}

runMain('prober', main);
