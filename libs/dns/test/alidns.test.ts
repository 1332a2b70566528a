// The AliDNS adapter through the official SDK (@alicloud/pop-core) against the local AliDNS stand-in.
import RPCClient from '@alicloud/pop-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlidnsStandIn, type AlidnsStandIn, type AlidnsStandInOptions } from '../../standins/src/alidns/index.js';
import { DnsProviderError, type Change, type CurrentRecordSet, type DnsProvider, type DomainAnswer, type RecordSet, type RegionAnswer } from '../src/model.js';
import { planDnsChanges } from '../src/plan.js';
import { createAlidnsProvider, type AlidnsProviderOptions } from '../src/providers/alidns/index.js';
import { renderRecordSets } from '../src/render.js';

const ZONE = 'svc.plus';
const NAME = 'api.svc.plus';
const KEY_ID = 'LTAI-test-key';
const KEY_SECRET = 'test-secret-never-logged';
const MARKER = 'managed-by=plane';

let standIn: AlidnsStandIn;
/** Set by a test that provokes refusals on purpose; otherwise every request must succeed. */
let refusalsExpected = false;

async function start(opts: AlidnsStandInOptions = {}): Promise<AlidnsStandIn> {
  await standIn?.stop();
  // The stand-in verifies signatures: every test also proves the SDK signs what it sends.
  standIn = await startAlidnsStandIn({ domains: [ZONE], accessKeyId: KEY_ID, accessKeySecret: KEY_SECRET, ...opts });
  return standIn;
}

beforeEach(async () => {
  refusalsExpected = false;
  await start();
});

afterEach(async () => {
  const refused = standIn.requests().filter((r) => r.status !== 200);
  await standIn.stop();
  if (!refusalsExpected) expect(refused, 'the adapter sent a request the vendor refuses').toEqual([]);
});

function provider(opts: Partial<AlidnsProviderOptions> = {}): DnsProvider {
  return createAlidnsProvider({ accessKeyId: KEY_ID, accessKeySecret: KEY_SECRET, endpoint: standIn.url, ...opts });
}

function answer(regions: RegionAnswer[], domain = NAME, ttl = 600): DomainAnswer {
  return { domain, ttl, regions };
}

/** What the gtm-controller and the DNS executor do: render, read, plan, apply. */
async function reconcile(p: DnsProvider, a: DomainAnswer) {
  const desired = renderRecordSets('alidns', a);
  const current = await p.records(ZONE, [a.domain]);
  const plan = planDnsChanges([a.domain], desired, current);
  const result = await p.apply(ZONE, plan.changes);
  return { desired, plan, result };
}

function plain(sets: CurrentRecordSet[]): RecordSet[] {
  return sets
    .filter((s) => s.owned)
    .map(({ name, type, setId, ttl, weight, values }) => ({ name, type, setId, ttl, ...(weight !== undefined ? { weight } : {}), values }));
}

function writeActions(): string[] {
  return standIn.writes().map((w) => w.action);
}

function storedWeights(): Record<string, number> {
  return Object.fromEntries(standIn.records(ZONE).map((r) => [r.Value, r.Weight]));
}

function rawClient(secret = KEY_SECRET) {
  const client = new RPCClient({ accessKeyId: KEY_ID, accessKeySecret: secret, endpoint: standIn.url, apiVersion: '2015-01-09' });
  return (action: string, params: Record<string, string | number | boolean>) =>
    client.request<Record<string, unknown>>(action, params, { method: 'POST', formatParams: false });
}

async function vendorError(p: Promise<unknown>): Promise<{ status: number; code: string; body: Record<string, unknown> }> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const e = err as { code: string; data: Record<string, unknown>; entry: { response: { statusCode: number } } };
  expect(e?.data, 'expected a vendor error').toBeDefined();
  return { status: e.entry.response.statusCode, code: e.code, body: e.data };
}

