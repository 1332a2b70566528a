// `dns` mode: one A/AAAA record per ready IP, marked by our comment, written through the batch
// endpoint (one transaction per batch request).
import type Cloudflare from 'cloudflare';
import type { Change, CurrentRecordSet } from '../../model.js';
import type { Calls } from './client.js';
import { splitBatches, toBatchOps } from './dns-batches.js';
import { readRecordsAt } from './dns-read.js';
import { assertInZone, assertOwnedOnly, assertWritableRecord } from './guards.js';
import type { ResolvedOptions } from './options.js';
import type { ZoneDirectory } from './zones.js';

export class DnsRecordsMode {
  constructor(
    private readonly client: Cloudflare,
    private readonly zones: ZoneDirectory,
    private readonly opts: ResolvedOptions,
  ) {}

  async records(zone: string, names: string[], calls: Calls): Promise<CurrentRecordSet[]> {
    if (names.length === 0) return [];
    const { id } = await this.zones.resolve(zone, calls);
    return readRecordsAt(this.client, id, names, this.opts.perPage, calls);
  }

  /**
   * More than `batchSize` record operations take several batch requests; each is atomic, the set
   * of them is not. If a later one fails, the earlier ones stay applied and the executor's next
   * read-plan-apply finishes the job (plans are idempotent).
   */
  async apply(zone: string, changes: Change[], calls: Calls): Promise<void> {
    assertOwnedOnly(changes);
    for (const c of changes) {
      if (c.action === 'delete') continue;
      assertInZone(c.after, zone);
      assertWritableRecord(c.after, this.opts.minTtl);
    }
    const batches = splitBatches(toBatchOps(changes), this.opts.batchSize);
    if (batches.length === 0) return;
    const { id } = await this.zones.resolve(zone, calls);
    for (const batch of batches) {
      await calls.one(() =>
        this.client.dns.records.batch({
          zone_id: id,
          ...(batch.deletes.length > 0 ? { deletes: batch.deletes } : {}),
          ...(batch.puts.length > 0 ? { puts: batch.puts } : {}),
          ...(batch.posts.length > 0 ? { posts: batch.posts } : {}),
        }),
      );
    }
  }
}
