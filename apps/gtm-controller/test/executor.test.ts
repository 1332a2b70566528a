// The DNS-apply executor against the Cloudflare stand-in through the official SDK: retries on
// 429/5xx, idempotent redelivery, stale commands, foreign records, one provider per consumer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectPlane, ensureStream, publishEvent, readStream, STREAMS, type Plane } from '@plane/backbone';
import { renderRecordSets, type RecordSet } from '@plane/dns';
import { envelope, subjects, validateEvent, type DnsApply, type DnsOutcomeData } from '@plane/events';
import { createLogger } from '@plane/runtime';
import { startCloudflareStandIn, type CloudflareStandIn } from '@plane/standins';
import { startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';
import { DnsExecutor } from '../src/dns/executor.js';
import { ProviderCache } from '@plane/dns';

let nats: NatsServerHandle;
let plane: Plane;
let cf: CloudflareStandIn;
let executor: DnsExecutor;
const outcomes: DnsOutcomeData[] = [];
let n = 0;

function settings() {
  return { provider: 'cloudflare', mode: 'dns', zone: 'svc.plus', ttl: 60, api_url: cf.url, credentials: { env: 'TEST_CF_TOKEN' }, drift_check_ms: 300_000 };
}

function sets(ips: Record<string, string[]>): RecordSet[] {
  return renderRecordSets('cloudflare', { domain: 'api.svc.plus', ttl: 60, regions: Object.entries(ips).map(([name, list]) => ({ name, weight: 100, ips: list })) }, { cloudflareMode: 'dns' });
}

async function command(recordSets: RecordSet[], seq: number): Promise<string> {
  const id = `decision-${++n}`;
  const cmd: DnsApply = envelope('DnsApply', id, { provider: 'cloudflare', zone: 'svc.plus', settings: settings(), service: 'svc-plus', domain: 'api.svc.plus', names: ['api.svc.plus'], record_sets: recordSets, decision_id: id, decision_seq: seq }, 'test');
  expect(validateEvent(cmd)).toEqual([]);
  await publishEvent(plane.js, subjects.dnsCommand('cloudflare', 'svc.plus'), cmd);
  return id;
}

async function outcomeOf(id: string, final = ['applied', 'noop', 'failed', 'conflict', 'superseded']): Promise<DnsOutcomeData> {
  return waitFor(`outcome of ${id}`, async () => outcomes.find((o) => o.decision_id === id && final.includes(o.outcome)), 30_000, 20);
}

function servedIps(): string[] {
  return cf.dnsRecords('svc.plus').filter((r) => r.name === 'api.svc.plus').map((r) => r.content).sort();
}

beforeAll(async () => {
  process.env.TEST_CF_TOKEN = 'cf-test-token';
  nats = await startNatsServer();
  cf = await startCloudflareStandIn({ token: 'cf-test-token', zones: ['svc.plus'] });
  plane = await connectPlane({ url: nats.url, name: 'executor-test' });
  for (const s of [STREAMS.commands, STREAMS.outcomes]) await ensureStream(plane.jsm, s);
  executor = new DnsExecutor({ plane, log: createLogger('test', 'silent'), providers: new ProviderCache(), source: 'test', retryBaseMs: 50, onOutcome: (o) => outcomes.push(o) });
  await executor.start();
});

afterAll(async () => {
  await executor?.stop();
  await plane?.close();
  await nats?.dispose();
  await cf?.stop();
});

beforeEach(() => cf.clearRequests());

describe('DNS executor', () => {
  it('applies a command, then a redelivered or repeated one changes nothing', async () => {
    const want = sets({ jp: ['192.0.2.1', '192.0.2.2'], sg: ['198.51.100.1'] });
    const first = await command(want, 10);
    expect((await outcomeOf(first)).outcome).toBe('applied');
    expect(servedIps()).toEqual(['192.0.2.1', '192.0.2.2', '198.51.100.1']);
    const writes = cf.writes().length;
    // The same desired state again (a redelivery after a crash between apply and ack looks the same).
    const again = await command(want, 11);
    const o = await outcomeOf(again);
    expect(o.outcome).toBe('noop');
    expect(cf.writes().length).toBe(writes);
  });

  it('retries 429 and 500 with backoff and converges', async () => {
    cf.failNext(1, { status: 429, retryAfterS: 0 });
    cf.failNext(1, { status: 500 });
    const id = await command(sets({ jp: ['192.0.2.1', '192.0.2.3'], sg: ['198.51.100.1'] }), 20);
    const o = await outcomeOf(id);
    expect(o.outcome).toBe('applied');
    expect(o.attempt).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((x) => x.decision_id === id && x.outcome === 'retrying').length).toBeGreaterThanOrEqual(1);
    expect(servedIps()).toEqual(['192.0.2.1', '192.0.2.3', '198.51.100.1']);
  });

  it('ignores a command older than the last one applied for its names', async () => {
    const id = await command(sets({ jp: ['192.0.2.9'] }), 5);
    const o = await outcomeOf(id);
    expect(o.outcome).toBe('superseded');
    expect(servedIps()).toEqual(['192.0.2.1', '192.0.2.3', '198.51.100.1']);
  });

  it('never takes over a name holding foreign records: a conflict, and nothing written', async () => {
    cf.seedRecord('svc.plus', { type: 'A', name: 'www.svc.plus', content: '203.0.113.7', ttl: 60, comment: 'made by hand' });
    const id = `decision-${++n}`;
    const cmd: DnsApply = envelope('DnsApply', id, { provider: 'cloudflare', zone: 'svc.plus', settings: settings(), service: 'svc-plus', domain: 'www.svc.plus', names: ['www.svc.plus'], record_sets: renderRecordSets('cloudflare', { domain: 'www.svc.plus', ttl: 60, regions: [{ name: 'jp', weight: 1, ips: ['192.0.2.50'] }] }), decision_id: id, decision_seq: 100 }, 'test');
    await publishEvent(plane.js, subjects.dnsCommand('cloudflare', 'svc.plus'), cmd);
    const o = await outcomeOf(id);
    expect(o.outcome).toBe('conflict');
    expect(o.reason).toMatch(/www\.svc\.plus holds records not made by plane/);
    expect(cf.writes().length).toBe(0);
    expect(cf.dnsRecords('svc.plus').filter((r) => r.name === 'www.svc.plus').map((r) => r.content)).toEqual(['203.0.113.7']);
  });

  it('records every outcome as a valid event', async () => {
    const events = [];
    for await (const s of readStream(plane.js, plane.jsm, { stream: STREAMS.outcomes.name, filter: 'dns.>' })) events.push(s.event);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const e of events) expect(validateEvent(e)).toEqual([]);
  });
});