async function providerError(p: Promise<unknown>): Promise<DnsProviderError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DnsProviderError);
  return err as DnsProviderError;
}

const JP = (weight: number, ips: string[]): RegionAnswer => ({ name: 'jp', weight, ips });
const US = (weight: number, ips: string[]): RegionAnswer => ({ name: 'us', weight, ips });

describe('AliDNS adapter: records and changes', () => {
  it('creates from empty, and then holds exactly the rendered sets (render -> plan -> apply -> re-read)', async () => {
    const p = provider();
    const a = answer([JP(200, ['10.0.0.1', '10.0.0.2', '2001:db8::1']), US(50, ['10.1.0.1'])]);
    const { desired, plan, result } = await reconcile(p, a);
    expect(plan.changes.map((c) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    expect(result.calls).toBeGreaterThan(0);

    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
    // One record per IP, each marked as ours; AliDNS holds the weights on its own scale.
    const records = standIn.records(ZONE);
    expect(records.map((r) => [r.RR, r.Type, r.Value, r.TTL, r.Remark])).toEqual([
      ['api', 'A', '10.0.0.1', 600, MARKER],
      ['api', 'A', '10.0.0.2', 600, MARKER],
      ['api', 'A', '10.1.0.1', 600, MARKER],
      ['api', 'AAAA', '2001:db8::1', 600, MARKER],
    ]);
    expect(storedWeights()).toMatchObject({ '10.0.0.1': 100, '10.0.0.2': 100, '10.1.0.1': 50 });
    // Weighting is on where weights differ; a lone AAAA record needs none.
    expect(standIn.slbOpen(NAME, 'A')).toBe(true);
    expect(standIn.slbOpen(NAME, 'AAAA')).toBe(false);
  });

  it('works at the zone apex (RR "@", weighting switched with "@.<zone>")', async () => {
    const p = provider();
    const a = answer([JP(100, ['10.0.0.1']), US(25, ['10.1.0.1'])], ZONE);
    const { desired } = await reconcile(p, a);
    expect(standIn.records(ZONE).map((r) => r.RR)).toEqual(['@', '@']);
    expect(standIn.writes().find((w) => w.action === 'SetDNSSLBStatus')?.params.SubDomain).toBe(`@.${ZONE}`);
    expect(plain(await p.records(ZONE, [ZONE]))).toEqual(desired);
  });

  it('is idempotent: the same desired state twice -> empty plan, zero calls, zero writes', async () => {
    const p = provider();
    const a = answer([JP(200, ['10.0.0.1', '10.0.0.2']), US(70, ['10.1.0.1', '2001:db8::9'])]);
    await reconcile(p, a);
    const writesBefore = standIn.writes().length;
    const again = await reconcile(p, a);
    expect(again.plan.changes).toEqual([]);
    expect(again.result.calls).toBe(0);
    expect(standIn.writes().length).toBe(writesBefore);
  });

  it('adding one IP writes only that IP; removing one deletes only that record', async () => {
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1', '10.0.0.2'])]));
    const idsBefore = standIn.records(ZONE).map((r) => r.RecordId);

    standIn.clearRequests();
    const added = await reconcile(p, answer([JP(100, ['10.0.0.1', '10.0.0.2', '10.0.0.3'])]));
    expect(added.plan.changes.map((c) => c.action)).toEqual(['create']);
    // Equal shares: no weighting needed, so just the add and its ownership remark.
    expect(writeActions()).toEqual(['AddDomainRecord', 'UpdateDomainRecordRemark']);
    const third = standIn.records(ZONE).find((r) => r.Value === '10.0.0.3')!;
    expect(standIn.writes()[1]!.params.RecordId).toBe(third.RecordId);
    expect(standIn.records(ZONE).map((r) => r.RecordId)).toEqual([...idsBefore, third.RecordId]);

    standIn.clearRequests();
    const removed = await reconcile(p, answer([JP(100, ['10.0.0.1', '10.0.0.3'])]));
    expect(removed.plan.changes.map((c) => c.action)).toEqual(['delete']);
    expect(standIn.writes().map((w) => [w.action, w.params.RecordId])).toEqual([['DeleteDomainRecord', idsBefore[1]]]);
    expect(standIn.records(ZONE).map((r) => r.Value)).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('a weight change switches weighting on once and writes only the weights', async () => {
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(100, ['10.1.0.1'])]));
    expect(standIn.slbOpen(NAME)).toBe(false);

    standIn.clearRequests();
    const halved = await reconcile(p, answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.1'])]));
    expect(halved.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(writeActions()).toEqual(['SetDNSSLBStatus', 'UpdateDNSSLBWeight', 'UpdateDNSSLBWeight']);
    expect(storedWeights()).toEqual({ '10.0.0.1': 100, '10.1.0.1': 50 });

    standIn.clearRequests();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(80, ['10.1.0.1'])]));
    // Weighting already on: one write, the changed weight.
    expect(standIn.writes().map((w) => [w.action, w.params.Weight])).toEqual([['UpdateDNSSLBWeight', '80']]);
    expect(storedWeights()).toEqual({ '10.0.0.1': 100, '10.1.0.1': 80 });
  });

  it('a withdrawn region has its records deleted (weight 0 is never written)', async () => {
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(40, ['10.1.0.1', '10.1.0.2'])]));
    standIn.clearRequests();
    const { desired, plan } = await reconcile(p, answer([JP(100, ['10.0.0.1']), US(0, ['10.1.0.1', '10.1.0.2'])]));
    expect(plan.changes.map((c) => c.action)).toEqual(['delete', 'delete']);
    expect(writeActions()).toEqual(['DeleteDomainRecord', 'DeleteDomainRecord']);
    expect(standIn.records(ZONE).map((r) => r.Value)).toEqual(['10.0.0.1']);
    // Alone, the remaining record gets every answer: weight 100 whatever is stored.
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });

  it('a TTL change uses UpdateDomainRecord and nothing else', async () => {
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(30, ['10.1.0.1'])], NAME, 600));
    standIn.clearRequests();
    const { desired } = await reconcile(p, answer([JP(100, ['10.0.0.1']), US(30, ['10.1.0.1'])], NAME, 1200));
    expect(writeActions()).toEqual(['UpdateDomainRecord', 'UpdateDomainRecord']);
    expect(standIn.writes().map((w) => [w.params.RR, w.params.Type, w.params.TTL])).toEqual([
      ['api', 'A', '1200'],
      ['api', 'A', '1200'],
    ]);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });

  it('a host back from one record to two gets the weights it should (weighting stayed on)', async () => {
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.1'])]));
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(0, ['10.1.0.1'])]));
    expect(standIn.slbOpen(NAME)).toBe(true);
    // Someone left the lone record's stored weight at 37: harmless alone, wrong once a second one joins.
    const lone = standIn.records(ZONE)[0]!;
    await rawClient()('UpdateDNSSLBWeight', { RecordId: lone.RecordId, Weight: 37 });

    const { desired } = await reconcile(p, answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.2'])]));
    expect(storedWeights()).toEqual({ '10.0.0.1': 100, '10.1.0.2': 50 });
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });

  it('weighting switched off by hand is seen as drift and repaired', async () => {
    const p = provider();
    const a = answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.1'])]);
    const { desired } = await reconcile(p, a);
    standIn.setSlbOpen(NAME, 'A', false);
    // Off, AliDNS answers both records evenly: records() says so.
    expect((await p.records(ZONE, [NAME])).map((s) => s.weight)).toEqual([100, 100]);
    standIn.clearRequests();
    await reconcile(p, a);
    expect(writeActions()).toEqual(['SetDNSSLBStatus']);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });

  it('reads every page (stand-in pages at 2 records)', async () => {
    await start({ pageSizeLimit: 2 });
    const p = provider();
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'];
    const { desired } = await reconcile(p, answer([JP(100, ips)]));
    standIn.clearRequests();
    const read = await p.records(ZONE, [NAME]);
    expect(plain(read)).toEqual(desired);
    expect(standIn.requests().filter((r) => r.action === 'DescribeSubDomainRecords').map((r) => r.params.PageNumber)).toEqual(['1', '2', '3']);
  });
});

