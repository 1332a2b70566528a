// Flags (each with its PLANE_* twin) -> the agent's settings. Every problem is a ConfigError:
// one line, exit 2, before anything starts.
import { hostname, networkInterfaces } from 'node:os';
import { connectionOptions, natsSettingsFromFlags } from '@plane/backbone';
import { NODE_ID_PATTERN, type NodeRef } from '@plane/events';
import { COMMON_FLAGS, ConfigError, formatDurationMs, isLogLevel, parseListen, readSecret, type FlagSpec, type FlagValues } from '@plane/runtime';
import type { ConnectionOptions } from '@nats-io/transport-node';
import { TokenSource } from './api-client.js';
import { checkIps, machineIps, MAX_IPS, nodeIdFromHostname, parseLabels } from './identity.js';
import { DEFAULT_METRIC_NAMES, durationUnitOf, type RequestMetricNames } from './prometheus.js';
import type { ServiceNumbers } from './service-metrics.js';
import { parseStaticMetrics } from './static-metrics.js';

export const FLAGS: FlagSpec[] = [
  { name: 'api-url', type: 'string', required: true, description: 'plane-api base URL (http:// or https://; a private CA via NODE_EXTRA_CA_CERTS)' },
  { name: 'token-file', type: 'string', description: 'file holding the nodes\' bearer token (or set PLANE_NODE_TOKEN); read again after a 401' },
  { name: 'service', type: 'string', required: true, description: 'the service this node runs ([a-z0-9-])' },
  { name: 'region', type: 'string', required: true, description: 'the region this node is in ([a-z0-9-])' },
  { name: 'node-id', type: 'string', description: 'this node\'s id ([a-z0-9-], 1..63; default: the hostname, lowercased, other characters -> "-")' },
  { name: 'ip', type: 'list', description: 'an address to register (repeatable, or comma separated; default: the machine\'s non-internal, non-link-local IPv4 and IPv6)' },
  { name: 'labels', type: 'list', description: 'KEY=VALUE labels sent with the registration (repeatable, or comma separated)' },
  { name: 'interval', type: 'duration', default: '5s', description: 'heartbeat interval (100ms..1h)' },
  { name: 'static-metrics', type: 'string', description: 'fixed numbers for tests and demos: cpu=0.5,ram=0.4,qps=100,rtt_ms=20,error_rate=0 (any subset; cpu/ram replace the measured ones)' },
  { name: 'metrics-url', type: 'string', description: 'the service\'s Prometheus endpoint: qps, rtt and 5xx share from two scrapes an interval apart' },
  { name: 'metrics-requests-metric', type: 'string', default: DEFAULT_METRIC_NAMES.requests, description: 'request counter with a status label, in the --metrics-url scrape' },
  { name: 'metrics-status-label', type: 'string', description: 'label of that counter holding the HTTP status (default: code, else status)' },
  { name: 'metrics-duration-metric', type: 'string', default: DEFAULT_METRIC_NAMES.duration, description: 'histogram or summary of request durations (its _sum and _count; seconds, or ms when named *_ms / *_milliseconds)' },
  { name: 'metrics-timeout', type: 'duration', description: 'scrape timeout (default: half the interval, 100ms..5s)' },
  { name: 'nginx-access-log', type: 'string', description: 'an nginx access log to tail: combined format + a trailing $request_time, or any format ending in "$request_time $status"' },
  { name: 'retry-max', type: 'duration', default: '30s', description: 'longest wait between registration attempts while plane-api is unreachable (exponential backoff with jitter from 500ms)' },
  { name: 'nats-retry-max', type: 'duration', default: '5s', description: 'longest wait between NATS connection attempts (exponential backoff with jitter from 250ms; heartbeats use HTTP meanwhile)' },
  { name: 'rejected-retry', type: 'duration', default: '30s', description: 'wait between registration attempts plane-api refused (400/401: a configuration problem someone must fix)' },
  { name: 'shutdown-timeout', type: 'duration', default: '5s', description: 'on SIGTERM/SIGINT, how long deregistering and closing NATS may take' },
  { name: 'deregister-on-exit', type: 'bool', default: true, description: 'deregister on SIGTERM/SIGINT (--no-deregister-on-exit keeps the node registered, e.g. across an agent upgrade)' },
  ...COMMON_FLAGS,
];

