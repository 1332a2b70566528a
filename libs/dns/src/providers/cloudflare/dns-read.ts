// Reading DNS records at names: every record, ours or not, one record set per record
// (setId = content), as model.ts documents for Cloudflare's dns mode.
import type Cloudflare from 'cloudflare';
import type { RecordResponse } from 'cloudflare/resources/dns/records';
import { normalizeName, type CurrentRecordSet } from '../../model.js';
import type { Calls } from './client.js';
import { isOwned } from './ownership.js';

interface ResultInfo {
  page?: number;
  total_pages?: number;
}

/**
 * The SDK's page iterator stops only at an empty page, which costs one more request per read;
 * `result_info` tells us when the last page has arrived.
 */
export function isLastPage(page: { result_info?: ResultInfo; hasNextPage(): boolean }): boolean {
  const info = page.result_info;
  if (info?.page !== undefined && info.total_pages !== undefined) return info.page >= info.total_pages;
  return !page.hasNextPage();
}

function toRecordSet(r: RecordResponse): CurrentRecordSet {
  const content = r.content ?? '';
  return { name: normalizeName(r.name), type: r.type, setId: content, ttl: r.ttl, values: [content], owned: isOwned(r.comment), ids: [r.id] };
}

export async function readRecordsAt(client: Cloudflare, zoneId: string, names: string[], perPage: number, calls: Calls): Promise<CurrentRecordSet[]> {
  const out: CurrentRecordSet[] = [];
  for (const name of [...new Set(names.map(normalizeName))].sort()) {
    let page = await calls.one(() => client.dns.records.list({ zone_id: zoneId, name: { exact: name }, per_page: perPage }));
    for (;;) {
      out.push(...page.result.map(toRecordSet));
      if (isLastPage(page)) break;
      const current = page;
      page = await calls.one(() => current.getNextPage());
    }
  }
  return out;
}
