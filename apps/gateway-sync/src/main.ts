import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { BUCKETS, POSITION_KEY, connectPlane, ensureBucket, ensureStream, lagBehind, natsSettingsFromFlags, STREAMS } from '@plane/backbone';
import { COMMON_FLAGS, ConfigError, createLogger, createMetricsRegistry, helpText, isLogLevel, parseFlags, parseListen, runMain, startHealthServer, untilSignal, type FlagSpec, type FlagValues } from '@plane/runtime';
import { gatewayMetrics } from './metrics.js';
import { NginxApplier } from './nginx/applier.js';
import { splitCommand } from './nginx/command.js';
import type { RenderOptions } from './nginx/render.js';
import { UPSTREAMS_BUCKET } from './upstreams/projection.js';
import { UpstreamsProjectionRunner } from './upstreams/runner.js';
import { GatewayWorker } from './worker.js';

const FLAGS: FlagSpec[] = [
  { name: 'nginx-upstreams-file', type: 'string', required: true, description: 'the file nginx includes, rewritten atomically (e.g. /etc/nginx/conf.d/plane-upstreams.conf)' },
  { name: 'upstream-port', type: 'int', default: 80, description: 'the port of every node in the upstreams (the nodes\' service port)' },
  { name: 'service-port', type: 'list', description: 'per-service port override SERVICE=PORT (repeatable or comma separated)' },
  { name: 'service', type: 'list', description: 'render only these services (repeatable or comma separated; default: all)' },
  { name: 'combined-upstreams', type: 'bool', description: 'also render plane_<service> with the servers of all its regions' },
  { name: 'max-fails', type: 'int', default: 3, description: 'nginx max_fails of each server' },
  { name: 'fail-timeout', type: 'duration', default: '10s', description: 'nginx fail_timeout of each server (whole seconds)' },
  { name: 'keepalive', type: 'int', default: 0, description: 'idle keepalive connections per upstream and worker (0: no keepalive line)' },
  { name: 'nginx-test-command', type: 'string', default: 'nginx -t', description: 'validates the new file before a reload (run without a shell; "" or none: no test); a failure restores the old file' },
  { name: 'nginx-reload-command', type: 'string', default: 'nginx -s reload', description: 'reloads nginx after a change (run without a shell; "" or none: only write the file)' },
  { name: 'command-timeout', type: 'duration', default: '30s', description: 'how long a test or reload command may run' },
  { name: 'debounce', type: 'duration', default: '500ms', description: 'changes within this window are rendered (and reloaded) once' },
  { name: 'retry-interval', type: 'duration', default: '10s', description: 'a failed write, test or reload is tried again after this long' },
  { name: 'projection', type: 'bool', default: true, description: 'compete for the lease that folds NODES into the upstreams bucket (--no-projection: only render)' },
  { name: 'lease-ttl', type: 'duration', default: '10s', description: 'projection lease TTL: a standby takes over within it' },
  { name: 'instance-id', type: 'string', description: 'this replica\'s name in the lease (default: hostname and pid)' },
  ...COMMON_FLAGS,
];

function commandOf(f: FlagValues, name: string): string[] | null {
  const raw = String(f[name] ?? '').trim();
  if (raw === '' || raw === 'none') return null;
  try {
    return splitCommand(raw);
  } catch (err) {
    throw new ConfigError(`--${name}: ${(err as Error).message}`);
  }
}

function portOf(value: number, where: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ConfigError(`${where}: ${value} is not a port (1..65535)`);
  return value;
}

