// The Route53 DnsProvider: weighted record sets (SetIdentifier = region, Weight 0..255, values =
// the region's IPs), ownership in a TXT registry (registry.ts), one ChangeBatch per zone per apply.
import { DnsProviderError, normalizeName, type ApplyResult, type Change, type CurrentRecordSet, type DnsProvider, type ZoneListing } from '../../model.js';
import { CallCounter, Route53Api } from './api.js';
import { planBatches, ROUTE53_BATCH_LIMITS, type BatchLimits } from './batches.js';
import { listZoneNames } from './list-zones.js';
import { isInZone } from './names.js';
import { listSetsAt, toCurrentRecordSet } from './read.js';
import { ownedSetIds, registryName } from './registry.js';
import { validateChanges } from './validate-changes.js';
import { waitForInsync, type InsyncPolling } from './wait-insync.js';
import { HostedZoneIds } from './zone-ids.js';

export interface Route53ProviderOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** The API's base URL (a stand-in in tests); the SDK's default endpoint when absent. */
  endpoint?: string;
  /** Default us-east-1 (Route53 is global; the region only scopes the signature). */
  region?: string;
  /** Skips the ListHostedZonesByName lookup; listZones() then lists this zone only. */
  hostedZoneId?: string;
  /** Default 5: Route53's documented five requests per second per account. */
  requestsPerSecond?: number;
  /** How long to wait for a change to be INSYNC (default every 2 s, at most 90 polls). */
  insync?: Partial<InsyncPolling>;
  /** Per-request limits used to split a ChangeBatch (default Route53's 1,000 values, 32,000 characters). */
  limits?: Partial<BatchLimits>;
  /** MaxItems per ListResourceRecordSets page (default 300, Route53's maximum). */
  listPageSize?: number;
}

/** Types we write and so look up in the registry; any other type is reported as foreign. */
const OWNABLE_TYPES = ['A', 'AAAA'];

export function createRoute53Provider(opts: Route53ProviderOptions): DnsProvider {
  const api = new Route53Api({
    accessKeyId: opts.accessKeyId,
    secretAccessKey: opts.secretAccessKey,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    region: opts.region ?? 'us-east-1',
    requestsPerSecond: opts.requestsPerSecond ?? 5,
  });
  const zoneIds = new HostedZoneIds(api, opts.hostedZoneId);
  const limits: BatchLimits = { ...ROUTE53_BATCH_LIMITS, ...opts.limits };
  const polling: InsyncPolling = { pollIntervalMs: 2000, maxPolls: 90, ...opts.insync };
  const pageSize = opts.listPageSize ?? 300;

  async function records(zone: string, names: string[]): Promise<CurrentRecordSet[]> {
    const z = normalizeName(zone);
    const wanted = [...new Set(names.map(normalizeName))];
    const outside = wanted.find((n) => !isInZone(n, z));
    if (outside !== undefined) throw new DnsProviderError(`route53: ${outside} is not in zone ${z}`, undefined, 'InvalidChange');
    const counter = new CallCounter();
    const zoneId = await zoneIds.get(z, counter);
    const out: CurrentRecordSet[] = [];
    for (const name of wanted) {
      const sets = await listSetsAt(api, zoneId, name, undefined, pageSize, counter);
      for (const type of OWNABLE_TYPES) {
        const ofType = sets.filter((s) => s.Type === type);
        if (ofType.length === 0) continue;
        const owned = ownedSetIds(await listSetsAt(api, zoneId, registryName(name, type), 'TXT', pageSize, counter));
        // Alias sets are never ours: we write none, and could not DELETE one from our model.
        for (const s of ofType) out.push(toCurrentRecordSet(s, !s.AliasTarget && owned.has(s.SetIdentifier ?? '')));
      }
      for (const s of sets) if (!OWNABLE_TYPES.includes(s.Type ?? '')) out.push(toCurrentRecordSet(s, false));
    }
    return out;
  }

  async function apply(zone: string, changes: Change[]): Promise<ApplyResult> {
    const z = normalizeName(zone);
    validateChanges(z, changes);
    const batches = planBatches(changes, limits);
    const counter = new CallCounter();
    if (batches.length === 0) return { calls: 0 };
    const zoneId = await zoneIds.get(z, counter);
    for (const [i, batch] of batches.entries()) {
      const comment = `managed-by=plane: batch ${i + 1}/${batches.length}`;
      try {
        const info = await api.changeRecordSets(zoneId, batch, comment, counter);
        // The next batch would meet PriorRequestNotComplete, and the caller expects the answer
        // to be live when apply returns: wait for INSYNC after every batch.
        await waitForInsync(api, info, polling, counter);
      } catch (e) {
        if (e instanceof DnsProviderError && batches.length > 1) {
          throw new DnsProviderError(`${e.message} (batch ${i + 1} of ${batches.length}; ${i} applied before it)`, e.status, e.code, e.retryAfterS);
        }
        throw e;
      }
    }
    return { calls: counter.n };
  }

  async function listZones(): Promise<ZoneListing> {
    const counter = new CallCounter();
    const zones = await listZoneNames(api, opts.hostedZoneId, counter);
    return { zones, calls: counter.n };
  }

  return { kind: 'route53', listZones, records, apply };
}