export const SOURCES_HELP = `
The service's qps / rtt_ms / error_rate come from one source (none: zeros, exporter_ok true):
  --static-metrics   the numbers given.
  --metrics-url      Prometheus text: a counter of requests with a status label (default
                     http_requests_total{code="..."}) and a histogram or summary of durations
                     (default http_request_duration_seconds_sum / _count). qps = requests/s,
                     rtt_ms = mean duration, error_rate = share of 5xx, between two scrapes.
  --nginx-access-log the file is tailed from its end (rotation and truncation are followed).
                     Lines: log_format combined plus a trailing $request_time, or
                       log_format plane '$remote_addr [$time_local] "$request" $body_bytes_sent $request_time $status';
                     qps = lines/s, rtt_ms = mean $request_time, error_rate = share of 5xx.
When the source fails (unreachable, missing, unparsable) the heartbeat says exporter_ok false with
the reason and zeros for the service numbers; cpu and ram (from /proc) are always measured.
Heartbeats go over NATS when connected, else POST /nodes/heartbeat.`;

export type SourceConfig =
  | { kind: 'none' }
  | { kind: 'static'; numbers: ServiceNumbers }
  | { kind: 'prometheus'; url: string; names: RequestMetricNames; timeoutMs: number }
  | { kind: 'nginx'; path: string };

export interface AgentConfig {
  apiUrl: string;
  token: TokenSource;
  ref: NodeRef;
  ips: string[];
  ipsDiscovered: boolean;
  labels: Record<string, string>;
  intervalMs: number;
  source: SourceConfig;
  cpuOverride?: number;
  ramOverride?: number;
  retryMaxMs: number;
  natsRetryMaxMs: number;
  rejectedRetryMs: number;
  shutdownTimeoutMs: number;
  deregisterOnExit: boolean;
  nats: ConnectionOptions;
  logLevel: string;
  metricsListen?: string;
  host: string;
}

const NAME = /^[a-z0-9-]{1,63}$/;

function str(f: FlagValues, name: string): string | undefined {
  const v = f[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function httpUrl(flag: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`--${flag}: "${value}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`--${flag}: "${value}" must be http:// or https://`);
  return value;
}

function clamp(ms: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, ms));
}

