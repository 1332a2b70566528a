// The Cloudflare adapter through the official SDK against the local stand-in of Cloudflare's API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Cloudflare from 'cloudflare';
import { startCloudflareStandIn, type CloudflareStandIn, type CloudflareStandInOptions } from '../../standins/src/cloudflare/index.js';
import { createCloudflareProvider, type CloudflareProviderOptions } from '../src/providers/cloudflare/index.js';
import { DnsProviderError, type Change, type DnsProvider, type DomainAnswer, type RecordSet } from '../src/model.js';
import { planDnsChanges } from '../src/plan.js';
import { renderRecordSets } from '../src/render.js';

const ZONE = 'example.com';
const NAME = 'api.example.com';
const MARKER = 'managed-by=plane';

let cf: CloudflareStandIn;

async function standIn(opts: CloudflareStandInOptions = {}): Promise<CloudflareStandIn> {
  cf = await startCloudflareStandIn(opts);
  return cf;
}

function provider(opts: Partial<CloudflareProviderOptions> = {}): DnsProvider {
  return createCloudflareProvider({ apiToken: cf.token, baseURL: cf.url, mode: 'dns', requestsPerSecond: 1000, burst: 1000, ...opts });
}

/** The official SDK, unmodified, for requests the adapter would never send. */
function rawClient(token = cf.token): Cloudflare {
  return new Cloudflare({ apiToken: token, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: cf.url, maxRetries: 0 });
}

function answer(regions: DomainAnswer['regions'], ttl = 60, domain = NAME): DomainAnswer {
  return { domain, ttl, regions };
}

const TWO_REGIONS = answer([
  { name: 'eu-west', weight: 600, ips: ['192.0.2.10', '192.0.2.11', '2001:db8::10'] },
  { name: 'us-east', weight: 400, ips: ['198.51.100.20'] },
]);

/** One reconcile as the executor runs it: read, plan, apply. */
async function sync(p: DnsProvider, a: DomainAnswer, mode: 'dns' | 'load_balancer' = 'dns') {
  const desired = renderRecordSets('cloudflare', a, { cloudflareMode: mode });
  const plan = planDnsChanges([a.domain], desired, await p.records(ZONE, [a.domain]));
  const before = cf.writes().length;
  const result = plan.changes.length > 0 ? await p.apply(ZONE, plan.changes) : { calls: 0 };
  return { desired, plan, result, writes: cf.writes().slice(before) };
}

/** What the provider holds, in the shared model, without provider ids. */
async function held(p: DnsProvider, name = NAME, owned = true): Promise<RecordSet[]> {
  const sets = (await p.records(ZONE, [name])).filter((r) => r.owned === owned);
  return sets
    .map(({ owned: _o, ids: _i, ...set }) => set)
    .sort((x, y) => `${x.type}|${x.setId}`.localeCompare(`${y.type}|${y.setId}`));
}

async function caught(p: Promise<unknown>): Promise<DnsProviderError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DnsProviderError);
  return e as DnsProviderError;
}

afterEach(async () => {
  await cf?.stop();
});

