// The pure parts: /proc parsing, nginx lines, Prometheus text and rates, node identity, backoff.
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { backoffDelayMs, jitteredMs } from '../src/backoff.js';
import { heartbeatFields, heartbeatId } from '../src/heartbeat.js';
import { checkIps, machineIps, nodeIdFromHostname, parseLabels } from '../src/identity.js';
import { LogTail } from '../src/log-tail.js';
import { AccessLogTally, parseAccessLogLine } from '../src/nginx.js';
import { cpuBusyShare, parseMeminfo, parseProcStat, ramUsedShare } from '../src/proc.js';
import { counterIncrease, DEFAULT_METRIC_NAMES, durationUnitOf, parsePrometheusText, requestCountersOf, serviceRates } from '../src/prometheus.js';
import { parseStaticMetrics } from '../src/static-metrics.js';

describe('/proc', () => {
  const stat1 = 'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1\n';
  const stat2 = 'cpu  160 0 70 900 70 0 0 0 0 0\ncpu0 80 0 35 450 35 0 0 0 0 0\n';

  it('takes the busy share between two reads of the cpu line (idle and iowait are not busy)', () => {
    const a = parseProcStat(stat1);
    expect(a).toEqual({ busy: 150, total: 1000 });
    const b = parseProcStat(stat2);
    // busy +80 of total +200
    expect(cpuBusyShare(a, b)).toBe(0.4);
    expect(cpuBusyShare(b, b)).toBe(0);
    expect(cpuBusyShare(b, a)).toBe(0);
  });

  it('refuses text without a cpu line', () => {
    expect(() => parseProcStat('intr 1\n')).toThrow(/no aggregate "cpu" line/);
    expect(() => parseProcStat('cpu  a b c d\n')).toThrow(/unreadable/);
  });

  it('ram = 1 - MemAvailable/MemTotal, with the pre-3.14 estimate when MemAvailable is absent', () => {
    const m = parseMeminfo('MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nBuffers: 10 kB\n');
    expect(ramUsedShare(m)).toBe(0.75);
    const old = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n');
    expect(ramUsedShare(old)).toBe(0.5);
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow(/MemTotal/);
  });

  it('reads this machine within 0..1', () => {
    const stat = parseProcStat(readFileSync('/proc/stat', 'utf8'));
    expect(stat.total).toBeGreaterThan(0);
    const ram = ramUsedShare(parseMeminfo(readFileSync('/proc/meminfo', 'utf8')));
    expect(ram).toBeGreaterThan(0);
    expect(ram).toBeLessThanOrEqual(1);
  });
});

describe('nginx access log lines', () => {
  const combined = '203.0.113.9 - - [26/Nov/2025:10:00:00 +0000] "GET /api/v1/x?y=1 HTTP/1.1" 200 512 "-" "curl/8.5.0" 0.012';
  const combinedQuoteInUa = '203.0.113.9 - alice [26/Nov/2025:10:00:00 +0000] "POST /a HTTP/2.0" 503 0 "https://r/" "Mozilla \\"x\\" 5.0" 1.500';
  const plane = '203.0.113.9 [26/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 1024 0.250 502';

  it('parses combined + $request_time and the documented "... $request_time $status" format', () => {
    expect(parseAccessLogLine(combined)).toEqual({ status: 200, requestTimeS: 0.012 });
    expect(parseAccessLogLine(combinedQuoteInUa)).toEqual({ status: 503, requestTimeS: 1.5 });
    expect(parseAccessLogLine(plane)).toEqual({ status: 502, requestTimeS: 0.25 });
    expect(parseAccessLogLine('0.003 404')).toEqual({ status: 404, requestTimeS: 0.003 });
  });

  it('refuses lines in other formats', () => {
    expect(parseAccessLogLine('203.0.113.9 - - [26/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl"')).toBeUndefined();
    expect(parseAccessLogLine('hello world')).toBeUndefined();
    expect(parseAccessLogLine('0.1 999')).toBeUndefined();
  });

  it('tallies an interval: qps, mean request time, 5xx share', () => {
    const t = new AccessLogTally();
    for (const l of [combined, combinedQuoteInUa, plane, '0.236 200', '']) t.add(l);
    const r = t.numbers(2);
    expect(r).toEqual({ ok: true, numbers: { qps: 2, rtt_ms: 499.5, error_rate: 0.5 } });
    expect(new AccessLogTally().numbers(5)).toEqual({ ok: true, numbers: { qps: 0, rtt_ms: 0, error_rate: 0 } });
  });

  it('says so when no line of the interval can be read', () => {
    const t = new AccessLogTally();
    t.add('something else entirely');
    const r = t.numbers(1);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/none of 1 new access-log lines is in a known format/);
  });
});

