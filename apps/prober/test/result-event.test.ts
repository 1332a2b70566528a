import { describe, expect, it } from 'vitest';
import { probeResultEvent, probeSubject, probeEventId } from '../src/result-event.js';
import { probeTargetOf } from '../src/targets.js';

const target = probeTargetOf({ service: 'web', region: 'jp', node_id: 'jp-1' }, '10.0.0.1', {
  type: 'http', path: '/healthz', port: 80, interval_ms: 5000, timeout_ms: 2000, rise: 2, fall: 3, heartbeat_timeout_ms: 15_000, window_ms: 30_000, max_ejection_percent: 50, eject_error_rate_above: 0.5, eject_rtt_ms_above: 1000,
});

describe('probeResultEvent', () => {
  it('builds a schema-1 ProbeResult with a deterministic id (node, ip, scheduled time)', () => {
    const at = new Date('2026-01-01T00:00:01.234Z');
    const e = probeResultEvent(target, 1_767_225_601_000, at, { ok: true, latency_ms: 1.23456, status: 200, error: null }, 'prober@host-a', 'prober@host-a');
    expect(e).toEqual({
      schema: 1,
      type: 'ProbeResult',
      id: 'probe:web.jp.jp-1:10.0.0.1:1767225601000',
      time: '2026-01-01T00:00:01.234Z',
      source: 'prober@host-a',
      data: { service: 'web', region: 'jp', node_id: 'jp-1', ip: '10.0.0.1', check: 'http', target: 'http://10.0.0.1:80/healthz', ok: true, latency_ms: 1.23, status: 200, error: null, prober: 'prober@host-a' },
    });
    const again = probeResultEvent(target, 1_767_225_601_000, new Date(), { ok: true, latency_ms: 9, status: 200, error: null }, 'prober@host-b', 'prober@host-b');
    expect(again.id).toBe(e.id);
    expect(probeEventId(target, 1_767_225_606_000)).not.toBe(e.id);
    expect(probeSubject(target)).toBe('node.web.jp.jp-1.probe');
  });

  it('always says why a failed probe failed', () => {
    const e = probeResultEvent(target, 0, new Date(0), { ok: false, latency_ms: 2000.4, status: null, error: null }, 'p', 'p');
    expect(e.data).toMatchObject({ ok: false, latency_ms: 2000.4, status: null, error: 'failed' });
  });
});
