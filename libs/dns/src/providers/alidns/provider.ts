// The AliDNS adapter: one A/AAAA record per IP, weighted round robin for the weights, our marker in
// each record's Remark.
import { normalizeName, zoneNames, type ApplyResult, type Change, type CurrentRecordSet, type DnsProvider, type ZoneListing } from '../../model.js';
import { applyChanges } from './apply.js';
import { createAlidnsRpc } from './pop-client.js';
import { readDomainNames } from './read.js';
import { readRecordSets } from './record-sets.js';
import { TokenBucket } from '../../pacing.js';

export interface AlidnsProviderOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Default https://alidns.aliyuncs.com; point it at the stand-in in tests. */
  endpoint?: string;
  /** Write pace; default 50, under the documented ~60 writes a second. */
  writesPerSecond?: number;
  /** Describe* page size; default 100, DescribeSubDomainRecords' and DescribeDomains' maximum. */
  pageSize?: number;
  /** Per-request timeout; default 10 s (the SDK's own default is 3 s). */
  timeoutMs?: number;
}

export const ALIDNS_DEFAULT_ENDPOINT = 'https://alidns.aliyuncs.com';

export function createAlidnsProvider(opts: AlidnsProviderOptions): DnsProvider {
  if (!opts.accessKeyId || !opts.accessKeySecret) throw new Error('AliDNS: accessKeyId and accessKeySecret are required');
  const pageSize = opts.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new Error(`AliDNS: pageSize must be 1..100, got ${pageSize}`);
  const rpc = createAlidnsRpc({
    accessKeyId: opts.accessKeyId,
    accessKeySecret: opts.accessKeySecret,
    endpoint: opts.endpoint ?? ALIDNS_DEFAULT_ENDPOINT,
    timeoutMs: opts.timeoutMs ?? 10_000,
    // A small burst: AliDNS counts per second, so any one-second window holds at most burst + rate.
    writePace: new TokenBucket(opts.writesPerSecond ?? 50, Math.max(1, Math.floor((opts.writesPerSecond ?? 50) / 10))),
  });
  return {
    kind: 'alidns',
    async listZones(): Promise<ZoneListing> {
      const before = rpc.calls;
      const names = await readDomainNames(rpc, pageSize);
      return { zones: zoneNames(names), calls: rpc.calls - before };
    },
    records(zone: string, names: string[]): Promise<CurrentRecordSet[]> {
      return readRecordSets(rpc, normalizeName(zone), names, pageSize);
    },
    async apply(zone: string, changes: Change[]): Promise<ApplyResult> {
      const before = rpc.calls;
      await applyChanges(rpc, normalizeName(zone), changes, pageSize);
      return { calls: rpc.calls - before };
    },
  };
}