describe('following a log file', () => {
  it('starts at the end, keeps partial lines, follows truncation and rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-tail-'));
    const file = join(dir, 'access.log');
    try {
      writeFileSync(file, 'old 1\nold 2\n');
      const tail = new LogTail(file);
      await tail.openAtEnd();
      const read = async () => {
        const lines: string[] = [];
        await tail.readNew((l) => lines.push(l));
        return lines;
      };
      expect(await read()).toEqual([]);
      appendFileSync(file, 'a\nb\npart');
      expect(await read()).toEqual(['a', 'b']);
      appendFileSync(file, 'ial\n');
      expect(await read()).toEqual(['partial']);
      truncateSync(file, 0);
      appendFileSync(file, 'after truncate\n');
      expect(await read()).toEqual(['after truncate']);
      appendFileSync(file, 'last of old\n');
      renameSync(file, `${file}.1`);
      writeFileSync(file, 'first of new\n');
      expect(await read()).toEqual(['last of old', 'first of new']);
      appendFileSync(file, 'more\n');
      expect(await read()).toEqual(['more']);
      rmSync(file);
      rmSync(`${file}.1`);
      expect(await read()).toEqual([]);
      await expect(read()).rejects.toThrow(/ENOENT/);
      writeFileSync(file, 'reappeared\n');
      expect(await read()).toEqual(['reappeared']);
      await tail.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Prometheus text', () => {
  const scrape = (ok: number, err: number, sum: number, count: number) => `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200",path="/a b\\"c"} ${ok}
http_requests_total{method="GET",code="503"} ${err} 1700000000000
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 3
http_request_duration_seconds_bucket{le="+Inf"} ${count}
http_request_duration_seconds_sum ${sum}
http_request_duration_seconds_count ${count}
process_cpu_seconds_total 1.5e+01
weird_value NaN
`;

  it('parses samples, labels with escapes, timestamps and special values', () => {
    const p = parsePrometheusText(scrape(10, 2, 1.2, 12));
    expect(p.families.has('http_requests_total')).toBe(true);
    expect(p.samples[0]).toEqual({ name: 'http_requests_total', labels: { method: 'GET', code: '200', path: '/a b"c' }, value: 10 });
    expect(p.samples.find((s) => s.name === 'process_cpu_seconds_total')?.value).toBe(15);
    expect(Number.isNaN(p.samples.find((s) => s.name === 'weird_value')!.value)).toBe(true);
    expect(() => parsePrometheusText('this is { not prometheus')).toThrow(/line 1: not a sample/);
  });

  it('computes qps, mean latency and 5xx share between two scrapes', () => {
    const a = requestCountersOf(parsePrometheusText(scrape(100, 0, 2, 100)), DEFAULT_METRIC_NAMES);
    const b = requestCountersOf(parsePrometheusText(scrape(190, 10, 6, 200)), DEFAULT_METRIC_NAMES);
    expect(serviceRates(a, b, 2)).toEqual({ qps: 50, rtt_ms: 40, error_rate: 0.1 });
    expect(serviceRates(b, b, 5)).toEqual({ qps: 0, rtt_ms: 0, error_rate: 0 });
  });

  it('treats a counter that went down as reset, and a new series as counted from 0', () => {
    expect(counterIncrease(new Map([['a', 100]]), new Map([['a', 5]]))).toBe(5);
    expect(counterIncrease(new Map([['a', 100]]), new Map([['a', 110], ['b', 3]]))).toBe(13);
  });

  it('accepts declared metrics without samples yet, the status label, and a millisecond histogram', () => {
    const empty = requestCountersOf(parsePrometheusText('# TYPE http_requests_total counter\n# TYPE http_request_duration_seconds summary\n'), DEFAULT_METRIC_NAMES);
    expect(empty.requests.size).toBe(0);
    const names = { requests: 'reqs', statusLabels: ['status'], duration: 'lat_ms', durationUnit: durationUnitOf('lat_ms') };
    const a = requestCountersOf(parsePrometheusText('reqs{status="500"} 1\nlat_ms_sum 10\nlat_ms_count 1\n'), names);
    const b = requestCountersOf(parsePrometheusText('reqs{status="500"} 3\nreqs{status="200"} 2\nlat_ms_sum 70\nlat_ms_count 5\n'), names);
    expect(serviceRates(a, b, 1, names.durationUnit)).toEqual({ qps: 4, rtt_ms: 15, error_rate: 0.5 });
  });

  it('names what is missing', () => {
    expect(() => requestCountersOf(parsePrometheusText('up 1\n'), DEFAULT_METRIC_NAMES)).toThrow(/no http_requests_total/);
    expect(() => requestCountersOf(parsePrometheusText('http_requests_total{code="200"} 1\n'), DEFAULT_METRIC_NAMES)).toThrow(/no http_request_duration_seconds_sum/);
    expect(() => requestCountersOf(parsePrometheusText('http_requests_total{method="GET"} 1\n'), DEFAULT_METRIC_NAMES)).toThrow(/no code or status label/);
  });
});