export function readConfig(f: FlagValues, env: Record<string, string | undefined> = process.env): AgentConfig {
  const logLevel = String(f['log-level']);
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level: "${logLevel}" is not a level (fatal, error, warn, info, debug, trace, silent)`);
  const apiUrl = httpUrl('api-url', String(f['api-url']));

  const tokenFile = str(f, 'token-file');
  if (!tokenFile && !env.PLANE_NODE_TOKEN) throw new ConfigError('--token-file is required (or set PLANE_NODE_TOKEN)');
  let token: TokenSource;
  try {
    token = tokenFile ? TokenSource.fromFile(readSecret({ file: tokenFile }), tokenFile) : TokenSource.fixed(readSecret({ env: 'PLANE_NODE_TOKEN' }, env));
  } catch (err) {
    throw new ConfigError(`${tokenFile ? '--token-file' : 'PLANE_NODE_TOKEN'}: ${(err as Error).message.replace(/^secret: /, '')}`);
  }

  const service = String(f.service);
  const region = String(f.region);
  if (!NAME.test(service)) throw new ConfigError(`--service: "${service}" must be [a-z0-9-], 1 to 63 characters`);
  if (!NAME.test(region)) throw new ConfigError(`--region: "${region}" must be [a-z0-9-], 1 to 63 characters`);
  const host = hostname();
  let nodeId = str(f, 'node-id');
  if (nodeId !== undefined) {
    if (!NODE_ID_PATTERN.test(nodeId)) throw new ConfigError(`--node-id: "${nodeId}" must be [a-z0-9-], 1 to 63 characters`);
  } else {
    try {
      nodeId = nodeIdFromHostname(host);
    } catch (err) {
      throw new ConfigError(`--node-id: ${(err as Error).message}`);
    }
  }

  const given = (f.ip as string[] | undefined) ?? [];
  let ips: string[];
  let ipsDiscovered = false;
  try {
    ips = given.length > 0 ? checkIps(given) : machineIps(networkInterfaces());
  } catch (err) {
    throw new ConfigError(`--ip: ${(err as Error).message}`);
  }
  if (ips.length === 0) throw new ConfigError('--ip: this machine has no non-internal IPv4 or IPv6 address: pass --ip');
  if (given.length === 0) {
    ipsDiscovered = true;
    ips = ips.slice(0, MAX_IPS);
  }
  let labels: Record<string, string>;
  try {
    labels = parseLabels((f.labels as string[] | undefined) ?? []);
  } catch (err) {
    throw new ConfigError(`--labels: ${(err as Error).message}`);
  }

  const intervalMs = f.interval as number;
  if (intervalMs < 100 || intervalMs > 3_600_000) throw new ConfigError(`--interval: ${formatDurationMs(intervalMs)} is outside 100ms..1h`);

  let cpuOverride: number | undefined;
  let ramOverride: number | undefined;
  const sources: SourceConfig[] = [];
  const staticText = str(f, 'static-metrics');
  if (staticText !== undefined) {
    try {
      const s = parseStaticMetrics(staticText);
      cpuOverride = s.cpu;
      ramOverride = s.ram;
      if (s.service) sources.push({ kind: 'static', numbers: s.service });
    } catch (err) {
      throw new ConfigError(`--static-metrics: ${(err as Error).message}`);
    }
  }
  const metricsUrl = str(f, 'metrics-url');
  if (metricsUrl !== undefined) {
    const duration = String(f['metrics-duration-metric']);
    const requests = String(f['metrics-requests-metric']);
    for (const [flag, v] of [['metrics-duration-metric', duration], ['metrics-requests-metric', requests]] as const) {
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v)) throw new ConfigError(`--${flag}: "${v}" is not a Prometheus metric name`);
    }
    const statusLabel = str(f, 'metrics-status-label');
    const timeout = f['metrics-timeout'] as number | undefined;
    sources.push({
      kind: 'prometheus',
      url: httpUrl('metrics-url', metricsUrl),
      names: { requests, duration, durationUnit: durationUnitOf(duration), statusLabels: statusLabel ? [statusLabel] : DEFAULT_METRIC_NAMES.statusLabels },
      timeoutMs: timeout ?? clamp(intervalMs / 2, 100, 5000),
    });
  }
  const accessLog = str(f, 'nginx-access-log');
  if (accessLog !== undefined) sources.push({ kind: 'nginx', path: accessLog });
  if (sources.length > 1) {
    throw new ConfigError('--static-metrics (qps, rtt_ms, error_rate), --metrics-url and --nginx-access-log are alternatives: give one');
  }

  let nats: ConnectionOptions;
  try {
    nats = connectionOptions(natsSettingsFromFlags(f, `node-agent ${service}.${region}.${nodeId}`));
  } catch (err) {
    throw new ConfigError(`NATS settings: ${(err as Error).message}`);
  }
  // A dead link is found by the flush after each heartbeat; the pings catch it between heartbeats.
  nats.pingInterval = clamp(intervalMs * 2, 2000, 30_000);
  nats.maxPingOut = 2;

  const metricsListen = str(f, 'metrics-listen');
  if (metricsListen !== undefined) {
    try {
      parseListen(metricsListen);
    } catch (err) {
      throw new ConfigError(`--metrics-listen: ${(err as Error).message}`);
    }
  }

  return {
    apiUrl,
    token,
    ref: { service, region, node_id: nodeId },
    ips,
    ipsDiscovered,
    labels,
    intervalMs,
    source: sources[0] ?? { kind: 'none' },
    ...(cpuOverride !== undefined ? { cpuOverride } : {}),
    ...(ramOverride !== undefined ? { ramOverride } : {}),
    retryMaxMs: Math.max(500, f['retry-max'] as number),
    natsRetryMaxMs: Math.max(250, f['nats-retry-max'] as number),
    rejectedRetryMs: Math.max(1000, f['rejected-retry'] as number),
    shutdownTimeoutMs: Math.max(100, f['shutdown-timeout'] as number),
    deregisterOnExit: Boolean(f['deregister-on-exit']),
    nats,
    logLevel,
    ...(metricsListen !== undefined ? { metricsListen } : {}),
    host,
  };
}
