// The PowerDNS adapter against a real pdns_server (sqlite3 backend), answers checked with real DNS
// queries over UDP to the server's loopback port.
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPdnsServer, type PdnsServerHandle } from '../../testkit/src/pdns-server.js';
import { freePort } from '../../testkit/src/ports.js';
import { DnsProviderError, type Change, type CurrentRecordSet, type DnsProvider, type DomainAnswer, type RecordSet } from '../src/model.js';
import { planDnsChanges } from '../src/plan.js';
import { createPowerDnsProvider } from '../src/providers/powerdns/index.js';
import { renderRecordSets } from '../src/render.js';
import { ZoneResolver } from '../src/zones.js';

let pdns: PdnsServerHandle;
let resolver: Resolver;
/** Every API request the adapter made, as "METHOD path" plus the PATCH body. */
const requests: { method: string; url: string; body?: string }[] = [];
let provider: DnsProvider;

const countingFetch: typeof globalThis.fetch = (input, init) => {
  requests.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? init.body : undefined });
  return fetch(input, init);
};
const patches = () => requests.filter((r) => r.method === 'PATCH');

let zoneCounter = 0;
/** A fresh zone per test keeps them independent on one shared server. */
async function newZone(): Promise<string> {
  const zone = `z${++zoneCounter}.plane.test`;
  await pdns.createZone(zone);
  return zone;
}

/** Writes RRsets straight through the API, the way a human or another tool would (no marker). */
async function seedForeign(zone: string, name: string, type: string, contents: string[]): Promise<void> {
  const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, {
    method: 'PATCH',
    headers: { 'X-API-Key': pdns.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ rrsets: [{ name: `${name}.`, type, ttl: 60, changetype: 'REPLACE', records: contents.map((content) => ({ content, disabled: false })) }] }),
  });
  expect(res.status).toBe(204);
}

/** What the executor does: read, plan, apply. */
async function reconcile(zone: string, answer: DomainAnswer) {
  const desired = renderRecordSets('powerdns', answer);
  const current = await provider.records(zone, [answer.domain]);
  const plan = planDnsChanges([answer.domain], desired, current);
  const result = await provider.apply(zone, plan.changes);
  return { desired, plan, result };
}

function answer(domain: string, regions: [string, number, string[]][]): DomainAnswer {
  return { domain, ttl: 30, regions: regions.map(([name, weight, ips]) => ({ name, weight, ips })) };
}

async function resolve4(name: string): Promise<string[]> {
  return (await resolver.resolve4(name)).sort();
}

/** `n` A queries, 50 in flight: how often each address was answered. */
async function sampleA(name: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let done = 0; done < n; done += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - done) }, () => resolver.resolve4(name)));
    for (const ips of batch) for (const ip of ips) counts.set(ip, (counts.get(ip) ?? 0) + 1);
  }
  return counts;
}

/** Our record sets as plain RecordSets, in render's order, to compare with what was rendered. */
const strip = (sets: CurrentRecordSet[]): RecordSet[] =>
  sets
    .filter((s) => s.owned)
    .map(({ owned: _o, ids: _i, ...rest }) => rest)
    .sort((a, b) => a.type.localeCompare(b.type));