describe('AliDNS adapter: records it does not own', () => {
  it('leaves foreign records at another name and at the same name untouched, and reports them unowned', async () => {
    const p = provider();
    const other = standIn.seedRecord({ DomainName: ZONE, RR: 'www', Type: 'A', Value: '192.0.2.10' });
    const txt = standIn.seedRecord({ DomainName: ZONE, RR: 'api', Type: 'TXT', Value: 'v=spf1 -all', Remark: 'by hand' });
    const a = answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.1'])]);
    const { desired } = await reconcile(p, a);

    const current = await p.records(ZONE, [NAME, 'www.svc.plus']);
    expect(current.filter((s) => !s.owned).map((s) => [s.name, s.type, s.values[0], s.ids])).toEqual([
      [NAME, 'TXT', 'v=spf1 -all', [txt.RecordId]],
      ['www.svc.plus', 'A', '192.0.2.10', [other.RecordId]],
    ]);
    expect(plain(current)).toEqual(desired);
    expect(standIn.records(ZONE).find((r) => r.RecordId === other.RecordId)).toEqual(other);
    expect(standIn.records(ZONE).find((r) => r.RecordId === txt.RecordId)).toEqual(txt);
  });

  it('a foreign address record at the name is a conflict: nothing is written there', async () => {
    const p = provider();
    const foreign = standIn.seedRecord({ DomainName: ZONE, RR: 'api', Type: 'A', Value: '192.0.2.20' });
    const { plan } = await reconcile(p, answer([JP(100, ['10.0.0.1'])]));
    expect(plan.conflicts).toEqual([{ name: NAME, foreign: [{ type: 'A', setId: '192.0.2.20', values: ['192.0.2.20'] }] }]);
    expect(standIn.writes()).toEqual([]);
    expect(standIn.records(ZONE)).toEqual([foreign]);
  });

  it('refuses a change to a record without our marker before sending anything', async () => {
    const p = provider();
    const foreign = standIn.seedRecord({ DomainName: ZONE, RR: 'api', Type: 'A', Value: '192.0.2.20' });
    const [current] = await p.records(ZONE, [NAME]);
    standIn.clearRequests();
    const attempts: Change[] = [
      { action: 'delete', before: current! },
      { action: 'update', before: current!, after: { ...current!, ttl: 900, weight: 100 } },
    ];
    for (const change of attempts) {
      const err = await providerError(p.apply(ZONE, [change]));
      expect(err.code).toBe('ForeignRecord');
    }
    expect(standIn.requests()).toEqual([]);
    expect(standIn.records(ZONE)).toEqual([foreign]);
  });
});

