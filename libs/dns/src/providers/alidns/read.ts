// Reads through the Describe* actions, every page of them.
import type { AlidnsRpc } from './pop-client.js';
import { nameFromSlbSubDomain } from './names.js';
import { parseDomainPage, parseRecordPage, parseSlbPage, type AliRecord, type Page } from './wire.js';

/** Guards against a server that never reaches TotalCount. */
const MAX_PAGES = 10_000;

async function readAllPages<T>(fetchPage: (pageNumber: number) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { items, totalCount } = await fetchPage(page);
    all.push(...items);
    // The page size the server used may be smaller than the one asked for: follow TotalCount.
    if (items.length === 0 || all.length >= totalCount) return all;
  }
  throw new Error(`AliDNS: more than ${MAX_PAGES} pages`);
}

/** Every record at `name` (of `type` when given), owned or not. */
export async function readSubDomainRecords(rpc: AlidnsRpc, zone: string, name: string, pageSize: number, type?: string): Promise<AliRecord[]> {
  const action = 'DescribeSubDomainRecords';
  return readAllPages(async (page) =>
    parseRecordPage(
      action,
      await rpc.read(action, { DomainName: zone, SubDomain: name, PageNumber: page, PageSize: pageSize, ...(type ? { Type: type } : {}) }),
    ),
  );
}

export function slbKey(name: string, type: string): string {
  return `${name}|${type.toUpperCase()}`;
}

/** Hosts (FQDN|type) of the zone whose weighted round robin is on, default line. */
export async function readOpenSlbHosts(rpc: AlidnsRpc, zone: string, pageSize: number): Promise<Set<string>> {
  const action = 'DescribeDNSSLBSubDomains';
  const entries = await readAllPages(async (page) =>
    parseSlbPage(action, await rpc.read(action, { DomainName: zone, PageNumber: page, PageSize: Math.min(pageSize, 100) })),
  );
  return new Set(entries.filter((e) => e.Open).map((e) => slbKey(nameFromSlbSubDomain(e.SubDomain), e.Type)));
}

/** Every domain (zone) of the account: DescribeDomains, every page (PageSize at most 100). */
export async function readDomainNames(rpc: AlidnsRpc, pageSize: number): Promise<string[]> {
  const action = 'DescribeDomains';
  return readAllPages(async (page) => parseDomainPage(action, await rpc.read(action, { PageNumber: page, PageSize: Math.min(pageSize, 100) })));
}
