// The zone of a domain: declared, or the provider's zone that is the longest suffix of the domain,
// from the provider's zone list cached per provider (refreshed, and re-read on a miss).
import { describe, expect, it } from 'vitest';
import type { DnsSpec } from '@plane/declarations';
import { DnsProviderError, type DnsProvider, type ZoneListing } from '../src/model.js';
import { describeProvider, ZoneNotFoundError, ZoneResolver, zoneOfDomain } from '../src/zones.js';

const SPEC: DnsSpec = { provider: 'powerdns', api_url: 'http://pdns.example:8081', server_id: 'localhost', ttl: 30, drift_check_ms: 300_000 };

/** A provider whose zone list a test changes at will; counts listZones calls. */
function fakeProvider(initial: string[]) {
  const state = { zones: [...initial], lists: 0, fail: undefined as Error | undefined, gate: undefined as Promise<void> | undefined };
  const provider: DnsProvider = {
    kind: 'powerdns',
    async listZones(): Promise<ZoneListing> {
      state.lists++;
      await state.gate;
      if (state.fail) throw state.fail;
      return { zones: [...state.zones].sort(), calls: 1 };
    },
    records: () => Promise.reject(new Error('not used')),
    apply: () => Promise.reject(new Error('not used')),
  };
  return { provider, state };
}

function setup(zones: string[], opts: { refreshMs?: number; missRetryMs?: number; failureRetryMs?: number } = {}) {
  const fake = fakeProvider(zones);
  const clock = { t: 1_000_000 };
  const listings: [string, number][] = [];
  const resolver = new ZoneResolver({ get: () => fake.provider }, { ...opts, now: () => clock.t, onListing: (kind, calls) => listings.push([kind, calls]) });
  return { resolver, state: fake.state, clock, listings };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  expect(e, 'expected a failure').toBeInstanceOf(Error);
  return e!;
}

describe('zoneOfDomain', () => {
  it('takes the longest zone that is the domain or a suffix of it at a label boundary', () => {
    const zones = ['plus', 'svc.plus', 'eu.svc.plus', 'vc.plus', 'example.com'];
    expect(zoneOfDomain('api.eu.svc.plus', zones)).toBe('eu.svc.plus');
    expect(zoneOfDomain('api.us.svc.plus', zones)).toBe('svc.plus');
    expect(zoneOfDomain('svc.plus', zones)).toBe('svc.plus');
    expect(zoneOfDomain('API.EU.svc.plus.', ['SVC.plus.'])).toBe('svc.plus');
    expect(zoneOfDomain('xsvc.plus', ['svc.plus'])).toBeNull();
    expect(zoneOfDomain('api.example.org', zones)).toBeNull();
  });
});