describe('AliDNS adapter: vendor rules are never broken', () => {
  const bad: [string, RecordSet][] = [
    ['weight 0', { name: NAME, type: 'A', setId: '10.0.0.1', ttl: 600, weight: 0, values: ['10.0.0.1'] }],
    ['weight 101', { name: NAME, type: 'A', setId: '10.0.0.1', ttl: 600, weight: 101, values: ['10.0.0.1'] }],
    ['an invalid IPv4', { name: NAME, type: 'A', setId: '300.0.0.1', ttl: 600, weight: 10, values: ['300.0.0.1'] }],
    ['an IPv4 in AAAA', { name: NAME, type: 'AAAA', setId: '10.0.0.1', ttl: 600, weight: 10, values: ['10.0.0.1'] }],
    ['TTL 0', { name: NAME, type: 'A', setId: '10.0.0.1', ttl: 0, weight: 10, values: ['10.0.0.1'] }],
    ['a name outside the zone', { name: 'api.other.example', type: 'A', setId: '10.0.0.1', ttl: 600, weight: 10, values: ['10.0.0.1'] }],
  ];
  for (const [what, after] of bad) {
    it(`refuses ${what} without a request`, async () => {
      const err = await providerError(provider().apply(ZONE, [{ action: 'create', after }]));
      expect(err.retryable).toBe(false);
      expect(standIn.requests()).toEqual([]);
    });
  }

  it('a TTL under the edition floor (600 on Free) reaches the caller as the vendor error', async () => {
    refusalsExpected = true;
    await start({ minTtl: 600 });
    const p = provider();
    const err = await providerError(reconcile(p, answer([JP(100, ['10.0.0.1'])], NAME, 60)));
    expect(err).toMatchObject({ status: 400, code: 'QuotaExceeded.TTL' });
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('QuotaExceeded.TTL');
    expect(standIn.records(ZONE)).toEqual([]);
    await reconcile(p, answer([JP(100, ['10.0.0.1'])], NAME, 600));
    expect(standIn.records(ZONE).map((r) => r.TTL)).toEqual([600]);
  });

  it('stays under the account write rate (60/s) when a large change goes out', async () => {
    const p = provider();
    const ips = Array.from({ length: 30 }, (_, i) => `10.2.0.${i + 1}`);
    const started = Date.now();
    const { desired } = await reconcile(p, answer([JP(100, ips.slice(0, 15)), US(50, ips.slice(15))]));
    // 60 adds and remarks, the switch and 30 weights: over one second at 50 writes a second.
    expect(standIn.writes().length).toBe(91);
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });
});