describe('cloudflare dns mode', () => {
  beforeEach(async () => {
    await standIn();
  });

  it('creates every ready IP from empty in one batch, marked as ours, and then holds exactly the rendered sets', async () => {
    const p = provider();
    const { desired, plan, result, writes } = await sync(p, TWO_REGIONS);
    expect(plan.changes.map((c) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    expect(writes.map((w) => w.summary)).toEqual(['batch deletes=0 patches=0 puts=0 posts=4']);
    expect(result.calls).toBe(1); // the zone id was cached by records()
    const records = cf.dnsRecords(ZONE);
    expect(records.map((r) => `${r.type} ${r.content} ${r.ttl} ${r.comment} ${r.proxied}`)).toEqual([
      `A 192.0.2.10 60 ${MARKER} false`,
      `A 192.0.2.11 60 ${MARKER} false`,
      `A 198.51.100.20 60 ${MARKER} false`,
      `AAAA 2001:db8::10 60 ${MARKER} false`,
    ]);
    expect(await held(p)).toEqual(desired);
  });

  it('is idempotent: the same desired state twice makes no second plan and no writes', async () => {
    const p = provider();
    await sync(p, TWO_REGIONS);
    const again = await sync(p, TWO_REGIONS);
    expect(again.plan.changes).toEqual([]);
    expect(again.writes).toEqual([]);
    expect(await p.apply(ZONE, [])).toEqual({ calls: 0 });
  });

  it('adds or removes only the IP that changed', async () => {
    const p = provider();
    await sync(p, TWO_REGIONS);
    const idsBefore = new Map(cf.dnsRecords(ZONE).map((r) => [r.content, r.id]));

    const usEast = { name: 'us-east', weight: 400, ips: ['198.51.100.20', '198.51.100.21'] };
    const added = await sync(p, answer([TWO_REGIONS.regions[0]!, usEast]));
    expect(added.plan.changes).toHaveLength(1);
    expect(added.writes.map((w) => w.summary)).toEqual(['batch deletes=0 patches=0 puts=0 posts=1']);

    const removed = await sync(p, answer([{ name: 'eu-west', weight: 600, ips: ['192.0.2.10', '2001:db8::10'] }, usEast]));
    expect(removed.writes.map((w) => w.summary)).toEqual(['batch deletes=1 patches=0 puts=0 posts=0']);
    const after = cf.dnsRecords(ZONE);
    expect(after.map((r) => r.content)).toEqual(['192.0.2.10', '198.51.100.20', '198.51.100.21', '2001:db8::10']);
    // Untouched records keep their ids.
    for (const r of after) if (idsBefore.has(r.content)) expect(r.id).toBe(idsBefore.get(r.content));
  });

  it('ignores weight changes (dns mode has none) but follows a TTL change in place', async () => {
    const p = provider();
    await sync(p, TWO_REGIONS);
    const reweighted = await sync(p, answer([{ ...TWO_REGIONS.regions[0]!, weight: 100 }, { ...TWO_REGIONS.regions[1]!, weight: 900 }]));
    expect(reweighted.writes).toEqual([]);

    const ids = cf.dnsRecords(ZONE).map((r) => r.id);
    const retimed = await sync(p, { ...TWO_REGIONS, ttl: 300 });
    expect(retimed.writes.map((w) => w.summary)).toEqual(['batch deletes=0 patches=0 puts=4 posts=0']);
    expect(cf.dnsRecords(ZONE).map((r) => r.ttl)).toEqual([300, 300, 300, 300]);
    expect(cf.dnsRecords(ZONE).map((r) => r.id)).toEqual(ids);
  });

  it('deletes the records of a withdrawn region (weight 0)', async () => {
    const p = provider();
    await sync(p, TWO_REGIONS);
    const { writes } = await sync(p, answer([{ ...TWO_REGIONS.regions[0]!, weight: 0 }, TWO_REGIONS.regions[1]!]));
    expect(writes.map((w) => w.summary)).toEqual(['batch deletes=3 patches=0 puts=0 posts=0']);
    expect(cf.dnsRecords(ZONE).map((r) => r.content)).toEqual(['198.51.100.20']);
  });

  it('leaves foreign records alone, at another name and at the same name, and reports them as not owned', async () => {
    cf.seedRecord(ZONE, { name: 'www.example.com', type: 'A', content: '203.0.113.5', ttl: 300 });
    cf.seedRecord(ZONE, { name: NAME, type: 'TXT', content: 'v=spf1 -all', ttl: 300, comment: 'owned by the mail team' });
    const p = provider();
    await sync(p, TWO_REGIONS);
    await sync(p, answer([TWO_REGIONS.regions[1]!]));

    expect(cf.dnsRecords(ZONE).filter((r) => r.comment !== MARKER).map((r) => `${r.name} ${r.type} ${r.content}`)).toEqual([
      'api.example.com TXT v=spf1 -all',
      'www.example.com A 203.0.113.5',
    ]);
    const current = await p.records(ZONE, [NAME, 'www.example.com']);
    expect(current.filter((r) => !r.owned).map((r) => `${r.name} ${r.type} ${r.setId}`)).toEqual(['api.example.com TXT v=spf1 -all', 'www.example.com A 203.0.113.5']);
  });

  it('does not take over a name holding a foreign A record, and refuses a forged change to it', async () => {
    const foreign = cf.seedRecord(ZONE, { name: NAME, type: 'A', content: '203.0.113.9', ttl: 120 });
    const p = provider();
    const { plan, writes } = await sync(p, TWO_REGIONS);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([{ name: NAME, foreign: [{ type: 'A', setId: '203.0.113.9', values: ['203.0.113.9'] }] }]);
    expect(writes).toEqual([]);

    const [current] = (await p.records(ZONE, [NAME])).filter((r) => r.type === 'A');
    expect(current).toMatchObject({ owned: false, ids: [foreign.id] });
    cf.clearRequests();
    const e = await caught(p.apply(ZONE, [{ action: 'delete', before: current! }]));
    expect(e.code).toBe('ForeignRecord');
    expect(cf.requests).toEqual([]);
    expect(cf.dnsRecords(ZONE)).toHaveLength(1);
  });

  it('reads every page of a name when the API pages small, without a trailing empty page', async () => {
    await cf.stop();
    await standIn({ maxPerPage: 2 });
    for (let i = 1; i <= 5; i++) cf.seedRecord(ZONE, { name: NAME, type: 'A', content: `192.0.2.${i}`, ttl: 60, comment: MARKER });
    const p = provider();
    const sets = await p.records(ZONE, [NAME]);
    expect(sets.map((s) => s.setId)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5']);
    const lists = cf.requests.filter((r) => r.path.endsWith('/dns_records'));
    expect(lists.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(lists.every((r) => r.query.includes(`name.exact=${NAME}`))).toBe(true);
  });

  it('splits more than 200 record operations into batches of at most 200 (configurable), all applied', async () => {
    const ips = Array.from({ length: 450 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.1`);
    const p = provider();
    const { writes } = await sync(p, answer([{ name: 'eu-west', weight: 1, ips }]));
    expect(writes.map((w) => w.summary)).toEqual([
      'batch deletes=0 patches=0 puts=0 posts=200',
      'batch deletes=0 patches=0 puts=0 posts=200',
      'batch deletes=0 patches=0 puts=0 posts=50',
    ]);
    expect(cf.dnsRecords(ZONE)).toHaveLength(450);

    const small = provider({ batchSize: 100 });
    const { writes: deletes } = await sync(small, answer([{ name: 'eu-west', weight: 1, ips: ips.slice(0, 130) }]));
    expect(deletes.map((w) => w.summary)).toEqual(['batch deletes=100 patches=0 puts=0 posts=0', 'batch deletes=100 patches=0 puts=0 posts=0', 'batch deletes=100 patches=0 puts=0 posts=0', 'batch deletes=20 patches=0 puts=0 posts=0']);
    expect(cf.dnsRecords(ZONE)).toHaveLength(130);
  });

  it('refuses what Cloudflare would refuse or misread before sending anything', async () => {
    const p = provider();
    await p.records(ZONE, [NAME]);
    cf.clearRequests();
    const create = (set: Partial<RecordSet>): Change[] => [{ action: 'create', after: { name: NAME, type: 'A', setId: '192.0.2.1', ttl: 60, values: ['192.0.2.1'], ...set } }];
    expect(await caught(p.apply(ZONE, create({ ttl: 30 })))).toMatchObject({ code: '9021', status: undefined, retryable: false });
    expect(await caught(p.apply(ZONE, create({ values: ['2001:db8::1'] })))).toMatchObject({ code: '9005' });
    // The real API would quietly write api.example.org.example.com.
    expect(await caught(p.apply(ZONE, create({ name: 'api.example.org' })))).toMatchObject({ code: 'NameOutsideZone' });
    expect(cf.requests).toEqual([]);

    // An Enterprise zone (minTtl 30) sends a 30 s TTL; this Free-plan stand-in refuses it the same way.
    const refused = await caught(provider({ minTtl: 30 }).apply(ZONE, create({ ttl: 30 })));
    expect(refused).toMatchObject({ status: 400, code: '9021', retryable: false });
    expect(refused.message).toContain('Invalid TTL');
    expect(cf.dnsRecords(ZONE)).toEqual([]);
  });

  it('treats only the whole marker word as ours', async () => {
    cf.seedRecord(ZONE, { name: NAME, type: 'A', content: '192.0.2.1', ttl: 60, comment: 'managed-by=plane-legacy' });
    cf.seedRecord(ZONE, { name: NAME, type: 'A', content: '192.0.2.2', ttl: 60, comment: `keep ${MARKER} please` });
    const owned = (await provider().records(ZONE, [NAME])).map((r) => `${r.setId} ${r.owned}`);
    expect(owned).toEqual(['192.0.2.1 false', '192.0.2.2 true']);
  });
});

describe('cloudflare stand-in rules (through the official SDK)', () => {
  beforeEach(async () => {
    await standIn({ batchLimit: 200 });
  });

  const a = (content: string, extra: Record<string, unknown> = {}) => ({ name: NAME, type: 'A' as const, content, ttl: 60, ...extra });

  it('wraps every answer in the envelope and pages with result_info', async () => {
    const zoneId = cf.zoneId(ZONE);
    for (let i = 1; i <= 3; i++) cf.seedRecord(ZONE, a(`192.0.2.${i}`));
    const res = await fetch(`${cf.url}/zones/${zoneId}/dns_records?per_page=2&page=2`, { headers: { authorization: `Bearer ${cf.token}` } });
    expect(await res.json()).toMatchObject({
      success: true,
      errors: [],
      messages: [],
      result: [{ content: '192.0.2.3' }],
      result_info: { page: 2, per_page: 2, count: 1, total_count: 3, total_pages: 2 },
    });
    const missing = await fetch(`${cf.url}/zones/${zoneId}/dns_records`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ success: false, result: null, errors: [{ code: 9106 }] });
  });

  it('refuses a wrong token with 403 / 9109', async () => {
    const e = await rawClient('wrong-token')
      .zones.list({ name: ZONE })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).toMatchObject({ status: 403, errors: [{ code: 9109, message: 'Invalid access token' }] });
  });

  it('validates records: address family, TTL, name inside the zone, identical duplicates', async () => {
    const c = rawClient();
    const zone_id = cf.zoneId(ZONE);
    const fail = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
    expect(await fail(c.dns.records.create({ zone_id, ...a('2001:db8::1') }))).toMatchObject({ status: 400, errors: [{ code: 9005 }] });
    expect(await fail(c.dns.records.create({ zone_id, name: NAME, type: 'AAAA', content: '192.0.2.1', ttl: 60 }))).toMatchObject({ errors: [{ code: 9006 }] });
    expect(await fail(c.dns.records.create({ zone_id, ...a('192.0.2.1', { ttl: 59 }) }))).toMatchObject({ errors: [{ code: 1004, error_chain: [{ code: 9021 }] }] });
    expect(await fail(c.dns.records.create({ zone_id, ...a('192.0.2.1', { ttl: 86401 }) }))).toMatchObject({ errors: [{ code: 1004, error_chain: [{ code: 9021 }] }] });
    expect(await fail(c.dns.records.create({ zone_id, ...a('192.0.2.1', { name: 'api.example.org' }) }))).toMatchObject({ errors: [{ code: 1004 }] });
    await c.dns.records.create({ zone_id, ...a('192.0.2.1', { ttl: 1 }) });
    expect(await fail(c.dns.records.create({ zone_id, ...a('192.0.2.1') }))).toMatchObject({ errors: [{ code: 81058, message: 'An identical record already exists.' }] });
    expect(await fail(c.dns.records.create({ zone_id, ...a('192.0.2.2', { tags: ['owner:plane'] }) }))).toMatchObject({ errors: [{ code: 1004 }] });
    expect(cf.dnsRecords(ZONE)).toHaveLength(1);
  });

  it('applies a batch atomically, in the order deletes, patches, puts, posts, within the batch limit', async () => {
    const c = rawClient();
    const zone_id = cf.zoneId(ZONE);
    const x = cf.seedRecord(ZONE, a('192.0.2.1'));
    const y = cf.seedRecord(ZONE, a('192.0.2.2'));

    // One invalid post refuses everything, and the error points at it.
    const e = await c.dns.records.batch({ zone_id, deletes: [{ id: x.id }], posts: [a('192.0.2.3'), a('not-an-ip')] }).then(() => undefined, (err: unknown) => err);
    expect(e).toMatchObject({ status: 400, errors: [{ code: 9005, source: { pointer: '/posts/1' } }] });
    expect(cf.dnsRecords(ZONE).map((r) => r.id)).toEqual([x.id, y.id]);

    // Deletes run before posts: a post may recreate the content a delete in the same batch removes.
    const ok = await c.dns.records.batch({ zone_id, posts: [a('192.0.2.1')], deletes: [{ id: x.id }], puts: [{ id: y.id, ...a('192.0.2.9') }] });
    expect(ok.deletes?.map((r) => r.id)).toEqual([x.id]);
    expect(cf.dnsRecords(ZONE).map((r) => r.content)).toEqual(['192.0.2.1', '192.0.2.9']);

    // Posts run after puts: a post may take content a put just gave up.
    await c.dns.records.batch({ zone_id, posts: [a('192.0.2.9')], puts: [{ id: y.id, ...a('192.0.2.8') }] });
    expect(cf.dnsRecords(ZONE).map((r) => r.content)).toEqual(['192.0.2.1', '192.0.2.8', '192.0.2.9']);

    const tooMany = Array.from({ length: 201 }, (_, i) => a(`10.0.${Math.floor(i / 200)}.${i % 200}`));
    expect(await c.dns.records.batch({ zone_id, posts: tooMany }).then(() => undefined, (err: unknown) => err)).toMatchObject({ status: 400 });
    expect(cf.dnsRecords(ZONE)).toHaveLength(3);
  });

  it('rate-limits per token: over the limit, 429 with retry-after until the window ends', async () => {
    await cf.stop();
    await standIn({ rateLimit: { requests: 3, windowMs: 60_000 } });
    const p = provider();
    await p.records(ZONE, [NAME, 'a.example.com']); // 3 requests: zone lookup + 2 lists
    const e = await caught(p.records(ZONE, [NAME]));
    expect(e).toMatchObject({ status: 429, code: '971', retryable: true });
    expect(e.retryAfterS).toBeGreaterThan(55);
    expect(e.retryAfterS).toBeLessThanOrEqual(60);
    cf.resetRateLimit();
    await expect(p.records(ZONE, [NAME])).resolves.toEqual([]);
  });
});

describe('cloudflare failures', () => {
  beforeEach(async () => {
    await standIn();
  });

  it('surfaces an injected 429 with its retry-after, and leaves retrying to the caller (one request)', async () => {
    const p = provider();
    cf.failNext(1, { status: 429, retryAfterS: 7 });
    const e = await caught(p.records(ZONE, [NAME]));
    expect(e).toMatchObject({ status: 429, code: '971', retryAfterS: 7, retryable: true });
    expect(e.message).toContain('Please wait and consider throttling your request speed');
    expect(cf.requests).toHaveLength(1);
  });

  it('surfaces 500 and an HTML 502 from the edge as retryable errors', async () => {
    const p = provider();
    cf.failNext(1, { status: 500 });
    expect(await caught(p.records(ZONE, [NAME]))).toMatchObject({ status: 500, code: '10001', retryable: true });
    cf.failNext(1, { status: 502 });
    const bad = await caught(p.records(ZONE, [NAME]));
    expect(bad).toMatchObject({ status: 502, code: undefined, retryable: true });
    expect(bad.message).toContain('HTTP 502');
  });

  it('a failed batch applies nothing and a retry finishes the job', async () => {
    const p = provider();
    const desired = renderRecordSets('cloudflare', TWO_REGIONS);
    const plan = planDnsChanges([NAME], desired, await p.records(ZONE, [NAME]));
    cf.failNext(1, { status: 502 });
    await caught(p.apply(ZONE, plan.changes));
    expect(cf.dnsRecords(ZONE)).toEqual([]);
    await sync(p, TWO_REGIONS);
    expect(await held(p)).toEqual(desired);
  });

  it('a wrong token is a non-retryable 403 with code 9109', async () => {
    const p = createCloudflareProvider({ apiToken: 'not-the-token', baseURL: cf.url, mode: 'dns' });
    expect(await caught(p.records(ZONE, [NAME]))).toMatchObject({ status: 403, code: '9109', retryable: false });
  });

  it('sends only the token even when legacy key variables are in the environment', async () => {
    process.env.CLOUDFLARE_API_KEY = 'legacy-key';
    process.env.CLOUDFLARE_EMAIL = 'ops@example.com';
    try {
      await expect(provider().records(ZONE, [NAME])).resolves.toEqual([]);
    } finally {
      delete process.env.CLOUDFLARE_API_KEY;
      delete process.env.CLOUDFLARE_EMAIL;
    }
  });

  it('paces its own calls to the configured rate', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) cf.seedRecord(ZONE, { name: `${n}.example.com`, type: 'A', content: '192.0.2.1', ttl: 60 });
    const p = createCloudflareProvider({ apiToken: cf.token, baseURL: cf.url, zoneId: cf.zoneId(ZONE), mode: 'dns', requestsPerSecond: 20, burst: 1 });
    const started = Date.now();
    await p.records(ZONE, ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 50 - 10);
  });
});

describe('cloudflare zone listing', () => {
  it('reads every page of GET /zones (50 a page) through the SDK, counted, and caches the ids it saw', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `z${String(i).padStart(3, '0')}.example.net`);
    await standIn({ zones: [ZONE, ...many] });
    const p = provider();
    const listing = await p.listZones();
    expect(listing.calls).toBe(3);
    expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /zones', 'GET /zones', 'GET /zones']);
    expect(cf.requests.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(listing.zones).toHaveLength(121);
    expect(listing.zones).toEqual([...listing.zones].sort());
    // The zone ids came with the listing: reading a zone's records looks nothing up by name.
    cf.clearRequests();
    await p.records('z119.example.net', ['www.z119.example.net']);
    expect(cf.requests.map((r) => r.path)).toEqual([`/zones/${cf.zoneId('z119.example.net')}/dns_records`]);
  });

  it('with zone_id: that zone only, through GET /zones/{zone_id}', async () => {
    await standIn({ zones: [ZONE, 'other.example'] });
    const listing = await provider({ zoneId: cf.zoneId(ZONE) }).listZones();
    expect(listing).toEqual({ zones: [ZONE], calls: 1 });
    expect(cf.requests.map((r) => r.path)).toEqual([`/zones/${cf.zoneId(ZONE)}`]);
  });

  it("maps Cloudflare's errors (429 with retry-after stays retryable)", async () => {
    await standIn();
    cf.failNext(1, { status: 429, retryAfterS: 7 });
    const e = await provider().listZones().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DnsProviderError);
    expect(e).toMatchObject({ status: 429, retryAfterS: 7, retryable: true });
  });
});

describe('cloudflare load_balancer mode', () => {
  beforeEach(async () => {
    await standIn();
  });

  const lbProvider = () => provider({ mode: 'load_balancer' });
  const LB_ANSWER = answer([
    { name: 'eu-west', weight: 600, ips: ['192.0.2.10', '192.0.2.11'] },
    { name: 'us-east', weight: 300, ips: ['198.51.100.20'] },
  ]);

  function lbState() {
    const pools = new Map(cf.pools().map((pool) => [pool.id, pool]));
    const [lb] = cf.loadBalancers(ZONE);
    return {
      lb,
      pools: cf.pools().map((pool) => `${pool.name} ${pool.origins.map((o) => `${o.address}@${o.weight}`).join(',')}`).sort(),
      weights: lb ? Object.fromEntries(Object.entries(lb.randomSteering?.pool_weights ?? {}).map(([id, w]) => [pools.get(id)!.name, w])) : {},
    };
  }

  it('creates a pool per region and one random-steering load balancer, then holds exactly the rendered sets', async () => {
    const p = lbProvider();
    const { desired, writes } = await sync(p, LB_ANSWER, 'load_balancer');
    expect(writes.map((w) => w.summary)).toEqual(['create pool api_example_com--eu-west', 'create pool api_example_com--us-east', `create load balancer ${NAME}`]);
    const { lb, pools, weights } = lbState();
    expect(pools).toEqual(['api_example_com--eu-west 192.0.2.10@1,192.0.2.11@1', 'api_example_com--us-east 198.51.100.20@1']);
    expect(weights).toEqual({ 'api_example_com--eu-west': 1, 'api_example_com--us-east': 0.5 });
    expect(lb).toMatchObject({ steeringPolicy: 'random', proxied: false, ttl: 60, description: `${MARKER} domain=${NAME}` });
    expect(lb!.fallbackPool).toBe(cf.pools().find((pool) => pool.name.endsWith('eu-west'))!.id);
    expect(await held(p)).toEqual(desired);
    expect((await sync(p, LB_ANSWER, 'load_balancer')).writes).toEqual([]);
  });

  it('changes a weight with one load balancer update, an IP with one pool update', async () => {
    const p = lbProvider();
    await sync(p, LB_ANSWER, 'load_balancer');
    const reweighted = await sync(p, answer([LB_ANSWER.regions[0]!, { ...LB_ANSWER.regions[1]!, weight: 600 }]), 'load_balancer');
    expect(reweighted.writes.map((w) => w.summary)).toEqual([`update load balancer ${NAME}`]);
    expect(lbState().weights).toEqual({ 'api_example_com--eu-west': 1, 'api_example_com--us-east': 1 });

    const moved = await sync(p, answer([{ ...LB_ANSWER.regions[0]!, ips: ['192.0.2.10'] }, { ...LB_ANSWER.regions[1]!, weight: 600 }]), 'load_balancer');
    expect(moved.writes.map((w) => w.summary)).toEqual(['update pool api_example_com--eu-west']);
  });

  it('withdraws a region (load balancer first, then the pool) and removes everything when none remain', async () => {
    const p = lbProvider();
    await sync(p, LB_ANSWER, 'load_balancer');
    const one = await sync(p, answer([LB_ANSWER.regions[0]!, { ...LB_ANSWER.regions[1]!, weight: 0 }]), 'load_balancer');
    expect(one.writes.map((w) => w.summary)).toEqual([`update load balancer ${NAME}`, 'delete pool api_example_com--us-east']);
    expect(lbState().weights).toEqual({ 'api_example_com--eu-west': 1 });

    const none = await sync(p, answer([{ ...LB_ANSWER.regions[0]!, weight: 0 }]), 'load_balancer');
    expect(none.writes.map((w) => w.summary)).toEqual([`delete load balancer ${NAME}`, 'delete pool api_example_com--eu-west']);
    expect(cf.pools()).toEqual([]);
    expect(cf.loadBalancers()).toEqual([]);
  });

  it('leaves a foreign load balancer and foreign pools alone and reports the conflict', async () => {
    const theirs = cf.seedPool({ name: 'their-pool', origins: [{ address: '203.0.113.1' }] });
    cf.seedLoadBalancer(ZONE, { name: NAME, pools: [theirs.id] });
    const p = lbProvider();
    const { plan, writes } = await sync(p, LB_ANSWER, 'load_balancer');
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts[0]!.foreign[0]).toMatchObject({ type: 'POOL', values: [theirs.id] });
    expect(writes).toEqual([]);
    const forged: Change = { action: 'create', after: { name: NAME, type: 'POOL', setId: 'eu-west', ttl: 60, weight: 1, values: ['192.0.2.10'] } };
    expect(await caught(p.apply(ZONE, [forged]))).toMatchObject({ code: 'ForeignRecord' });
    expect(cf.writes()).toEqual([]);

    // At another name the same foreign pool is untouched while ours come and go.
    await sync(p, answer(LB_ANSWER.regions, 60, 'www.example.com'), 'load_balancer');
    await sync(p, answer([{ ...LB_ANSWER.regions[0]!, weight: 0 }], 60, 'www.example.com'), 'load_balancer');
    expect(cf.pools().map((pool) => pool.name)).toEqual(['their-pool']);
    expect(cf.loadBalancers().map((lb) => lb.name)).toEqual([NAME]);
  });

  it('stand-in rules: origin weight steps, load balancer pool references, a pool in use cannot be deleted', async () => {
    const c = rawClient();
    const account_id = cf.accountId;
    const zone_id = cf.zoneId(ZONE);
    const fail = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
    expect(await fail(c.loadBalancers.pools.create({ account_id, name: 'p1', origins: [{ name: 'o', address: '192.0.2.1', weight: 0.005 }] }))).toMatchObject({ status: 400 });
    const pool = await c.loadBalancers.pools.create({ account_id, name: 'p1', origins: [{ name: 'o', address: '192.0.2.1', weight: 0.25 }] });
    expect(await fail(c.loadBalancers.create({ zone_id, name: NAME, default_pools: ['0'.repeat(32)], fallback_pool: pool.id! }))).toMatchObject({ status: 400 });
    expect(
      await fail(c.loadBalancers.create({ zone_id, name: NAME, default_pools: [pool.id!], fallback_pool: pool.id!, steering_policy: 'random', random_steering: { pool_weights: { ['0'.repeat(32)]: 0.5 } } })),
    ).toMatchObject({ status: 400 });
    await c.loadBalancers.create({ zone_id, name: NAME, default_pools: [pool.id!], fallback_pool: pool.id!, steering_policy: 'random', random_steering: { pool_weights: { [pool.id!]: 0.5 } } });
    expect(await fail(c.loadBalancers.pools.delete(pool.id!, { account_id }))).toMatchObject({ status: 400 });
  });

  it('switching a name from dns to load_balancer mode replaces our A records with the load balancer', async () => {
    await sync(provider(), LB_ANSWER, 'dns');
    const { plan, writes } = await sync(lbProvider(), LB_ANSWER, 'load_balancer');
    expect(plan.changes.map((c) => `${c.action} ${c.action === 'delete' ? c.before.type : c.after.type}`)).toEqual(['create POOL', 'create POOL', 'delete A', 'delete A', 'delete A']);
    expect(writes.map((w) => w.summary)).toEqual(['create pool api_example_com--eu-west', 'create pool api_example_com--us-east', `create load balancer ${NAME}`, 'batch deletes=3 patches=0 puts=0 posts=0']);
    expect(cf.dnsRecords(ZONE)).toEqual([]);
  });

  it('refuses pool weights outside 0.01..1.00 before sending anything', async () => {
    const p = lbProvider();
    const bad: Change = { action: 'create', after: { name: NAME, type: 'POOL', setId: 'eu-west', ttl: 60, weight: 1.5, values: ['192.0.2.1'] } };
    const e = await caught(p.apply(ZONE, [bad]));
    expect(e.code).toBe('InvalidWeight');
    expect(cf.requests).toEqual([]);
  });
});
