import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { BUCKETS, connectPlane, DesiredWatcher, ensureBucket, ensureStream, natsSettingsFromFlags, STREAMS } from '@plane/backbone';
import { COMMON_FLAGS, ConfigError, createLogger, createMetricsRegistry, helpText, isLogLevel, parseFlags, parseListen, readSecret, runMain, untilSignal, type FlagSpec } from '@plane/runtime';
import { createApiServer } from './server.js';

const FLAGS: FlagSpec[] = [
  { name: 'listen', type: 'string', required: true, description: 'HOST:PORT to serve the nodes API, /healthz, /readyz and /metrics on' },
  { name: 'token-file', type: 'string', description: 'file holding the nodes\' bootstrap bearer token (or set PLANE_NODE_TOKEN)' },
  { name: 'tls-cert', type: 'string', description: 'TLS certificate file (serve https)' },
  { name: 'tls-key', type: 'string', description: 'TLS key file' },
  ...COMMON_FLAGS.filter((f) => f.name !== 'metrics-listen'),
];

async function main(): Promise<number> {
  const { values: f } = parseFlags(process.argv.slice(2), FLAGS);
  if (f.help) {
    process.stdout.write(helpText('plane-api', 'the nodes\' HTTP API: register, heartbeat, deregister', FLAGS) + '\n');
    return 0;
  }
  const level = String(f['log-level']);
  if (!isLogLevel(level)) throw new ConfigError(`--log-level: "${level}" is not a level`);
  const { host, port } = (() => {
    try {
      return parseListen(String(f.listen));
    } catch (err) {
      throw new ConfigError(`--listen: ${(err as Error).message}`);
    }
  })();
  if (!f['token-file'] && !process.env.PLANE_NODE_TOKEN) throw new ConfigError('--token-file is required (or set PLANE_NODE_TOKEN)');
  const token = f['token-file'] ? readSecret({ file: String(f['token-file']) }) : readSecret({ env: 'PLANE_NODE_TOKEN' });
  if (Boolean(f['tls-cert']) !== Boolean(f['tls-key'])) throw new ConfigError('--tls-cert and --tls-key go together');
  const tls = f['tls-cert'] ? { cert: readFileSync(String(f['tls-cert'])), key: readFileSync(String(f['tls-key'])) } : undefined;

  const log = createLogger('plane-api', level);
  const plane = await connectPlane(natsSettingsFromFlags(f, `plane-api ${hostname()}`));
  await ensureStream(plane.jsm, STREAMS.nodes);
  const desired = new DesiredWatcher(await ensureBucket(plane.nc, BUCKETS.desired));
  await desired.start();
  const registry = createMetricsRegistry('plane-api');
  const server = createApiServer({
    plane,
    desired,
    token,
    log,
    registry,
    source: `plane-api@${hostname()}`,
    ...(tls ? { tls } : {}),
    ready: () => (plane.nc.isClosed() ? 'NATS connection closed' : desired.current().syncs.length === 0 ? 'no declarations synced yet' : true),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info({ listen: `${host}:${port}`, tls: Boolean(tls) }, 'plane-api listening');
  await untilSignal();
  server.close();
  desired.stop();
  await plane.close();
  return 0;
}

runMain('plane-api', main);
