// The stand-ins' zone listings, spoken to through the official SDKs as the vendors document them:
// Route53 ListHostedZones / GetHostedZone, Cloudflare GET /zones and /zones/{id}, AliDNS
// DescribeDomains. Page fields, page size bounds and the errors for bad parameters.
import RPCClient from '@alicloud/pop-core';
import { GetHostedZoneCommand, ListHostedZonesCommand, paginateListHostedZones, Route53Client, type HostedZoneType } from '@aws-sdk/client-route-53';
import Cloudflare from 'cloudflare';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlidnsStandIn } from '../src/alidns/index.js';
import { startCloudflareStandIn } from '../src/cloudflare/index.js';
import { startRoute53StandIn } from '../src/route53/index.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const names = (n: number, suffix: string) => Array.from({ length: n }, (_, i) => `z${String(i).padStart(3, '0')}.${suffix}`);

async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err as Record<string, unknown>,
  );
  expect(e, 'the request should have failed').toBeDefined();
  return e!;
}

describe('Route53 stand-in: ListHostedZones and GetHostedZone', () => {
  async function setup(zones: string[]) {
    const standIn = await startRoute53StandIn({ zones, accessKeyId: 'AKIDSTANDIN' });
    stops.push(() => standIn.stop());
    const client = new Route53Client({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'x' }, maxAttempts: 1 });
    return { standIn, client };
  }

  it('pages at most 100 zones with Marker / NextMarker / IsTruncated, whatever MaxItems asks', async () => {
    const { client } = await setup(names(130, 'example.com'));
    const first = await client.send(new ListHostedZonesCommand({ MaxItems: 500 }));
    expect(first.HostedZones).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    expect(first.MaxItems).toBe(100);
    expect(first.Marker).toBeUndefined();
    expect(first.NextMarker).toMatch(/^[A-Z0-9]+$/);
    const second = await client.send(new ListHostedZonesCommand({ MaxItems: 100, Marker: first.NextMarker }));
    expect(second.Marker).toBe(first.NextMarker);
    expect(second.HostedZones).toHaveLength(30);
    expect(second.IsTruncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
    // The first zone of the second page is the one NextMarker named; no zone is listed twice.
    expect(second.HostedZones![0]!.Id).toBe(`/hostedzone/${first.NextMarker}`);
    const all = [...first.HostedZones!, ...second.HostedZones!].map((z) => z.Name);
    expect(new Set(all).size).toBe(130);
    expect(all).toContain('z129.example.com.');
  });

  it("is what the SDK's own paginator walks", async () => {
    const { client } = await setup(names(45, 'example.org'));
    const seen: string[] = [];
    for await (const page of paginateListHostedZones({ client, pageSize: 20 }, {})) seen.push(...(page.HostedZones ?? []).map((z) => z.Name!));
    expect(seen.sort()).toEqual(names(45, 'example.org').map((n) => `${n}.`).sort());
  });

  it('lists private zones only with hostedzonetype=PrivateHostedZone', async () => {
    const { standIn, client } = await setup(['public.example']);
    standIn.addZone('internal.example', { privateZone: true });
    const all = await client.send(new ListHostedZonesCommand({}));
    expect(all.HostedZones!.map((z) => z.Name)).toEqual(['public.example.', 'internal.example.']);
    const priv = await client.send(new ListHostedZonesCommand({ HostedZoneType: 'PrivateHostedZone' }));
    expect(priv.HostedZones!.map((z) => [z.Name, z.Config?.PrivateZone])).toEqual([['internal.example.', true]]);
  });

  it('answers InvalidInput for a bad maxitems, marker or hostedzonetype, NoSuchDelegationSet for an unknown delegation set', async () => {
    const { client } = await setup(['example.com']);
    for (const input of [{ MaxItems: 0 }, { Marker: 'not a zone id' }, { HostedZoneType: 'PublicHostedZone' as HostedZoneType }]) {
      const e = await failure(client.send(new ListHostedZonesCommand(input)));
      expect(e.name).toBe('InvalidInput');
      expect((e.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    }
    const e = await failure(client.send(new ListHostedZonesCommand({ DelegationSetId: 'N1PA6795SAMPLE' })));
    expect(e.name).toBe('NoSuchDelegationSet');
    expect((e.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
  });

  it('GetHostedZone answers the zone with its name servers, NoSuchHostedZone for an unknown id', async () => {
    const { standIn, client } = await setup(['svc.plus']);
    const id = standIn.zoneId('svc.plus');
    const got = await client.send(new GetHostedZoneCommand({ Id: `/hostedzone/${id}` }));
    expect(got.HostedZone?.Name).toBe('svc.plus.');
    expect(got.HostedZone?.Id).toBe(`/hostedzone/${id}`);
    expect(got.DelegationSet?.NameServers?.length).toBeGreaterThan(0);
    const missing = await failure(client.send(new GetHostedZoneCommand({ Id: 'Z9999999999NOTHERE' })));
    expect(missing.name).toBe('NoSuchHostedZone');
    expect((missing.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
    const bad = await failure(client.send(new GetHostedZoneCommand({ Id: 'lower-case-is-no-id' })));
    expect(bad.name).toBe('InvalidInput');
  });
});

describe('Cloudflare stand-in: GET /zones and GET /zones/{zone_id}', () => {
  async function setup(zones: string[]) {
    const cf = await startCloudflareStandIn({ zones });
    stops.push(() => cf.stop());
    const client = new Cloudflare({ apiToken: cf.token, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: cf.url, maxRetries: 0 });
    return { cf, client };
  }

  it('pages 20 zones by default and at most 50, with result_info, in name order', async () => {
    const { client } = await setup(names(120, 'example.net'));
    const byDefault = await client.zones.list();
    expect(byDefault.result).toHaveLength(20);
    expect(byDefault.result_info).toMatchObject({ page: 1, per_page: 20, count: 20, total_count: 120, total_pages: 6 });
    const big = await client.zones.list({ per_page: 100 });
    expect(big.result).toHaveLength(50);
    expect(big.result_info).toMatchObject({ page: 1, per_page: 50, total_count: 120, total_pages: 3 });
    const last = await client.zones.list({ per_page: 50, page: 3 });
    expect(last.result.map((z) => z.name)).toEqual(names(120, 'example.net').slice(100));
    const beyond = await client.zones.list({ per_page: 50, page: 4 });
    expect(beyond.result).toEqual([]);
  });

  it("is what the SDK's auto-pagination walks", async () => {
    const { client } = await setup(names(61, 'example.net'));
    const seen: string[] = [];
    for await (const zone of client.zones.list({ per_page: 50 })) seen.push(zone.name);
    expect(seen).toEqual(names(61, 'example.net'));
  });

  it('filters by name (exact, or with an operator) and by account', async () => {
    const { cf, client } = await setup(['a.example', 'b.example', 'svc.plus']);
    expect((await client.zones.list({ name: 'svc.plus' })).result.map((z) => z.name)).toEqual(['svc.plus']);
    expect((await client.zones.list({ name: 'ends_with:.example' })).result.map((z) => z.name)).toEqual(['a.example', 'b.example']);
    expect((await client.zones.list({ account: { id: cf.accountId } })).result).toHaveLength(3);
    expect((await client.zones.list({ account: { id: '0'.repeat(32) } })).result).toHaveLength(0);
  });

  it('answers 400 for a page size under 5, a page under 1 or an unknown order', async () => {
    const { client } = await setup(['example.com']);
    for (const query of [{ per_page: 2 }, { page: 0 }, { order: 'size' as 'name' }, { direction: 'up' as 'asc' }]) {
      const e = await failure(client.zones.list(query));
      expect(e.status).toBe(400);
      expect((e.errors as { code: number }[])[0]?.code).toBeTypeOf('number');
    }
  });

  it('GET /zones/{zone_id} answers the zone, 7003 for an id it does not have', async () => {
    const { cf, client } = await setup(['svc.plus']);
    const zone = await client.zones.get({ zone_id: cf.zoneId('svc.plus') });
    expect(zone.name).toBe('svc.plus');
    expect(zone.id).toBe(cf.zoneId('svc.plus'));
    const e = await failure(client.zones.get({ zone_id: 'f'.repeat(32) }));
    expect(e.status).toBe(404);
    expect((e.errors as { code: number }[])[0]?.code).toBe(7003);
  });
});

describe('AliDNS stand-in: DescribeDomains', () => {
  async function setup(domains: string[]) {
    const standIn = await startAlidnsStandIn({ domains, accessKeyId: 'LTAI-test', accessKeySecret: 'secret' });
    stops.push(() => standIn.stop());
    const client = new RPCClient({ accessKeyId: 'LTAI-test', accessKeySecret: 'secret', endpoint: standIn.url, apiVersion: '2015-01-09' });
    const call = (params: Record<string, unknown>) => client.request<Record<string, unknown>>('DescribeDomains', params, { method: 'POST', formatParams: false });
    return { standIn, call };
  }
  const domainNames = (body: Record<string, unknown>) => ((body.Domains as { Domain: { DomainName: string }[] }).Domain ?? []).map((d) => d.DomainName);

  it('pages with PageNumber / PageSize (20 by default, at most 100), TotalCount, newest domain first', async () => {
    const { call } = await setup(names(130, 'example.cn'));
    const byDefault = await call({});
    expect(byDefault).toMatchObject({ TotalCount: 130, PageNumber: 1, PageSize: 20 });
    expect(domainNames(byDefault)).toHaveLength(20);
    expect(domainNames(byDefault)[0]).toBe('z129.example.cn');
    const first = await call({ PageNumber: 1, PageSize: 100 });
    const second = await call({ PageNumber: 2, PageSize: 100 });
    expect(second).toMatchObject({ TotalCount: 130, PageNumber: 2, PageSize: 100 });
    expect(domainNames(second)).toHaveLength(30);
    expect(new Set([...domainNames(first), ...domainNames(second)]).size).toBe(130);
    expect(domainNames(await call({ PageNumber: 3, PageSize: 100 }))).toEqual([]);
  });

  it('filters by KeyWord (LIKE or EXACT)', async () => {
    const { standIn, call } = await setup(['svc.plus', 'eu.svc.plus', 'example.com']);
    standIn.addDomain('later.plus');
    expect(domainNames(await call({ KeyWord: 'plus' }))).toEqual(['later.plus', 'eu.svc.plus', 'svc.plus']);
    expect(domainNames(await call({ KeyWord: 'svc.plus', SearchMode: 'EXACT' }))).toEqual(['svc.plus']);
  });

  it('answers InvalidParameter for a page size over 100 or a page under 1, InvalidDomainGroup.NotExist for an unknown group', async () => {
    const { call } = await setup(['svc.plus']);
    for (const params of [{ PageSize: 101 }, { PageSize: 0 }, { PageNumber: 0 }, { SearchMode: 'FUZZY' }]) {
      const e = await failure(call(params));
      expect((e.data as { Code: string }).Code).toBe('InvalidParameter');
    }
    const e = await failure(call({ GroupId: 'no-such-group' }));
    expect((e.data as { Code: string }).Code).toBe('InvalidDomainGroup.NotExist');
  });
});