describe('AliDNS adapter: failures', () => {
  it('Throttling.User (HTTP 400 as documented) is a retryable DnsProviderError', async () => {
    refusalsExpected = true;
    standIn.throttleNext(1);
    const err = await providerError(provider().records(ZONE, [NAME]));
    expect(err).toMatchObject({ status: 400, code: 'Throttling.User', retryAfterS: undefined });
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('Request was denied due to user flow control.');
    expect(err.message).not.toContain(KEY_SECRET);
  });

  it('a 429 with Retry-After carries the wait', async () => {
    refusalsExpected = true;
    standIn.throttleNext(1, { status: 429, retryAfterS: 7, action: 'AddDomainRecord' });
    const err = await providerError(reconcile(provider(), answer([JP(100, ['10.0.0.1'])])));
    expect(err).toMatchObject({ status: 429, code: 'Throttling.User', retryAfterS: 7 });
    expect(err.retryable).toBe(true);
  });

  it('500 and 503 are retryable with the vendor codes', async () => {
    refusalsExpected = true;
    standIn.unavailableNext(1, { status: 503 });
    standIn.unavailableNext(1, { status: 500 });
    const p = provider();
    const first = await providerError(p.records(ZONE, [NAME]));
    const second = await providerError(p.records(ZONE, [NAME]));
    expect([first.status, first.code, first.retryable]).toEqual([503, 'ServiceUnavailable', true]);
    expect([second.status, second.code, second.retryable]).toEqual([500, 'InternalError', true]);
    await expect(p.records(ZONE, [NAME])).resolves.toEqual([]);
  });

  it('an adapter pacing faster than the account limit gets Throttling.User from the vendor', async () => {
    refusalsExpected = true;
    await start({ writesPerSecond: 5 });
    const ips = Array.from({ length: 8 }, (_, i) => `10.3.0.${i + 1}`);
    const err = await providerError(reconcile(provider({ writesPerSecond: 1000 }), answer([JP(100, ips)])));
    expect(err).toMatchObject({ status: 400, code: 'Throttling.User' });
    expect(err.retryable).toBe(true);
  });

  it('a failure midway never leaves fewer serving IPs, and a re-run converges', async () => {
    refusalsExpected = true;
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.1'])]));
    // Replace the us IP: the add goes first, the delete fails.
    standIn.unavailableNext(1, { action: 'DeleteDomainRecord' });
    const target = answer([JP(100, ['10.0.0.1']), US(50, ['10.1.0.2'])]);
    const err = await providerError(reconcile(p, target));
    expect(err.code).toBe('ServiceUnavailable');
    expect(standIn.records(ZONE).map((r) => r.Value)).toEqual(['10.0.0.1', '10.1.0.1', '10.1.0.2']);

    const { desired, plan } = await reconcile(p, target);
    expect(plan.changes.map((c) => c.action)).toEqual(['delete']);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });

  it('a failed weight write is finished by the next run', async () => {
    refusalsExpected = true;
    const p = provider();
    await reconcile(p, answer([JP(100, ['10.0.0.1']), US(100, ['10.1.0.1'])]));
    standIn.failNext(1, { status: 503, code: 'ServiceUnavailable', action: 'UpdateDNSSLBWeight' });
    const target = answer([JP(100, ['10.0.0.1']), US(20, ['10.1.0.1'])]);
    await providerError(reconcile(p, target));
    const { desired } = await reconcile(p, target);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
    expect((await reconcile(p, target)).plan.changes).toEqual([]);
  });

  it('a record whose ownership remark fails is taken back, so it never looks foreign', async () => {
    refusalsExpected = true;
    const p = provider();
    standIn.unavailableNext(1, { action: 'UpdateDomainRecordRemark' });
    const target = answer([JP(100, ['10.0.0.1'])]);
    const err = await providerError(reconcile(p, target));
    expect(err).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(err.message).toContain('deleted again');
    expect(standIn.records(ZONE)).toEqual([]);
    const { desired } = await reconcile(p, target);
    expect(plain(await p.records(ZONE, [NAME]))).toEqual(desired);
  });
});

