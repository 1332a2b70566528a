// The Route53 adapter through the official @aws-sdk/client-route-53, against the local stand-in
// of the Route53 API (which enforces Route53's change-batch rules and answers its XML errors).
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, Route53Client, type Change as Route53Change, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { startRoute53StandIn, type Route53StandIn, type Route53StandInOptions, type StandInRecordSet } from '../../standins/src/route53/index.js';
import { DnsProviderError, type Change, type DnsProvider, type DomainAnswer, type RecordSet } from '../src/model.js';
import { planDnsChanges } from '../src/plan.js';
import { createRoute53Provider, planBatches, type Route53ProviderOptions } from '../src/providers/route53/index.js';
import { renderRecordSets } from '../src/render.js';

const ZONE = 'example.com';
const DOMAIN = 'app.example.com';
const KEY_ID = 'AKIDSTANDIN';
const MARKER_TXT = '"managed-by=plane"';

const running: Route53StandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function setup(standInOpts: Route53StandInOptions = {}, providerOpts: Partial<Route53ProviderOptions> = {}) {
  const standIn = await startRoute53StandIn({ zones: [ZONE], accessKeyId: KEY_ID, ...standInOpts });
  running.push(standIn);
  const provider = createRoute53Provider({
    accessKeyId: KEY_ID,
    secretAccessKey: 'not-a-real-secret',
    endpoint: standIn.url,
    requestsPerSecond: 1000,
    insync: { pollIntervalMs: 1, maxPolls: 5 },
    ...providerOpts,
  });
  return { standIn, provider };
}

function rawClient(standIn: Route53StandIn): Route53Client {
  return new Route53Client({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: KEY_ID, secretAccessKey: 'x' }, maxAttempts: 1 });
}

function answer(regions: { name: string; weight: number; ips: string[] }[], ttl = 60): DomainAnswer {
  return { domain: DOMAIN, ttl, regions };
}

const TWO_REGIONS = answer([
  { name: 'eu-west', weight: 100, ips: ['192.0.2.1', '192.0.2.2', '2001:db8::1'] },
  { name: 'us-east', weight: 50, ips: ['198.51.100.1'] },
]);

/** One reconcile as the executor runs it: render, read, plan, apply. */
async function reconcile(provider: DnsProvider, desired: DomainAnswer, names = [desired.domain]) {
  const want = renderRecordSets('route53', desired);
  const current = await provider.records(ZONE, names);
  const plan = planDnsChanges(names, want, current);
  const result = plan.changes.length > 0 ? await provider.apply(ZONE, plan.changes) : { calls: 0 };
  return { plan, result, want };
}

const writes = (s: Route53StandIn) => s.requests.filter((r) => r.action === 'ChangeResourceRecordSets');

/** Our view of what the provider holds at DOMAIN (owned address sets only). */
async function ownedAt(provider: DnsProvider, name = DOMAIN): Promise<RecordSet[]> {
  const sets = await provider.records(ZONE, [name]);
  return sets.filter((s) => s.owned).map(({ name: n, type, setId, ttl, weight, values }) => ({ name: n, type, setId, ttl, ...(weight !== undefined ? { weight } : {}), values }));
}

async function expectProviderError(p: Promise<unknown>): Promise<DnsProviderError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DnsProviderError);
  return e as DnsProviderError;
}

