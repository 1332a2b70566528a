import { describe, expect, it } from 'vitest';
import { blackboxName, blackboxProbeUrl, interpretBlackbox } from '../src/blackbox.js';
import { parsePromText, PromTextError, sampleValue } from '../src/prom-text.js';
import { probeTargetOf } from '../src/targets.js';

// The shape of a real blackbox_exporter 0.23 /probe answer (trimmed).
const HTTP_500 = `# HELP probe_duration_seconds Returns how long the probe took to complete in seconds
# TYPE probe_duration_seconds gauge
probe_duration_seconds 0.00924545
# HELP probe_http_duration_seconds Duration of http request by phase, summed over all redirects
# TYPE probe_http_duration_seconds gauge
probe_http_duration_seconds{phase="connect"} 0.000371407
probe_http_duration_seconds{phase="processing"} 0.008178628
# HELP probe_http_status_code Response HTTP status code
# TYPE probe_http_status_code gauge
probe_http_status_code 500
probe_ip_addr_hash 3.668918509e+09
# HELP probe_success Displays whether or not the probe was a success
# TYPE probe_success gauge
probe_success 0
`;

describe('Prometheus text parsing', () => {
  it('reads names, labels and values, skipping comments', () => {
    const samples = parsePromText(HTTP_500);
    expect(sampleValue(samples, 'probe_success')).toBe(0);
    expect(sampleValue(samples, 'probe_duration_seconds')).toBeCloseTo(0.00924545, 10);
    expect(sampleValue(samples, 'probe_http_duration_seconds', { phase: 'processing' })).toBeCloseTo(0.008178628, 10);
    expect(sampleValue(samples, 'probe_ip_addr_hash')).toBe(3.668918509e9);
    expect(sampleValue(samples, 'missing')).toBeUndefined();
  });

  it('handles escapes, special values, timestamps and odd spacing', () => {
    const samples = parsePromText('a{x="q\\"uote",y="back\\\\slash\\nline",} +Inf 1700000000000\nb NaN\nc -Inf\n  d { z = "1" }   -2.5e-3  \n');
    expect(samples).toHaveLength(4);
    expect(samples[0]).toEqual({ name: 'a', labels: { x: 'q"uote', y: 'back\\slash\nline' }, value: Infinity });
    expect(Number.isNaN(samples[1]!.value)).toBe(true);
    expect(samples[2]!.value).toBe(-Infinity);
    expect(samples[3]).toEqual({ name: 'd', labels: { z: '1' }, value: -0.0025 });
  });

  it('rejects what is not the text format, naming the line', () => {
    expect(() => parsePromText('ok 1\n<html>\n')).toThrow(PromTextError);
    expect(() => parsePromText('ok 1\n<html>\n')).toThrow(/line 2/);
    expect(() => parsePromText('x{a="1" 2')).toThrow(/line 1/);
    expect(() => parsePromText('x one')).toThrow(/not a sample value/);
  });
});

describe('blackbox answers', () => {
  it('turns probe_success / duration / status into an outcome', () => {
    expect(interpretBlackbox(HTTP_500, 'http', 'http_2xx')).toEqual({
      kind: 'result',
      outcome: { ok: false, latency_ms: 9.24545, status: 500, error: 'blackbox http_2xx: HTTP 500' },
    });
    expect(interpretBlackbox('probe_success 1\nprobe_duration_seconds 0.25\n', 'tcp', 'tcp_connect')).toEqual({
      kind: 'result',
      outcome: { ok: true, latency_ms: 250, status: null, error: null },
    });
    expect(interpretBlackbox('probe_success 0\nprobe_http_status_code 0\nprobe_duration_seconds 2\n', 'http', 'http_2xx')).toMatchObject({
      kind: 'result',
      outcome: { ok: false, status: null, error: 'blackbox http_2xx: no HTTP answer (connection failed or timed out)' },
    });
  });

  it('treats an answer without probe_success as an exporter error, not a failed node', () => {
    expect(interpretBlackbox('Unknown module "nope"\n', 'http', 'nope').kind).toBe('exporter_error');
    expect(interpretBlackbox('up 1\n', 'http', 'http_2xx')).toEqual({ kind: 'exporter_error', error: 'answer has no probe_success' });
  });

  it('asks /probe with the full URL for http and ip:port for tcp; names itself without credentials', () => {
    const settings = { url: 'http://u:secret@127.0.0.1:9115/', moduleHttp: 'http_2xx', moduleTcp: 'tcp_connect', graceMs: 1000 };
    const base = { rise: 2, fall: 3, heartbeat_timeout_ms: 1, window_ms: 1, max_ejection_percent: 50, eject_error_rate_above: 1, eject_rtt_ms_above: 1, interval_ms: 1000, timeout_ms: 500 };
    const node = { service: 'web', region: 'jp', node_id: 'a' };
    const http = probeTargetOf(node, '::1', { ...base, type: 'http', path: '/healthz?full=1', port: 8080 });
    const tcp = probeTargetOf(node, '10.0.0.1', { ...base, type: 'tcp', port: 5432 });
    expect(blackboxProbeUrl(settings, http)).toBe('http://u:secret@127.0.0.1:9115/probe?target=http%3A%2F%2F%5B%3A%3A1%5D%3A8080%2Fhealthz%3Ffull%3D1&module=http_2xx');
    expect(blackboxProbeUrl(settings, tcp)).toBe('http://u:secret@127.0.0.1:9115/probe?target=10.0.0.1%3A5432&module=tcp_connect');
    expect(blackboxName(settings.url)).toBe('blackbox@http://127.0.0.1:9115');
  });
});