describe('AliDNS adapter: listing domains', () => {
  it('reads every page of DescribeDomains (100 a page), counted, names normalized', async () => {
    const many = Array.from({ length: 230 }, (_, i) => `D${i}.Example.CN`);
    await start({ domains: [ZONE, ...many] });
    const listing = await provider().listZones();
    expect(listing.calls).toBe(3);
    expect(standIn.requests().map((r) => [r.action, r.params.PageNumber, r.params.PageSize])).toEqual([
      ['DescribeDomains', '1', '100'],
      ['DescribeDomains', '2', '100'],
      ['DescribeDomains', '3', '100'],
    ]);
    expect(listing.zones).toHaveLength(231);
    expect(listing.zones).toContain('d229.example.cn');
    expect(listing.zones).toEqual([...listing.zones].sort());
  });

  it('follows TotalCount when the server serves smaller pages than asked', async () => {
    await start({ domains: [ZONE, 'a.example', 'b.example'], pageSizeLimit: 2 });
    const listing = await provider().listZones();
    expect(listing).toEqual({ zones: ['a.example', 'b.example', ZONE], calls: 2 });
  });

  it('throttling surfaces as a retryable DnsProviderError', async () => {
    refusalsExpected = true;
    standIn.throttleNext(1, { action: 'DescribeDomains' });
    const e = await provider().listZones().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DnsProviderError);
    expect(e).toMatchObject({ code: 'Throttling.User', retryable: true });
  });
});