function renderOptionsOf(f: FlagValues): RenderOptions {
  const servicePorts = new Map<string, number>();
  for (const item of (f['service-port'] as string[] | undefined) ?? []) {
    const m = /^([a-z0-9_-]+)=(\d+)$/.exec(item);
    if (!m) throw new ConfigError(`--service-port: "${item}" is not SERVICE=PORT`);
    servicePorts.set(m[1]!, portOf(Number(m[2]), `--service-port ${m[1]}`));
  }
  const maxFails = f['max-fails'] as number;
  if (maxFails < 0) throw new ConfigError('--max-fails must be 0 or more');
  const keepalive = f.keepalive as number;
  if (keepalive < 0) throw new ConfigError('--keepalive must be 0 or more');
  const failTimeout = f['fail-timeout'] as number;
  if (failTimeout < 1000 || failTimeout % 1000 !== 0) throw new ConfigError('--fail-timeout must be whole seconds, at least 1s');
  return {
    port: portOf(f['upstream-port'] as number, '--upstream-port'),
    servicePorts,
    maxFails,
    failTimeoutSeconds: failTimeout / 1000,
    keepalive,
    combined: Boolean(f['combined-upstreams']),
    services: (f.service as string[] | undefined) ?? [],
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  // --help works without the required flags (parseFlags checks them first).
  const { values: f } = parseFlags(argv, argv.includes('--help') ? FLAGS.map((s) => ({ ...s, required: false })) : FLAGS);
  if (f.help) {
    process.stdout.write(helpText('gateway-sync', 'NODES -> upstreams bucket -> nginx upstream blocks, reloaded only when they change', FLAGS) + '\n');
    return 0;
  }
  const level = String(f['log-level']);
  if (!isLogLevel(level)) throw new ConfigError(`--log-level: "${level}" is not a level`);
  const file = resolve(String(f['nginx-upstreams-file']));
  try {
    if (!statSync(dirname(file)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ConfigError(`--nginx-upstreams-file: directory ${dirname(file)} does not exist`);
  }
  const render = renderOptionsOf(f);
  const testCommand = commandOf(f, 'nginx-test-command');
  const reloadCommand = commandOf(f, 'nginx-reload-command');
  const leaseTtl = f['lease-ttl'] as number;
  if (leaseTtl < 1000) throw new ConfigError('--lease-ttl must be at least 1s');
  const debounceMs = f.debounce as number;
  const retryMs = f['retry-interval'] as number;
  if (retryMs < 100) throw new ConfigError('--retry-interval must be at least 100ms');
  if (f['metrics-listen']) {
    try {
      parseListen(String(f['metrics-listen']));
    } catch (err) {
      throw new ConfigError(`--metrics-listen: ${(err as Error).message}`);
    }
  }
  const id = f['instance-id'] ? String(f['instance-id']) : `${hostname()}-${process.pid}`;
  const log = createLogger('gateway-sync', level).child({ instance: id });

  const plane = await connectPlane(natsSettingsFromFlags(f, `gateway-sync ${id}`));
  await ensureStream(plane.jsm, STREAMS.nodes);
  const kv = await ensureBucket(plane.nc, UPSTREAMS_BUCKET);
  const registry = createMetricsRegistry('gateway-sync');
  let runner: UpstreamsProjectionRunner | undefined;
  const metrics = gatewayMetrics(registry, async () => {
    const r = runner;
    return r?.isRunning() ? lagBehind(plane.jsm, STREAMS.nodes.name, 'node.>', r.position()) : undefined;
  });

  if (f.projection) {
    const leases = await ensureBucket(plane.nc, { ...BUCKETS.leases, ttlMs: leaseTtl });
    runner = new UpstreamsProjectionRunner({ plane, leases, id, leaseTtlMs: leaseTtl, log: log.child({ role: 'projection' }), onLeader: metrics.leader, onError: metrics.projectionError });
    runner.start();
  }
  const gauges = setInterval(() => metrics.projectionPosition(runner?.position() ?? 0), 1000);

  const applier = new NginxApplier({ file, testCommand, reloadCommand, commandTimeoutMs: f['command-timeout'] as number, log: log.child({ role: 'nginx' }), onCommand: metrics.command });
  const bucketReady = async () => (await kv.get(POSITION_KEY))?.operation === 'PUT' || (await plane.jsm.streams.info(STREAMS.nodes.name)).state.messages === 0;
  const worker = new GatewayWorker({ kv, applier, render, debounceMs, retryMs, bucketReady, log: log.child({ role: 'render' }), onPass: metrics.pass });

  const health = f['metrics-listen']
    ? await startHealthServer({
        listen: String(f['metrics-listen']),
        registry,
        ready: () => (plane.nc.isClosed() ? 'NATS connection closed' : worker.ready()),
      })
    : undefined;
  await worker.start();
  log.info({ file, testCommand, reloadCommand, port: render.port, debounceMs, projection: Boolean(f.projection) }, 'gateway-sync started');
  await untilSignal();
  clearInterval(gauges);
  await worker.stop();
  await runner?.stop();
  health?.close();
  await plane.close();
  return 0;
}

runMain('gateway-sync', main);