describe('ZoneResolver', () => {
  it('takes a declared dns.zone as it is, without asking the provider', async () => {
    const { resolver, state } = setup([]);
    state.fail = new Error('must not be called');
    expect(await resolver.zoneOf({ ...SPEC, zone: 'svc.plus' }, 'api.eu.svc.plus')).toBe('svc.plus');
    expect(state.lists).toBe(0);
  });

  it("finds the longest-suffix zone in the provider's list, the apex included, reading the list once", async () => {
    const { resolver, state, listings } = setup(['svc.plus', 'eu.svc.plus', 'example.com']);
    expect(await resolver.zoneOf(SPEC, 'api.eu.svc.plus')).toBe('eu.svc.plus');
    expect(await resolver.zoneOf(SPEC, 'api.svc.plus')).toBe('svc.plus');
    expect(await resolver.zoneOf(SPEC, 'svc.plus')).toBe('svc.plus');
    expect(await resolver.zoneOf(SPEC, 'Example.COM.')).toBe('example.com');
    expect(state.lists).toBe(1);
    expect(resolver.calls).toBe(1);
    expect(listings).toEqual([['powerdns', 1]]);
  });

  it('reads the list again once it is older than refreshMs', async () => {
    const { resolver, state, clock } = setup(['svc.plus'], { refreshMs: 300_000 });
    expect(await resolver.zoneOf(SPEC, 'api.eu.svc.plus')).toBe('svc.plus');
    state.zones.push('eu.svc.plus');
    clock.t += 299_000;
    expect(await resolver.zoneOf(SPEC, 'api.eu.svc.plus')).toBe('svc.plus');
    clock.t += 1_000;
    expect(await resolver.zoneOf(SPEC, 'api.eu.svc.plus')).toBe('eu.svc.plus');
    expect(state.lists).toBe(2);
  });

  it('reads the list again at once when a domain matches no cached zone (a zone created since)', async () => {
    const { resolver, state } = setup(['svc.plus']);
    expect(await resolver.zoneOf(SPEC, 'api.svc.plus')).toBe('svc.plus');
    state.zones.push('new.example');
    expect(await resolver.zoneOf(SPEC, 'api.new.example')).toBe('new.example');
    expect(state.lists).toBe(2);
  });

  it('no match: an error naming the domain, the provider and the zones it saw; re-read at most every missRetryMs', async () => {
    const { resolver, state, clock } = setup(['svc.plus', 'example.com'], { missRetryMs: 60_000 });
    const e = await rejection(resolver.zoneOf(SPEC, 'api.other.org'));
    expect(e).toBeInstanceOf(ZoneNotFoundError);
    expect(e.message).toContain('api.other.org');
    expect(e.message).toContain('powerdns (http://pdns.example:8081)');
    expect(e.message).toContain('example.com, svc.plus');
    expect(e).toMatchObject({ domain: 'api.other.org', provider: 'powerdns (http://pdns.example:8081)', zones: ['example.com', 'svc.plus'] });
    // The list was read for this very lookup: no second read.
    expect(state.lists).toBe(1);
    // Still missing: no more reads for a while (a reconcile pass every second must not list zones).
    for (let i = 0; i < 5; i++) {
      clock.t += 1_000;
      await rejection(resolver.zoneOf(SPEC, 'api.other.org'));
    }
    expect(state.lists).toBe(1);
    clock.t += 60_000;
    state.zones.push('other.org');
    expect(await resolver.zoneOf(SPEC, 'api.other.org')).toBe('other.org');
    expect(state.lists).toBe(2);
  });

  it('names an empty zone list as such, and caps a long one', async () => {
    expect((await rejection(setup([]).resolver.zoneOf(SPEC, 'api.svc.plus'))).message).toContain('it lists no zone at all');
    const many = Array.from({ length: 30 }, (_, i) => `z${String(i).padStart(2, '0')}.example`);
    const e = await rejection(setup(many).resolver.zoneOf(SPEC, 'api.svc.plus'));
    expect(e.message).toContain('z19.example and 10 more');
    expect((e as ZoneNotFoundError).zones).toHaveLength(30);
  });

  it('concurrent lookups share one read', async () => {
    const { resolver, state } = setup(['svc.plus', 'example.com']);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    const lookups = Promise.all(['a.svc.plus', 'b.svc.plus', 'www.example.com'].map((d) => resolver.zoneOf(SPEC, d)));
    open();
    expect(await lookups).toEqual(['svc.plus', 'svc.plus', 'example.com']);
    expect(state.lists).toBe(1);
  });

  it('a failed listing: the error names the domain and keeps the vendor status; an earlier list stays in use', async () => {
    const { resolver, state, clock } = setup(['svc.plus'], { refreshMs: 60_000, failureRetryMs: 10_000 });
    state.fail = new DnsProviderError('PowerDNS GET /zones: Unauthorized', 401);
    const e = await rejection(resolver.zoneOf(SPEC, 'api.svc.plus'));
    expect(e).toBeInstanceOf(DnsProviderError);
    expect(e.message).toMatch(/listing the zones of powerdns \(http:\/\/pdns\.example:8081\) to find the zone of api\.svc\.plus: PowerDNS GET \/zones: Unauthorized/);
    expect((e as DnsProviderError).status).toBe(401);
    // Not asked again right away.
    await rejection(resolver.zoneOf(SPEC, 'api.svc.plus'));
    expect(state.lists).toBe(1);
    clock.t += 10_000;
    state.fail = undefined;
    expect(await resolver.zoneOf(SPEC, 'api.svc.plus')).toBe('svc.plus');
    expect(state.lists).toBe(2);
    // The provider fails at the next refresh: the list read before keeps answering.
    state.fail = new DnsProviderError('PowerDNS GET /zones: Service Unavailable', 503);
    clock.t += 60_000;
    expect(await resolver.zoneOf(SPEC, 'www.svc.plus')).toBe('svc.plus');
    expect(state.lists).toBe(3);
  });

  it('keeps one list per provider adapter', async () => {
    const a = fakeProvider(['a.example']);
    const b = fakeProvider(['b.example']);
    const resolver = new ZoneResolver({ get: (spec) => ('api_url' in spec && spec.api_url === 'http://a' ? a.provider : b.provider) });
    expect(await resolver.zoneOf({ ...SPEC, api_url: 'http://a' }, 'www.a.example')).toBe('a.example');
    expect(await resolver.zoneOf({ ...SPEC, api_url: 'http://b' }, 'www.b.example')).toBe('b.example');
    await expect(resolver.zoneOf({ ...SPEC, api_url: 'http://b' }, 'www.a.example')).rejects.toBeInstanceOf(ZoneNotFoundError);
  });

  it('describes a provider by kind and address, never by credentials', () => {
    expect(describeProvider({ ...SPEC, credentials: { env: 'SECRET_NAME' } })).toBe('powerdns (http://pdns.example:8081)');
    expect(describeProvider({ provider: 'route53', ttl: 60, drift_check_ms: 1, hosted_zone_id: 'Z123' })).toBe('route53 (hosted zone Z123)');
    expect(describeProvider({ provider: 'alidns', ttl: 600, drift_check_ms: 1 })).toBe('alidns');
  });
});