describe('route53 adapter: reconciling a domain', () => {
  it('creates from empty in one ChangeBatch, with one registry TXT per record set, and then holds exactly the rendered sets', async () => {
    const { standIn, provider } = await setup();
    const { plan, result, want } = await reconcile(provider, TWO_REGIONS);
    expect(plan.changes.map((c) => c.action)).toEqual(['create', 'create', 'create']);
    expect(writes(standIn)).toHaveLength(1);
    // zone lookup + list at the name (records) ; POST + one GetChange (apply)
    expect(result.calls).toBe(2);
    expect(standIn.requests.map((r) => r.action)).toEqual(['ListHostedZonesByName', 'ListResourceRecordSets', 'ChangeResourceRecordSets', 'GetChange']);

    expect(await ownedAt(provider)).toEqual(want);
    expect((await provider.records(ZONE, [DOMAIN])).every((r) => r.owned)).toBe(true);
    expect(want).toEqual([
      { name: DOMAIN, type: 'A', setId: 'eu-west', ttl: 60, weight: 100, values: ['192.0.2.1', '192.0.2.2'] },
      { name: DOMAIN, type: 'A', setId: 'us-east', ttl: 60, weight: 50, values: ['198.51.100.1'] },
      { name: DOMAIN, type: 'AAAA', setId: 'eu-west', ttl: 60, weight: 100, values: ['2001:db8::1'] },
    ]);
    const registry = standIn.recordSets(ZONE).filter((s) => s.type === 'TXT');
    expect(registry.map((s) => `${s.name} ${s.setIdentifier} ${s.values.join()}`).sort()).toEqual([
      `_plane-a.${DOMAIN}. eu-west ${MARKER_TXT}`,
      `_plane-a.${DOMAIN}. us-east ${MARKER_TXT}`,
      `_plane-aaaa.${DOMAIN}. eu-west ${MARKER_TXT}`,
    ]);
  });

  it('is idempotent: the same answer twice plans nothing and writes nothing', async () => {
    const { standIn, provider } = await setup();
    await reconcile(provider, TWO_REGIONS);
    standIn.clearRequests();
    const second = await reconcile(provider, TWO_REGIONS);
    expect(second.plan.changes).toEqual([]);
    expect(second.plan.conflicts).toEqual([]);
    expect(writes(standIn)).toHaveLength(0);
    expect(standIn.requests.every((r) => r.action === 'ListResourceRecordSets')).toBe(true);
  });

  it('changes only the set that gained or lost an IP, with one UPSERT and no registry write', async () => {
    const { standIn, provider } = await setup();
    await reconcile(provider, TWO_REGIONS);
    standIn.clearRequests();
    const added = answer([
      { name: 'eu-west', weight: 100, ips: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1'] },
      { name: 'us-east', weight: 50, ips: ['198.51.100.1'] },
    ]);
    const { plan, want } = await reconcile(provider, added);
    expect(plan.changes).toHaveLength(1);
    expect(writes(standIn).map((r) => r.summary)).toEqual([`UPSERT ${DOMAIN}. A [eu-west] w=100 ttl=60 192.0.2.1,192.0.2.2,192.0.2.3`]);
    expect(await ownedAt(provider)).toEqual(want);

    standIn.clearRequests();
    const removed = answer([
      { name: 'eu-west', weight: 100, ips: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1'] },
      { name: 'us-east', weight: 50, ips: ['198.51.100.1', '198.51.100.2'] },
    ]);
    await reconcile(provider, removed);
    standIn.clearRequests();
    await reconcile(provider, answer([
      { name: 'eu-west', weight: 100, ips: ['192.0.2.1', '192.0.2.3', '2001:db8::1'] },
      { name: 'us-east', weight: 50, ips: ['198.51.100.1', '198.51.100.2'] },
    ]));
    expect(writes(standIn).map((r) => r.summary)).toEqual([`UPSERT ${DOMAIN}. A [eu-west] w=100 ttl=60 192.0.2.1,192.0.2.3`]);
  });

  it('changes the weight of every set of a region whose weight changed', async () => {
    const { standIn, provider } = await setup();
    await reconcile(provider, TWO_REGIONS);
    standIn.clearRequests();
    const { want } = await reconcile(provider, answer([
      { name: 'eu-west', weight: 100, ips: ['192.0.2.1', '192.0.2.2', '2001:db8::1'] },
      { name: 'us-east', weight: 25, ips: ['198.51.100.1'] },
    ]));
    expect(writes(standIn).map((r) => r.summary)).toEqual([`UPSERT ${DOMAIN}. A [us-east] w=25 ttl=60 198.51.100.1`]);
    expect(await ownedAt(provider)).toEqual(want);
  });

  it('deletes a withdrawn region with the exact current set and its registry entry, in one batch', async () => {
    const { standIn, provider } = await setup();
    await reconcile(provider, TWO_REGIONS);
    standIn.clearRequests();
    const { want } = await reconcile(provider, answer([
      { name: 'eu-west', weight: 0, ips: ['192.0.2.1', '192.0.2.2', '2001:db8::1'] },
      { name: 'us-east', weight: 50, ips: ['198.51.100.1'] },
    ]));
    const [write] = writes(standIn);
    expect(writes(standIn)).toHaveLength(1);
    expect(write!.summary).toContain(`DELETE ${DOMAIN}. A [eu-west] w=100 ttl=60 192.0.2.1,192.0.2.2`);
    expect(write!.summary).toContain(`DELETE _plane-aaaa.${DOMAIN}. TXT [eu-west]`);
    expect(await ownedAt(provider)).toEqual(want);
    expect(standIn.recordSets(ZONE).filter((s) => s.type === 'TXT').map((s) => `${s.name} ${s.setIdentifier}`)).toEqual([`_plane-a.${DOMAIN}. us-east`]);
  });

  it('reports foreign sets as owned=false and never touches them, at another name or at ours', async () => {
    const { standIn, provider } = await setup();
    const foreign: StandInRecordSet[] = [
      { name: `www.${ZONE}`, type: 'A', ttl: 300, values: ['203.0.113.9'] },
      { name: DOMAIN, type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
      { name: DOMAIN, type: 'MX', ttl: 300, values: ['10 mail.example.com.'] },
    ];
    standIn.seed(ZONE, ...foreign);
    await reconcile(provider, TWO_REGIONS, [DOMAIN, `www.${ZONE}`]);
    const sets = await provider.records(ZONE, [DOMAIN, `www.${ZONE}`]);
    expect(sets.filter((s) => !s.owned).map((s) => `${s.name} ${s.type} ${s.values.join()}`).sort()).toEqual([
      `${DOMAIN} MX 10 mail.example.com.`,
      `${DOMAIN} TXT "v=spf1 -all"`,
      `www.${ZONE} A 203.0.113.9`,
    ]);
    expect(sets.filter((s) => s.owned)).toHaveLength(3);
    // Withdraw everything: our sets go, the foreign ones stay as they were.
    await reconcile(provider, answer([]), [DOMAIN, `www.${ZONE}`]);
    const left = standIn.recordSets(ZONE).filter((s) => s.type !== 'SOA' && s.type !== 'NS');
    expect(left.map((s) => `${s.name} ${s.type}`).sort()).toEqual([`${DOMAIN}. MX`, `${DOMAIN}. TXT`, `www.${ZONE}. A`]);
  });

  it('treats an unowned weighted set at our name as a conflict, and apply refuses to touch it', async () => {
    const { standIn, provider } = await setup();
    standIn.seed(ZONE, { name: DOMAIN, type: 'A', setIdentifier: 'eu-west', weight: 10, ttl: 60, values: ['192.0.2.77'] });
    const { plan } = await reconcile(provider, TWO_REGIONS);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([{ name: DOMAIN, foreign: [{ type: 'A', setId: 'eu-west', values: ['192.0.2.77'] }] }]);

    const [foreign] = await provider.records(ZONE, [DOMAIN]);
    standIn.clearRequests();
    for (const change of [{ action: 'delete', before: foreign! }, { action: 'update', before: foreign!, after: { ...foreign!, weight: 20 } }] as Change[]) {
      const e = await expectProviderError(provider.apply(ZONE, [change]));
      expect(e.code).toBe('NotOwned');
      expect(e.retryable).toBe(false);
    }
    expect(standIn.requests).toHaveLength(0);
  });

  it('follows ListResourceRecordSets paging (StartRecordName/Type/Identifier) across small pages', async () => {
    const { standIn, provider } = await setup({ maxItemsCap: 2 });
    const many = answer(Array.from({ length: 7 }, (_, i) => ({ name: `r${i}`, weight: 10 + i, ips: [`192.0.2.${i + 1}`] })));
    const { want } = await reconcile(provider, many);
    standIn.clearRequests();
    expect(await ownedAt(provider)).toEqual(want);
    const lists = standIn.requests.filter((r) => r.action === 'ListResourceRecordSets');
    // 7 sets at the name (pages of 2 -> 4 calls) + 7 registry sets at _plane-a (4 calls)
    expect(lists).toHaveLength(8);
    expect(lists.some((r) => r.path.includes('identifier=r2'))).toBe(true);
  });

  it('round-trips names Route53 answers with octal escapes (a wildcard domain)', async () => {
    const { standIn, provider } = await setup();
    const wild: DomainAnswer = { domain: `*.wild.${ZONE}`, ttl: 30, regions: [{ name: 'eu-west', weight: 7, ips: ['192.0.2.50'] }] };
    const { want } = await reconcile(provider, wild);
    expect(standIn.recordSets(ZONE).some((s) => s.name === `\\052.wild.${ZONE}.` && s.type === 'A')).toBe(true);
    expect(await ownedAt(provider, wild.domain)).toEqual(want);
    expect((await reconcile(provider, wild)).plan.changes).toEqual([]);
  });

  it('paces its calls to the configured rate (token bucket)', async () => {
    const { provider } = await setup({}, { requestsPerSecond: 20 });
    const names = Array.from({ length: 24 }, (_, i) => `n${i}.${ZONE}`);
    const started = Date.now();
    await provider.records(ZONE, names);
    // 25 calls: a burst of 20, then 5 more at 50 ms each
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('resolves the hosted zone by name once, or not at all when hostedZoneId is given', async () => {
    const { standIn, provider } = await setup();
    standIn.addZone('other.test');
    await reconcile(provider, TWO_REGIONS);
    await provider.records(ZONE, [DOMAIN]);
    expect(standIn.requests.filter((r) => r.action === 'ListHostedZonesByName')).toHaveLength(1);

    const direct = createRoute53Provider({ accessKeyId: KEY_ID, secretAccessKey: 's', endpoint: standIn.url, hostedZoneId: `/hostedzone/${standIn.zoneId(ZONE)}` });
    standIn.clearRequests();
    expect((await direct.records(ZONE, [DOMAIN])).filter((s) => s.owned)).toHaveLength(3);
    expect(standIn.requests.filter((r) => r.action === 'ListHostedZonesByName')).toHaveLength(0);

    const e = await expectProviderError(provider.records('missing.test', ['a.missing.test']));
    expect(e.code).toBe('NoSuchHostedZone');
  });
});

describe('route53 adapter: batches, limits and INSYNC', () => {
  it('sends one ChangeBatch when within limits, and splits (deletes first) only when over them', async () => {
    const limits = { maxValuesPerRequest: 12, maxValueCharsPerRequest: 32000 };
    const { standIn, provider } = await setup({ limits, rejectChangesWhilePending: true, pendingPolls: 2 }, { limits });
    const four = answer(Array.from({ length: 4 }, (_, i) => ({ name: `r${i}`, weight: 10, ips: [`192.0.2.${i + 1}`, `192.0.2.${i + 101}`] })));
    await reconcile(provider, four);
    // 4 creates x (2 values + 1 UPSERTed registry value counted twice) = 16 > 12: two batches
    expect(writes(standIn)).toHaveLength(2);
    expect(writes(standIn).every((w) => w.status === 200)).toBe(true);
    standIn.clearRequests();

    const next = answer([
      { name: 'r0', weight: 0, ips: ['192.0.2.1'] },
      { name: 'r1', weight: 0, ips: ['192.0.2.2'] },
      { name: 'r2', weight: 10, ips: ['192.0.2.3', '192.0.2.103'] },
      { name: 'r3', weight: 10, ips: ['192.0.2.4', '192.0.2.104'] },
      { name: 'r4', weight: 10, ips: ['192.0.2.5', '192.0.2.105'] },
      { name: 'r5', weight: 10, ips: ['192.0.2.6', '192.0.2.106'] },
    ]);
    const { want, result } = await reconcile(provider, next);
    const batches = writes(standIn);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches[0]!.summary.startsWith('DELETE')).toBe(true);
    // Each batch waited for INSYNC (2 PENDING polls, then INSYNC) before the next was sent.
    expect(standIn.requests.filter((r) => r.action === 'GetChange')).toHaveLength(3 * batches.length);
    expect(standIn.requests.some((r) => r.errorCode === 'PriorRequestNotComplete')).toBe(false);
    expect(result.calls).toBe(4 * batches.length);
    expect(await ownedAt(provider)).toEqual(want);
  });

  it('counts values and characters as Route53 does (UPSERT twice) when splitting', () => {
    const set = (setId: string, values: string[]): RecordSet => ({ name: DOMAIN, type: 'A', setId, ttl: 60, weight: 1, values });
    const owned = (s: RecordSet) => ({ ...s, owned: true });
    const changes: Change[] = [
      { action: 'create', after: set('a', ['192.0.2.1']) },
      { action: 'update', before: owned(set('b', ['192.0.2.2'])), after: set('b', ['192.0.2.2', '192.0.2.3']) },
      { action: 'delete', before: owned(set('c', ['192.0.2.4'])) },
    ];
    expect(planBatches(changes).map((b) => b.map((c) => `${c.Action} ${c.ResourceRecordSet!.Type}`))).toEqual([
      ['DELETE A', 'DELETE TXT', 'UPSERT A', 'CREATE A', 'UPSERT TXT'],
    ]);
    // delete unit = 2 values; update = 2 x 2 = 4; create = 1 + 2 x 1 = 3
    expect(planBatches(changes, { maxValuesPerRequest: 6, maxValueCharsPerRequest: 32000 }).map((b) => b.length)).toEqual([3, 2]);
    expect(() => planBatches(changes, { maxValuesPerRequest: 3, maxValueCharsPerRequest: 32000 })).toThrow(/alone exceeds/);
    const chars = planBatches(changes, { maxValuesPerRequest: 1000, maxValueCharsPerRequest: 60 });
    for (const b of chars) {
      const n = b.reduce((sum, c) => sum + (c.Action === 'UPSERT' ? 2 : 1) * (c.ResourceRecordSet!.ResourceRecords ?? []).reduce((k, r) => k + r.Value!.length, 0), 0);
      expect(n).toBeLessThanOrEqual(60);
    }
  });

  it('fails retryably when a change stays PENDING beyond the polling bound', async () => {
    const { standIn, provider } = await setup({ pendingPolls: 100 }, { insync: { pollIntervalMs: 1, maxPolls: 3 } });
    const e = await expectProviderError(reconcile(provider, TWO_REGIONS));
    expect(e.code).toBe('PriorRequestNotComplete');
    expect(e.retryable).toBe(true);
    expect(standIn.requests.filter((r) => r.action === 'GetChange')).toHaveLength(3);
  });

  it('never sends a set Route53 would refuse', async () => {
    const { standIn, provider } = await setup();
    const bad: RecordSet[] = [
      { name: DOMAIN, type: 'A', setId: 'eu', ttl: 60, weight: 256, values: ['192.0.2.1'] },
      { name: DOMAIN, type: 'A', setId: 'eu', ttl: 60, values: ['192.0.2.1'] },
      { name: DOMAIN, type: 'A', setId: '', ttl: 60, weight: 5, values: ['192.0.2.1'] },
      { name: DOMAIN, type: 'A', setId: 'eu', ttl: -1, weight: 5, values: ['192.0.2.1'] },
      { name: DOMAIN, type: 'A', setId: 'eu', ttl: 60, weight: 5, values: [] },
      { name: DOMAIN, type: 'AAAA', setId: 'eu', ttl: 60, weight: 5, values: ['192.0.2.1'] },
      { name: 'app.other.test', type: 'A', setId: 'eu', ttl: 60, weight: 5, values: ['192.0.2.1'] },
      { name: DOMAIN, type: 'CNAME', setId: '', ttl: 60, values: ['x.example.net'] },
    ];
    for (const after of bad) {
      const e = await expectProviderError(provider.apply(ZONE, [{ action: 'create', after }]));
      expect(e.code).toBe('InvalidChange');
    }
    const tooMany = Array.from({ length: 101 }, (_, i): Change => ({ action: 'create', after: { name: DOMAIN, type: 'A', setId: `r${i}`, ttl: 60, weight: 1, values: ['192.0.2.1'] } }));
    expect((await expectProviderError(provider.apply(ZONE, tooMany))).code).toBe('InvalidChange');
    expect(standIn.requests).toHaveLength(0);
  });
});

describe('route53 adapter: errors', () => {
  it('maps Throttling (HTTP 400) with retry-after to a retryable DnsProviderError', async () => {
    const { standIn, provider } = await setup();
    standIn.failNext(1, { status: 400, code: 'Throttling', message: 'Rate exceeded', retryAfterS: 3 });
    const e = await expectProviderError(provider.records(ZONE, [DOMAIN]));
    expect(e).toMatchObject({ status: 400, code: 'Throttling', retryAfterS: 3 });
    expect(e.message).toContain('Rate exceeded');
    expect(e.retryable).toBe(true);
  });

  it('maps PriorRequestNotComplete and 5xx to retryable errors, and InvalidChangeBatch to a final one', async () => {
    const { standIn, provider } = await setup();
    await provider.records(ZONE, [DOMAIN]);
    standIn.failNext(1, { status: 400, code: 'PriorRequestNotComplete', message: 'The request was rejected because Route 53 was still processing a prior request.', action: 'ChangeResourceRecordSets' });
    const prior = await expectProviderError(reconcile(provider, TWO_REGIONS));
    expect(prior).toMatchObject({ status: 400, code: 'PriorRequestNotComplete', retryable: true });

    standIn.failNext(1, { status: 503, code: 'ServiceUnavailable', action: 'ChangeResourceRecordSets' });
    expect(await expectProviderError(reconcile(provider, TWO_REGIONS))).toMatchObject({ status: 503, retryable: true });

    // Nothing was written by the failed attempts; now plant a set where we want to CREATE.
    expect(writes(standIn).every((w) => w.status !== 200)).toBe(true);
    const desired = renderRecordSets('route53', TWO_REGIONS);
    const current = await provider.records(ZONE, [DOMAIN]);
    standIn.seed(ZONE, { name: DOMAIN, type: 'A', setIdentifier: 'us-east', weight: 3, ttl: 60, values: ['203.0.113.1'] });
    const e = await expectProviderError(provider.apply(ZONE, planDnsChanges([DOMAIN], desired, current).changes));
    expect(e).toMatchObject({ status: 400, code: 'InvalidChangeBatch', retryable: false });
    expect(e.message).toContain("Tried to create resource record set [name='app.example.com.', type='A', set-identifier='us-east'] but it already exists");
    // All-or-nothing: the two other creates in that batch were not applied either.
    expect(standIn.recordSets(ZONE).filter((s) => s.name === `${DOMAIN}.`).map((s) => s.setIdentifier)).toEqual(['us-east']);
  });

  it('reports a wrong access key as the 403 the API answers', async () => {
    const { standIn } = await setup();
    const wrong = createRoute53Provider({ accessKeyId: 'AKIDWRONG', secretAccessKey: 's', endpoint: standIn.url });
    expect(await expectProviderError(wrong.records(ZONE, [DOMAIN]))).toMatchObject({ status: 403, code: 'InvalidClientTokenId', retryable: false });
  });
});

describe('route53 adapter: listing hosted zones', () => {
  it('reads every page of ListHostedZones (100 a page), paced and counted, names normalized', async () => {
    const many = Array.from({ length: 130 }, (_, i) => `Z${i}.Example.ORG.`);
    const { standIn, provider } = await setup({ zones: [ZONE, ...many] });
    standIn.addZone('internal.example.com', { privateZone: true });
    standIn.clearRequests();
    const listing = await provider.listZones();
    expect(listing.calls).toBe(2);
    expect(standIn.requests.map((r) => r.action)).toEqual(['ListHostedZones', 'ListHostedZones']);
    expect(standIn.requests[1]!.path).toMatch(/marker=/);
    expect(listing.zones).toHaveLength(132);
    expect(listing.zones).toContain('z129.example.org');
    expect(listing.zones).toContain('internal.example.com');
    expect(listing.zones).toEqual([...listing.zones].sort());
  });

  it('with hosted_zone_id: that zone only, through GetHostedZone', async () => {
    const { standIn } = await setup({ zones: [ZONE, 'other.example'] });
    const pinned = createRoute53Provider({ accessKeyId: KEY_ID, secretAccessKey: 'x', endpoint: standIn.url, hostedZoneId: `/hostedzone/${standIn.zoneId(ZONE)}` });
    standIn.clearRequests();
    expect(await pinned.listZones()).toEqual({ zones: [ZONE], calls: 1 });
    expect(standIn.requests.map((r) => r.action)).toEqual(['GetHostedZone']);
  });

  it("maps Route53's errors (throttling stays retryable)", async () => {
    const { standIn, provider } = await setup();
    standIn.failNext(1, { status: 400, code: 'Throttling', message: 'Rate exceeded', action: 'ListHostedZones' });
    expect(await expectProviderError(provider.listZones())).toMatchObject({ status: 400, code: 'Throttling', retryable: true });
    expect((await provider.listZones()).zones).toEqual([ZONE]);
  });
});

describe('route53 stand-in: Route53 rules through the official SDK', () => {
  const rrs = (o: Partial<ResourceRecordSet> & { values?: string[] } = {}): ResourceRecordSet => {
    const { values = ['192.0.2.1'], ...rest } = o;
    return { Name: `${DOMAIN}.`, Type: 'A', SetIdentifier: 'eu', Weight: 10, TTL: 60, ResourceRecords: values.map((Value) => ({ Value })), ...rest };
  };
  async function send(client: Route53Client, zoneId: string, changes: Route53Change[]) {
    return client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } })).then(
      (out) => ({ ok: true as const, out }),
      (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => ({ ok: false as const, code: e.name, message: e.message, status: e.$metadata.httpStatusCode }),
    );
  }

  it('enforces CREATE/DELETE semantics, weighted-set rules and atomicity', async () => {
    const { standIn } = await setup();
    const client = rawClient(standIn);
    const zoneId = standIn.zoneId(ZONE);
    const created = await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: rrs() }]);
    expect(created.ok).toBe(true);
    if (created.ok) expect(created.out.ChangeInfo?.Status).toBe('PENDING');
    const before = standIn.recordSets(ZONE);

    const cases: [string, Route53Change[], string][] = [
      ['CREATE of an existing set', [{ Action: 'CREATE', ResourceRecordSet: rrs() }], 'but it already exists'],
      ['DELETE with other values', [{ Action: 'DELETE', ResourceRecordSet: rrs({ values: ['192.0.2.9'] }) }], 'do not match the current values'],
      ['DELETE with another weight', [{ Action: 'DELETE', ResourceRecordSet: rrs({ Weight: 11 }) }], 'do not match the current values'],
      ['DELETE with another TTL', [{ Action: 'DELETE', ResourceRecordSet: rrs({ TTL: 61 }) }], 'do not match the current values'],
      ['DELETE of a missing set', [{ Action: 'DELETE', ResourceRecordSet: rrs({ SetIdentifier: 'nope' }) }], 'but it was not found'],
      ['weighted set without Weight', [{ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: 'us', Weight: undefined }) }], "Missing field 'Weight'"],
      ['Weight without SetIdentifier', [{ Action: 'CREATE', ResourceRecordSet: rrs({ Name: `x.${ZONE}.`, SetIdentifier: undefined }) }], "Missing field 'SetIdentifier'"],
      ['a non-weighted set next to weighted ones', [{ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: undefined, Weight: undefined }) }], 'cannot mix weighted and non-weighted'],
      ['an IPv6 value in an A set', [{ Action: 'UPSERT', ResourceRecordSet: rrs({ values: ['2001:db8::1'] }) }], 'not a valid IPv4 address'],
      ['a name outside the zone', [{ Action: 'CREATE', ResourceRecordSet: rrs({ Name: 'app.other.test.' }) }], 'is not permitted in zone'],
      // a valid change followed by an invalid one: neither is applied
      ['a batch with one bad change', [{ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: 'ok' }) }, { Action: 'CREATE', ResourceRecordSet: rrs() }], 'but it already exists'],
    ];
    for (const [label, changes, message] of cases) {
      const r = await send(client, zoneId, changes);
      expect(r, label).toMatchObject({ ok: false, code: 'InvalidChangeBatch', status: 400 });
      if (!r.ok) expect(r.message, label).toContain(message);
    }
    expect(standIn.recordSets(ZONE)).toEqual(before);

    const schema: [string, Route53Change[]][] = [
      ['Weight 256', [{ Action: 'UPSERT', ResourceRecordSet: rrs({ Weight: 256 }) }]],
      ['negative TTL', [{ Action: 'UPSERT', ResourceRecordSet: rrs({ TTL: -1 }) }]],
      ['TTL over 2147483647', [{ Action: 'UPSERT', ResourceRecordSet: rrs({ TTL: 2147483648 }) }]],
    ];
    for (const [label, changes] of schema) expect(await send(client, zoneId, changes), label).toMatchObject({ ok: false, code: 'InvalidInput', status: 400 });
    expect(standIn.recordSets(ZONE)).toEqual(before);
  });

  it('enforces the 100 weighted sets per name and type, and the per-request value limits (UPSERT twice)', async () => {
    const { standIn } = await setup({ limits: { maxValuesPerRequest: 1000, maxValueCharsPerRequest: 32000 } });
    const client = rawClient(standIn);
    const zoneId = standIn.zoneId(ZONE);
    const creates = (n: number, from = 0): Route53Change[] => Array.from({ length: n }, (_, i) => ({ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: `s${from + i}` }) }));
    expect((await send(client, zoneId, creates(100))).ok).toBe(true);
    const over = await send(client, zoneId, creates(1, 100));
    expect(over).toMatchObject({ ok: false, code: 'InvalidChangeBatch' });
    if (!over.ok) expect(over.message).toContain('at most 100 are allowed');

    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.1`);
    expect((await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: rrs({ Name: `big.${ZONE}.`, SetIdentifier: undefined, Weight: undefined, values: ips(1000) }) }])).ok).toBe(true);
    const upsert = await send(client, zoneId, [{ Action: 'UPSERT', ResourceRecordSet: rrs({ Name: `big.${ZONE}.`, SetIdentifier: undefined, Weight: undefined, values: ips(501) }) }]);
    expect(upsert).toMatchObject({ ok: false, code: 'InvalidChangeBatch' });
    if (!upsert.ok) expect(upsert.message).toContain('Number of records limit of 1000 exceeded');
    const longTxt = Array.from({ length: 140 }, (_, i) => `"${String(i).padEnd(250, 'x')}"`);
    const chars = await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: { Name: `txt.${ZONE}.`, Type: 'TXT', TTL: 60, ResourceRecords: longTxt.map((Value) => ({ Value })) } }]);
    expect(chars).toMatchObject({ ok: false, code: 'InvalidChangeBatch' });
    if (!chars.ok) expect(chars.message).toContain('Number of characters limit of 32000 exceeded');
  });

  it('answers PriorRequestNotComplete while a change is PENDING (when enabled), then GetChange turns INSYNC', async () => {
    const { standIn } = await setup({ rejectChangesWhilePending: true, pendingPolls: 1 });
    const client = rawClient(standIn);
    const zoneId = standIn.zoneId(ZONE);
    const first = await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: rrs() }]);
    expect(first.ok).toBe(true);
    expect(await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: 'b' }) }])).toMatchObject({ ok: false, code: 'PriorRequestNotComplete', status: 400 });
    const id = first.ok ? first.out.ChangeInfo!.Id! : '';
    expect((await client.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('PENDING');
    expect((await client.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('INSYNC');
    expect((await send(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: rrs({ SetIdentifier: 'b' }) }])).ok).toBe(true);
    const missing = await client.send(new GetChangeCommand({ Id: 'CNOPE' })).catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(missing).toMatchObject({ name: 'NoSuchChange', $metadata: { httpStatusCode: 404 } });
  });
});
