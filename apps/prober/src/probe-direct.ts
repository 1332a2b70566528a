// The prober's own probes. Each opens a fresh connection (no keep-alive pool), so a probe
// measures what a new client would see, and it never outlives its timeout.
import { request } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProbeOutcome } from './result-event.js';
import type { ProbeTarget } from './targets.js';

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.message ? e.message : String(err);
}

/** GET the URL: pass = 2xx or 3xx (redirects are not followed) within the timeout. */
export function probeHttp(url: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    let settled = false;
    const req = request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'plane-prober', accept: '*/*', connection: 'close' } }, (res) => {
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 400;
      finish({ ok, latency_ms: elapsed(), status, error: ok ? null : `HTTP ${status}` });
      res.resume();
      res.destroy();
    });
    const timer = setTimeout(() => finish({ ok: false, latency_ms: elapsed(), status: null, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    function finish(outcome: ProbeOutcome): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    }
    req.on('error', (err) => finish({ ok: false, latency_ms: elapsed(), status: null, error: describeError(err) }));
    req.end();
  });
}

/** Connect to host:port: pass = connected within the timeout. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    let settled = false;
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish({ ok: false, latency_ms: elapsed(), status: null, error: `no connection within ${timeoutMs} ms` }), timeoutMs);
    function finish(outcome: ProbeOutcome): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    socket.once('connect', () => finish({ ok: true, latency_ms: elapsed(), status: null, error: null }));
    socket.once('error', (err) => finish({ ok: false, latency_ms: elapsed(), status: null, error: describeError(err) }));
  });
}

/** Probes a target as its service's health check says. */
export function probeDirect(target: ProbeTarget): Promise<ProbeOutcome> {
  if (target.check === 'http') return probeHttp(target.target, target.timeout_ms);
  return probeTcp(target.ip, target.port, target.timeout_ms);
}
