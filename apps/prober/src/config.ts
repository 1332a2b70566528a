// The prober's flags (INTERFACES.md: --concurrency, --blackbox-url, plus the common ones) and
// their validation. A bad value is a ConfigError: one line, exit 2.
import { hostname } from 'node:os';
import { COMMON_FLAGS, ConfigError, isLogLevel, parseListen, type FlagSpec, type FlagValues } from '@plane/runtime';
import type { BlackboxSettings } from './blackbox.js';

export const PROBER_FLAGS: FlagSpec[] = [
  { name: 'concurrency', type: 'int', default: 64, description: 'probes (or exporter requests) under way at once, at most' },
  { name: 'blackbox-url', type: 'string', description: 'ask this Prometheus blackbox exporter (GET <url>/probe) instead of probing directly' },
  { name: 'blackbox-module-http', type: 'string', default: 'http_2xx', description: 'exporter module for http checks (target: the full URL)' },
  { name: 'blackbox-module-tcp', type: 'string', default: 'tcp_connect', description: 'exporter module for tcp checks (target: ip:port)' },
  { name: 'blackbox-grace', type: 'duration', default: '1s', description: 'how long past a check\'s timeout the exporter may take to answer before the round counts as an exporter failure (nothing recorded)' },
  { name: 'prober-name', type: 'string', description: 'name of this prober in events (default prober@<hostname>)' },
  ...COMMON_FLAGS,
];

export const SUMMARY = 'probes every registered node of every service with a gtm declaration (HTTP or TCP, as its health says) and records ProbeResult events on the NODES stream';

export interface ProberConfig {
  concurrency: number;
  /** `prober@<hostname>`: the recorder of every event, and the prober of direct probes. */
  proberName: string;
  blackbox?: BlackboxSettings;
  logLevel: string;
  metricsListen?: string;
}

export function proberConfigFromFlags(f: FlagValues, positionals: readonly string[] = []): ProberConfig {
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  const logLevel = String(f['log-level']);
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level: "${logLevel}" is not a level (fatal, error, warn, info, debug, trace, silent)`);
  const concurrency = f.concurrency as number;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw new ConfigError(`--concurrency: ${concurrency} is out of range (1..10000)`);
  const proberName = f['prober-name'] ? String(f['prober-name']) : `prober@${hostname()}`;
  if (proberName.trim() === '') throw new ConfigError('--prober-name must not be empty');
  const config: ProberConfig = { concurrency, proberName, logLevel };
  if (f['metrics-listen'] !== undefined) {
    const listen = String(f['metrics-listen']);
    try {
      parseListen(listen);
    } catch (err) {
      throw new ConfigError(`--metrics-listen: ${(err as Error).message}`);
    }
    config.metricsListen = listen;
  }
  if (f['blackbox-url'] !== undefined) {
    const raw = String(f['blackbox-url']);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`--blackbox-url: "${raw}" is not a URL (example: http://127.0.0.1:9115)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--blackbox-url: "${raw}" must be http:// or https://`);
    if (url.search || url.hash) throw new ConfigError(`--blackbox-url: "${raw}" must not have a query or fragment (the prober adds /probe?target=...)`);
    const moduleHttp = String(f['blackbox-module-http']).trim();
    const moduleTcp = String(f['blackbox-module-tcp']).trim();
    if (!moduleHttp) throw new ConfigError('--blackbox-module-http must not be empty');
    if (!moduleTcp) throw new ConfigError('--blackbox-module-tcp must not be empty');
    config.blackbox = { url: raw, moduleHttp, moduleTcp, graceMs: f['blackbox-grace'] as number };
  }
  return config;
}
