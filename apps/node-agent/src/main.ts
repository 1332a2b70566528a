import { ConfigError, createLogger, helpText, parseFlags, runMain, startHealthServer, untilSignal } from '@plane/runtime';
import { Agent } from './agent.js';
import { createAgentMetrics } from './agent-metrics.js';
import { FLAGS, readConfig, SOURCES_HELP } from './config.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(helpText('node-agent', 'registers this node with plane-api and sends its heartbeats', FLAGS) + '\n' + SOURCES_HELP + '\n');
    return 0;
  }
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  const config = readConfig(values);
  const log = createLogger('node-agent', config.logLevel);
  const metrics = createAgentMetrics();
  const agent = new Agent(config, log, metrics);
  const health = config.metricsListen ? await startHealthServer({ listen: config.metricsListen, registry: metrics.registry, ready: () => agent.ready() }) : undefined;
  await agent.start();
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  await agent.stop();
  health?.close();
  log.info('stopped');
  // Everything is closed; should a socket linger (an HTTP keep-alive), do not wait for it.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}

runMain('node-agent', main);
