// The second source of results: a Prometheus blackbox exporter probes, we read its verdict.
// An exporter that does not answer (or answers something that is not a probe result) is not a
// failed probe of the node: it yields `exporter_error`, and nothing is recorded for that round.
import type { ProbeOutcome } from './result-event.js';
import { parsePromText, sampleValue, type PromSample } from './prom-text.js';
import type { CheckType, ProbeTarget } from './targets.js';

export interface BlackboxSettings {
  /** Base URL of the exporter, e.g. http://127.0.0.1:9115 */
  url: string;
  moduleHttp: string;
  moduleTcp: string;
  /** How long past the probe's own timeout the exporter may take to answer. */
  graceMs: number;
}

export type BlackboxAnswer = { kind: 'result'; outcome: ProbeOutcome } | { kind: 'exporter_error'; error: string };

/**
 * The exporter subtracts its --timeout-offset (0.5 s by default) from this header, and uses the
 * lower of that and the module's own timeout: so the declared timeout reaches the probe.
 */
export const SCRAPE_TIMEOUT_HEADER = 'X-Prometheus-Scrape-Timeout-Seconds';
const EXPORTER_TIMEOUT_OFFSET_S = 0.5;

export function moduleFor(settings: BlackboxSettings, check: CheckType): string {
  return check === 'http' ? settings.moduleHttp : settings.moduleTcp;
}

export function blackboxProbeUrl(settings: BlackboxSettings, target: ProbeTarget): string {
  const query = new URLSearchParams({ target: target.target, module: moduleFor(settings, target.check) });
  return `${settings.url.replace(/\/+$/, '')}/probe?${query.toString()}`;
}

/** The exporter's URL without credentials: it names the prober in events and logs. */
export function blackboxName(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return `blackbox@${u.toString().replace(/\/+$/, '')}`;
}

/** Reads a /probe answer: probe_success decides, probe_duration_seconds and probe_http_status_code inform. */
export function interpretBlackbox(text: string, check: CheckType, module: string): BlackboxAnswer {
  let samples: PromSample[];
  try {
    samples = parsePromText(text);
  } catch (err) {
    return { kind: 'exporter_error', error: `unreadable answer: ${(err as Error).message}` };
  }
  const success = sampleValue(samples, 'probe_success');
  if (success === undefined) return { kind: 'exporter_error', error: 'answer has no probe_success' };
  const duration = sampleValue(samples, 'probe_duration_seconds');
  const code = sampleValue(samples, 'probe_http_status_code');
  const status = code !== undefined && Number.isFinite(code) && code > 0 ? code : null;
  const ok = success === 1;
  let error: string | null = null;
  if (!ok) {
    const why = status !== null ? `HTTP ${status}` : check === 'http' ? 'no HTTP answer (connection failed or timed out)' : 'connection failed or timed out';
    error = `blackbox ${module}: ${why}`;
  }
  return { kind: 'result', outcome: { ok, latency_ms: duration !== undefined && Number.isFinite(duration) ? duration * 1000 : 0, status, error } };
}

export async function probeViaBlackbox(settings: BlackboxSettings, target: ProbeTarget): Promise<BlackboxAnswer> {
  const module = moduleFor(settings, target.check);
  const budgetMs = target.timeout_ms + settings.graceMs;
  let res: Response;
  let text: string;
  try {
    res = await fetch(blackboxProbeUrl(settings, target), {
      headers: { [SCRAPE_TIMEOUT_HEADER]: String(target.timeout_ms / 1000 + EXPORTER_TIMEOUT_OFFSET_S), accept: 'text/plain' },
      signal: AbortSignal.timeout(budgetMs),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = e.name === 'TimeoutError' ? `no answer within ${budgetMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { kind: 'exporter_error', error: detail };
  }
  if (res.status !== 200) return { kind: 'exporter_error', error: `HTTP ${res.status}: ${text.trim().slice(0, 200)}` };
  return interpretBlackbox(text, target.check, module);
}