describe('AliDNS stand-in: the vendor rules it enforces', () => {
  beforeEach(() => {
    refusalsExpected = true;
  });

  async function twoRecords() {
    const call = rawClient();
    const a = await call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.1', TTL: 600 });
    const b = await call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.2', TTL: 600 });
    return { call, a: String(a.RecordId), b: String(b.RecordId) };
  }

  it('answers errors in the vendor format with the documented status', async () => {
    const { call, a } = await twoRecords();
    const e = await vendorError(call('UpdateDNSSLBWeight', { RecordId: a, Weight: 5 }));
    expect(e.status).toBe(400);
    expect(e.body).toEqual({
      RequestId: expect.any(String),
      HostId: 'alidns.aliyuncs.com',
      Code: 'DisableDNSSLB',
      Message: "The subdomain's DNS SLB status is closed.",
      Recommend: expect.stringContaining('DisableDNSSLB'),
    });
  });

  it('weights are 1..100 and need weighting switched on', async () => {
    const { call, a } = await twoRecords();
    expect((await vendorError(call('UpdateDNSSLBWeight', { RecordId: a, Weight: 5 }))).code).toBe('DisableDNSSLB');
    await expect(call('SetDNSSLBStatus', { DomainName: ZONE, SubDomain: NAME, Type: 'A', Open: true })).resolves.toMatchObject({ RecordCount: 2, Open: true });
    expect((await vendorError(call('UpdateDNSSLBWeight', { RecordId: a, Weight: 0 }))).code).toBe('InvalidWeigth');
    expect((await vendorError(call('UpdateDNSSLBWeight', { RecordId: a, Weight: 101 }))).code).toBe('InvalidWeigth');
    await expect(call('UpdateDNSSLBWeight', { RecordId: a, Weight: 100 })).resolves.toMatchObject({ RecordId: a, Weight: 100 });
  });

  it('weighting needs several records, and "@.<zone>" for the apex', async () => {
    const call = rawClient();
    await call('AddDomainRecord', { DomainName: ZONE, RR: 'solo', Type: 'A', Value: '10.0.0.1' });
    expect((await vendorError(call('SetDNSSLBStatus', { DomainName: ZONE, SubDomain: 'solo.svc.plus', Open: true }))).code).toBe('InvalidParameter');
    expect((await vendorError(call('SetDNSSLBStatus', { DomainName: ZONE, SubDomain: ZONE, Open: true }))).code).toBe('InvalidParameter');
  });

  it('duplicates, unknown record ids, invalid values and no-op updates are refused', async () => {
    const { call, a } = await twoRecords();
    const cases: [Promise<unknown>, string][] = [
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.1' }), 'DomainRecordDuplicate'],
      [call('UpdateDomainRecord', { RecordId: a, RR: 'api', Type: 'A', Value: '10.0.0.1', TTL: 600 }), 'DomainRecordDuplicate'],
      [call('DeleteDomainRecord', { RecordId: '42' }), 'DomainRecordNotBelongToUser'],
      [call('UpdateDNSSLBWeight', { RecordId: '42', Weight: 5 }), 'DomainRecordNotBelongToUser'],
      [call('UpdateDomainRecordRemark', { RecordId: '42', Remark: MARKER }), 'DomainRecordNotBelongToUser'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.256' }), 'InvalidParameter'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'AAAA', Value: '10.0.0.9' }), 'InvalidParameter'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.9', TTL: 0 }), 'InvalidParameter'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'CNAME', Value: 'x.example.net' }), 'DomainRecordConflict'],
      [call('AddDomainRecord', { DomainName: 'not-mine.example', RR: 'api', Type: 'A', Value: '10.0.0.9' }), 'InvalidDomainName.NoExist'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.9', Ttl: 600 }), 'InvalidParameter'],
      [call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A' }), 'MissingValue'],
      [call('NoSuchAction', {}), 'InvalidAction.NotFound'],
    ];
    for (const [request, code] of cases) expect((await vendorError(request)).code).toBe(code);
    expect(standIn.records(ZONE).map((r) => r.Value)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('the TTL floor is a setting (600 like the Free edition)', async () => {
    await start({ minTtl: 600 });
    const call = rawClient();
    const e = await vendorError(call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.1', TTL: 599 }));
    expect([e.status, e.code]).toEqual([400, 'QuotaExceeded.TTL']);
    await expect(call('AddDomainRecord', { DomainName: ZONE, RR: 'api', Type: 'A', Value: '10.0.0.1', TTL: 600 })).resolves.toHaveProperty('RecordId');
  });

  it('checks the common parameters and the signature', async () => {
    expect((await vendorError(rawClient('wrong-secret')('DescribeDomainRecords', { DomainName: ZONE }))).code).toBe('SignatureDoesNotMatch');
    const common = {
      Action: 'DescribeDomainRecords',
      DomainName: ZONE,
      Version: '2015-01-09',
      Format: 'JSON',
      AccessKeyId: KEY_ID,
      SignatureMethod: 'HMAC-SHA1',
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      SignatureVersion: '1.0',
      SignatureNonce: 'nonce-1',
      Signature: 'anything',
    };
    const post = async (params: Record<string, string>) => {
      const res = await fetch(`${standIn.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (const name of ['Signature', 'SignatureNonce', 'Timestamp', 'AccessKeyId', 'Version', 'Format', 'SignatureMethod', 'SignatureVersion']) {
      const { [name]: _dropped, ...rest } = common as Record<string, string>;
      const res = await post(rest);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ Code: `Missing${name}`, Message: `${name} is mandatory for this action.`, HostId: 'alidns.aliyuncs.com' });
    }
    expect((await post({ ...common, Version: '2014-01-01' })).body.Code).toBe('InvalidVersion');
    expect((await post({ ...common, Timestamp: '2020-01-01 00:00:00' })).body.Code).toBe('InvalidTimeStamp.Format');
    // Without a configured secret any signature value passes; a nonce is good once.
    await start({ domains: [ZONE], accessKeySecret: undefined });
    expect((await post(common)).status).toBe(200);
    expect((await post(common)).body.Code).toBe('SignatureNonceUsed');
  });

  it('limits writes per second (Throttling.User) and can answer it as 429', async () => {
    await start({ writesPerSecond: 10, throttleStatus: 429 });
    const call = rawClient();
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => call('AddDomainRecord', { DomainName: ZONE, RR: 'burst', Type: 'A', Value: `10.9.0.${i + 1}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(10);
    const throttled = standIn.requests().filter((r) => r.code === 'Throttling.User');
    expect(throttled.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
    // Reads are not writes.
    await expect(call('DescribeDomainRecords', { DomainName: ZONE })).resolves.toHaveProperty('TotalCount', 10);
  });

  it('describes records and weighting in the documented shapes', async () => {
    const { call, a } = await twoRecords();
    await call('SetDNSSLBStatus', { DomainName: ZONE, SubDomain: NAME, Open: true });
    await call('UpdateDNSSLBWeight', { RecordId: a, Weight: 30 });
    await call('UpdateDomainRecordRemark', { RecordId: a, Remark: MARKER });
    const sub = await call('DescribeSubDomainRecords', { DomainName: ZONE, SubDomain: NAME, PageSize: 1, PageNumber: 1 });
    expect(sub).toMatchObject({ TotalCount: 2, PageNumber: 1, PageSize: 1, RequestId: expect.any(String) });
    expect(sub.DomainRecords).toEqual({
      Record: [
        { DomainName: ZONE, RecordId: a, RR: 'api', Type: 'A', Value: '10.0.0.1', TTL: 600, Line: 'default', Status: 'ENABLE', Locked: false, Weight: 30, Remark: MARKER },
      ],
    });
    const slb = await call('DescribeDNSSLBSubDomains', { DomainName: ZONE });
    expect(slb).toMatchObject({
      TotalCount: 1,
      SlbSubDomains: { SlbSubDomain: [{ SubDomain: NAME, Type: 'A', RecordCount: 2, Open: true, LineAlgorithms: { LineAlgorithm: [{ Line: 'default', Open: true }] } }] },
    });
    const all = await call('DescribeDomainRecords', { DomainName: ZONE, RRKeyWord: 'ap', PageSize: 500 });
    expect(all).toHaveProperty('TotalCount', 2);
  });
});