beforeAll(async () => {
  pdns = await startPdnsServer();
  resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${pdns.dnsPort}`]);
  provider = createPowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, fetch: countingFetch });
});

afterAll(async () => {
  await pdns?.dispose();
});

describe('PowerDNS adapter against a real pdns_server', () => {
  it('equal weights: plain A and AAAA RRsets with our comment; every query answers every IP', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    const { desired, result } = await reconcile(zone, answer(www, [
      ['eu', 100, ['10.0.0.1', '2001:db8::1']],
      ['us', 100, ['10.0.0.2', '2001:db8::2']],
    ]));
    expect(desired.map((d) => d.type)).toEqual(['A', 'AAAA']);
    expect(result.calls).toBe(2); // the ownership re-read, then one PATCH
    expect(strip(await provider.records(zone, [www]))).toEqual(desired);
    for (let i = 0; i < 20; i++) expect(await resolve4(www)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect((await resolver.resolve6(www)).sort()).toEqual(['2001:db8::1', '2001:db8::2']);
  });

  it('unequal weights 100:10: one LUA pickwrandom RRset; the heavy IP gets about 100/110 of 2,000 answers', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    const { desired } = await reconcile(zone, answer(www, [
      ['eu', 100, ['10.0.0.1']],
      ['us', 10, ['10.0.0.2']],
    ]));
    expect(desired).toEqual([{ name: www, type: 'LUA', setId: '', ttl: 30, values: [`A "pickwrandom({{100000, '10.0.0.1'}, {10000, '10.0.0.2'}})"`] }]);
    expect(strip(await provider.records(zone, [www]))).toEqual(desired);

    const counts = await sampleA(www, 2000);
    expect([...counts.keys()].sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    const share = (counts.get('10.0.0.1') ?? 0) / 2000;
    expect(share).toBeGreaterThan(0.85);
    expect(share).toBeLessThan(0.96);
  });

  it('a mixed answer: LUA for the weighted family next to a plain AAAA, both answered', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    const { desired } = await reconcile(zone, answer(www, [
      ['eu', 300, ['10.0.0.1', '2001:db8::1']],
      ['us', 100, ['10.0.0.2']],
    ]));
    expect(desired.map((d) => d.type)).toEqual(['AAAA', 'LUA']);
    expect(strip(await provider.records(zone, [www]))).toEqual(desired);
    expect(await resolver.resolve6(www)).toEqual(['2001:db8::1']);
    const counts = await sampleA(www, 400);
    expect((counts.get('10.0.0.1') ?? 0) / 400).toBeGreaterThan(0.6);
  });

  it('plain A -> LUA in one PATCH (the A RRset deleted, the LUA created), and back', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 100, ['10.0.0.2']]]));
    requests.length = 0;
    const toLua = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 10, ['10.0.0.2']]]));
    expect(toLua.plan.changes.map((c) => c.action).sort()).toEqual(['create', 'delete']);
    expect(patches()).toHaveLength(1);
    expect(JSON.parse(patches()[0]!.body!).rrsets.map((r: { type: string; changetype: string }) => `${r.changetype} ${r.type}`)).toEqual(['DELETE A', 'REPLACE LUA']);
    expect(strip(await provider.records(zone, [www]))).toEqual(toLua.desired);

    const back = await reconcile(zone, answer(www, [['eu', 50, ['10.0.0.1']], ['us', 50, ['10.0.0.2']]]));
    expect(strip(await provider.records(zone, [www]))).toEqual(back.desired);
    for (let i = 0; i < 10; i++) expect(await resolve4(www)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('minimal updates: one IP added or removed rewrites only its own RRset; a weight change rewrites the LUA', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1', '10.0.0.2', '2001:db8::1']]]));

    requests.length = 0;
    const added = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '2001:db8::1']]]));
    expect(added.plan.changes.map((c) => `${c.action} ${c.action === 'delete' ? c.before.type : c.after.type}`)).toEqual(['update A']);
    expect(patches()).toHaveLength(1);
    expect(JSON.parse(patches()[0]!.body!).rrsets).toHaveLength(1);
    expect(await resolve4(www)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);

    requests.length = 0;
    const removed = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1', '10.0.0.3', '2001:db8::1']]]));
    expect(removed.plan.changes.map((c) => `${c.action} ${c.action === 'delete' ? c.before.type : c.after.type}`)).toEqual(['update A']);
    expect(JSON.parse(patches()[0]!.body!).rrsets).toHaveLength(1);
    expect(await resolve4(www)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(await resolver.resolve6(www)).toEqual(['2001:db8::1']);

    await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 10, ['10.0.0.2']]]));
    const weight = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 50, ['10.0.0.2']]]));
    expect(weight.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(strip(await provider.records(zone, [www]))[0]!.values).toEqual([`A "pickwrandom({{100000, '10.0.0.1'}, {50000, '10.0.0.2'}})"`]);
  });

  it('a withdrawn region (weight 0) or a removed IP is never answered afterwards', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1', '10.0.0.3']], ['us', 10, ['10.0.0.2']]]));
    expect([...(await sampleA(www, 200)).keys()].sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);

    // eu's 10.0.0.3 is no longer ready: still weighted (LUA), without that IP.
    await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 10, ['10.0.0.2']]]));
    expect((await sampleA(www, 200)).has('10.0.0.3')).toBe(false);

    // us withdrawn: a single plain A remains, the LUA is gone.
    const withdrawn = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 0, ['10.0.0.2']]]));
    expect(strip(await provider.records(zone, [www]))).toEqual(withdrawn.desired);
    expect([...(await sampleA(www, 200)).keys()]).toEqual(['10.0.0.1']);

    // everything withdrawn: our RRsets are deleted, the name answers nothing.
    await reconcile(zone, answer(www, [['eu', 0, ['10.0.0.1']], ['us', 0, ['10.0.0.2']]]));
    expect(await provider.records(zone, [www])).toEqual([]);
    await expect(resolver.resolve4(www)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('foreign RRsets: reported owned=false, left untouched, and a foreign address at our name blocks', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    const legacy = `legacy.${zone}`;
    await seedForeign(zone, legacy, 'A', ['192.0.2.9']);
    await seedForeign(zone, www, 'TXT', ['"site-verification=abc"']);

    // A foreign TXT next to our records does not block; a foreign A at another name is not ours to touch.
    const first = await reconcile(zone, answer(www, [['eu', 100, ['10.0.0.1']], ['us', 10, ['10.0.0.2']]]));
    expect(first.plan.conflicts).toEqual([]);
    const here = await provider.records(zone, [www, legacy]);
    expect(here.filter((r) => !r.owned).map((r) => `${r.name} ${r.type} ${r.values.join(',')}`).sort()).toEqual([
      `${legacy} A 192.0.2.9`,
      `${www} TXT "site-verification=abc"`,
    ]);
    expect(here.filter((r) => r.owned).map((r) => r.type)).toEqual(['LUA']);

    // The region goes away: our LUA is deleted, the foreign TXT stays.
    await reconcile(zone, answer(www, [['eu', 0, ['10.0.0.1']], ['us', 0, ['10.0.0.2']]]));
    expect((await provider.records(zone, [www])).map((r) => `${r.type} ${r.owned}`)).toEqual(['TXT false']);

    // A foreign A at the name we want: a conflict, no write, the foreign record still answers.
    const blocked = `blocked.${zone}`;
    await seedForeign(zone, blocked, 'A', ['192.0.2.7']);
    requests.length = 0;
    const conflict = await reconcile(zone, answer(blocked, [['eu', 100, ['10.0.0.1']]]));
    expect(conflict.plan.conflicts).toEqual([{ name: blocked, foreign: [{ type: 'A', setId: '', values: ['192.0.2.7'] }] }]);
    expect(conflict.plan.changes).toEqual([]);
    expect(patches()).toHaveLength(0);
    expect(await resolve4(blocked)).toEqual(['192.0.2.7']);
    expect(await resolve4(legacy)).toEqual(['192.0.2.9']);
  });

  it('apply refuses to touch a foreign RRset even when told to, and a create over one', async () => {
    const zone = await newZone();
    const name = `legacy.${zone}`;
    await seedForeign(zone, name, 'A', ['192.0.2.9']);
    const [foreign] = await provider.records(zone, [name]);
    requests.length = 0;
    const asDelete: Change = { action: 'delete', before: foreign! };
    await expect(provider.apply(zone, [asDelete])).rejects.toMatchObject({ name: 'DnsProviderError', code: 'InvalidChange' });
    // A create whose caller did not see the foreign RRset: the pre-write read catches it.
    const blindCreate: Change = { action: 'create', after: { name, type: 'A', setId: '', ttl: 30, values: ['10.0.0.1'] } };
    await expect(provider.apply(zone, [blindCreate])).rejects.toThrow(/without our ownership comment/);
    expect(patches()).toHaveLength(0);
    expect(await resolve4(name)).toEqual(['192.0.2.9']);
  });

  it('idempotence: the steady state plans nothing and makes no call', async () => {
    const zone = await newZone();
    const www = `www.${zone}`;
    const desired = answer(www, [['eu', 100, ['10.0.0.1', '2001:db8::1']], ['us', 10, ['10.0.0.2', '2001:db8::2']]]);
    await reconcile(zone, desired);
    requests.length = 0;
    const again = await reconcile(zone, desired);
    expect(again.plan.changes).toEqual([]);
    expect(again.result.calls).toBe(0);
    expect(patches()).toHaveLength(0);
    expect(requests.map((r) => r.method)).toEqual(['GET']); // the executor's read only
  });

  it('an invalid change: DnsProviderError with PowerDNS\'s message and status, nothing applied', async () => {
    const zone = await newZone();
    const good: Change = { action: 'create', after: { name: `good.${zone}`, type: 'A', setId: '', ttl: 30, values: ['10.0.0.1'] } };
    const bad: Change = { action: 'create', after: { name: `bad.${zone}`, type: 'A', setId: '', ttl: 30, values: ['300.0.0.1'] } };
    const err = await provider.apply(zone, [good, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsProviderError);
    expect((err as DnsProviderError).status).toBe(422);
    expect((err as DnsProviderError).message).toMatch(/300\.0\.0\.1.*unable to parse IP address/);
    expect((err as DnsProviderError).retryable).toBe(false);
    // One transaction: the valid half did not land either.
    expect(await provider.records(zone, [`good.${zone}`, `bad.${zone}`])).toEqual([]);
  });

  it('refuses before sending: a name outside the zone, a set id, two writes of one RRset', async () => {
    const zone = await newZone();
    const rs = (name: string, extra: Partial<RecordSet> = {}): Change => ({ action: 'create', after: { name, type: 'A', setId: '', ttl: 30, values: ['10.0.0.1'], ...extra } });
    requests.length = 0;
    await expect(provider.apply(zone, [rs('www.elsewhere.test')])).rejects.toThrow(/not in zone/);
    await expect(provider.apply(zone, [rs(`www.${zone}`, { setId: 'eu' })])).rejects.toThrow(/set id/);
    await expect(provider.apply(zone, [rs(`www.${zone}`), rs(`www.${zone}`, { values: ['10.0.0.2'] })])).rejects.toThrow(/two writes/);
    expect(requests).toHaveLength(0);
  });

  it('API failures surface as DnsProviderError: bad key (401), unknown zone (404), unreachable server (retryable)', async () => {
    const badKey = createPowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: 'wrong' });
    await expect(badKey.records('z1.plane.test', ['www.z1.plane.test'])).rejects.toMatchObject({ name: 'DnsProviderError', status: 401 });

    const unknown = await provider.records('nowhere.test', ['www.nowhere.test']).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ name: 'DnsProviderError', status: 404 });
    expect((unknown as DnsProviderError).retryable).toBe(false);

    const down = createPowerDnsProvider({ apiUrl: `http://127.0.0.1:${await freePort()}`, apiKey: pdns.apiKey, timeoutMs: 2000 });
    const err = await down.records('z1.plane.test', ['www.z1.plane.test']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsProviderError);
    expect((err as DnsProviderError).retryable).toBe(true);
    expect((err as DnsProviderError).message).not.toContain(pdns.apiKey);
  });

  it('lists every zone of the server in one GET, names normalized (nested zones included)', async () => {
    await pdns.createZone('svc.plus');
    await pdns.createZone('EU.svc.plus.');
    requests.length = 0;
    const listing = await provider.listZones();
    expect(listing.calls).toBe(1);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['GET /api/v1/servers/localhost/zones']);
    expect(listing.zones).toContain('svc.plus');
    expect(listing.zones).toContain('eu.svc.plus');
    expect(listing.zones.every((z) => z === z.toLowerCase() && !z.endsWith('.'))).toBe(true);
    expect(listing.zones).toEqual([...listing.zones].sort());

    // What the zone resolver makes of that list.
    const resolver = new ZoneResolver({ get: () => provider });
    const spec = { provider: 'powerdns' as const, api_url: pdns.apiUrl, server_id: 'localhost', ttl: 30, drift_check_ms: 300_000 };
    expect(await resolver.zoneOf(spec, 'api.eu.svc.plus')).toBe('eu.svc.plus');
    expect(await resolver.zoneOf(spec, 'api.us.svc.plus')).toBe('svc.plus');
    expect(await resolver.zoneOf(spec, 'svc.plus')).toBe('svc.plus');

    const badKey = createPowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: 'wrong' });
    await expect(badKey.listZones()).rejects.toMatchObject({ name: 'DnsProviderError', status: 401 });
  });
});
