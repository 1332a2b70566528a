// --static-metrics cpu=0.5,ram=0.4,qps=100,rtt_ms=20,error_rate=0 (tests and demos). Pure.
import type { ServiceNumbers } from './service-metrics.js';

export interface StaticMetrics {
  /** Replace the measured CPU / RAM when given. */
  cpu?: number;
  ram?: number;
  /** The service's numbers; present when any of qps, rtt_ms, error_rate was given (the others are 0). */
  service?: ServiceNumbers;
}

const RATIOS = new Set(['cpu', 'ram', 'error_rate']);
const KEYS = ['cpu', 'ram', 'qps', 'rtt_ms', 'error_rate'];

export function parseStaticMetrics(text: string): StaticMetrics {
  const values = new Map<string, number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(.+)$/.exec(part);
    if (!m) throw new Error(`"${part}" is not NAME=NUMBER`);
    const key = m[1]!;
    const raw = m[2]!;
    if (!KEYS.includes(key)) throw new Error(`unknown metric "${key}" (known: ${KEYS.join(', ')})`);
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (RATIOS.has(key) && n > 1)) throw new Error(`${key}=${raw}: expected ${RATIOS.has(key) ? 'a number from 0 to 1' : 'a number >= 0'}`);
    values.set(key, n);
  }
  if (values.size === 0) throw new Error('no metrics given (example: cpu=0.5,ram=0.4,qps=100,rtt_ms=20,error_rate=0)');
  const out: StaticMetrics = {};
  if (values.has('cpu')) out.cpu = values.get('cpu')!;
  if (values.has('ram')) out.ram = values.get('ram')!;
  if (values.has('qps') || values.has('rtt_ms') || values.has('error_rate')) {
    out.service = { qps: values.get('qps') ?? 0, rtt_ms: values.get('rtt_ms') ?? 0, error_rate: values.get('error_rate') ?? 0 };
  }
  return out;
}