describe('node identity', () => {
  it('derives the node id from the hostname', () => {
    expect(nodeIdFromHostname('JP-0')).toBe('jp-0');
    expect(nodeIdFromHostname('jp-0.example.internal')).toBe('jp-0-example-internal');
    expect(nodeIdFromHostname('web_1')).toBe('web-1');
    expect(() => nodeIdFromHostname('x'.repeat(64))).toThrow(/pass --node-id/);
    expect(() => nodeIdFromHostname('')).toThrow(/pass --node-id/);
  });

  it('finds non-internal, non-link-local addresses, IPv4 first', () => {
    const a = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
      ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
    const ips = machineIps({
      lo: [a('127.0.0.1', 'IPv4', true), a('::1', 'IPv6', true)],
      eth0: [a('10.0.0.5', 'IPv4'), a('fe80::1', 'IPv6'), a('2001:DB8::5', 'IPv6')],
      eth1: [a('169.254.1.1', 'IPv4'), a('10.0.0.5', 'IPv4'), a('192.0.2.7', 'IPv4')],
    });
    expect(ips).toEqual(['10.0.0.5', '192.0.2.7', '2001:db8::5']);
  });

  it('checks --ip and --labels', () => {
    expect(checkIps(['10.0.0.1', '10.0.0.1', '::1'])).toEqual(['10.0.0.1', '::1']);
    expect(() => checkIps(['10.0.0'])).toThrow(/not an IPv4 or IPv6/);
    expect(() => checkIps(Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`))).toThrow(/at most 16/);
    expect(parseLabels(['tier=gpu', 'zone=a=b'])).toEqual({ tier: 'gpu', zone: 'a=b' });
    expect(() => parseLabels(['novalue'])).toThrow(/KEY=VALUE/);
  });
});

describe('static metrics', () => {
  it('parses a subset; cpu/ram override, the rest is the service', () => {
    expect(parseStaticMetrics('cpu=0.5,ram=0.4,qps=100,rtt_ms=20,error_rate=0')).toEqual({ cpu: 0.5, ram: 0.4, service: { qps: 100, rtt_ms: 20, error_rate: 0 } });
    expect(parseStaticMetrics('cpu=0.9')).toEqual({ cpu: 0.9 });
    expect(parseStaticMetrics('qps=5')).toEqual({ service: { qps: 5, rtt_ms: 0, error_rate: 0 } });
    expect(() => parseStaticMetrics('cpu=1.5')).toThrow(/0 to 1/);
    expect(() => parseStaticMetrics('load=1')).toThrow(/unknown metric "load"/);
    expect(() => parseStaticMetrics('qps')).toThrow(/NAME=NUMBER/);
  });
});

describe('heartbeat fields', () => {
  const ref = { service: 'svc-plus', region: 'jp', node_id: 'jp-0' };
  it('carries the numbers, or zeros and the reason when the source failed', () => {
    expect(heartbeatId(ref, 1700000000000, 3)).toBe('hb:svc-plus.jp.jp-0:1700000000000:3');
    expect(heartbeatFields(ref, 1, 5, { cpu: 0.2, ram: 0.3 }, { ok: true, numbers: { qps: 1, rtt_ms: 2, error_rate: 0 } })).toEqual({ ...ref, seq: 1, boot: 5, cpu: 0.2, ram: 0.3, qps: 1, rtt_ms: 2, error_rate: 0, exporter_ok: true });
    expect(heartbeatFields(ref, 2, 5, { cpu: 0.2, ram: 0.3 }, { ok: false, error: 'down' })).toEqual({ ...ref, seq: 2, boot: 5, cpu: 0.2, ram: 0.3, qps: 0, rtt_ms: 0, error_rate: 0, exporter_ok: false, exporter_error: 'down' });
  });
});

describe('backoff', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };
  it('doubles per attempt up to the cap, with half of each step random', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect([1, 2, 3, 7].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([250, 500, 1000, 15000]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(3, policy);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
    expect(backoffDelayMs(0, policy, () => 1)).toBe(500);
  });

  it('spreads a fixed delay by +-10 %', () => {
    expect(jitteredMs(30_000, 0.1, () => 0)).toBe(27_000);
    expect(jitteredMs(30_000, 0.1, () => 1)).toBe(33_000);
  });
});
