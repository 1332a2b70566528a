// The PowerDNS Authoritative adapter: reads RRsets by name, writes a zone's changes in one PATCH.
// PowerDNS is self-hosted and documents no API rate limit, so calls are not paced here.
import { DnsProviderError, normalizeName, zoneNames, type ApplyResult, type Change, type CurrentRecordSet, type DnsProvider, type ZoneListing } from '../../model.js';
import { PdnsApi, type PdnsRrsetChange } from './api.js';
import { toPatch } from './patch.js';
import { toRecordSets } from './records.js';

export interface PowerDnsProviderOptions {
  /** The webserver's base URL, e.g. http://pdns.internal:8081 (a trailing /api/v1 is accepted). */
  apiUrl: string;
  /** The `api-key` of pdns.conf. */
  apiKey: string;
  /** Default 'localhost', the only server id PowerDNS Authoritative has. */
  serverId?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /**
   * Before writing, re-read the touched names and refuse if an RRset about to be replaced or
   * deleted lacks our marker (a create cannot say "only if absent" in PowerDNS's API). Costs one
   * GET per name; default true.
   */
  verifyOwnershipBeforeWrite?: boolean;
  /** For tests (counting calls); default the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export function createPowerDnsProvider(opts: PowerDnsProviderOptions): DnsProvider {
  const api = new PdnsApi({
    apiUrl: opts.apiUrl,
    apiKey: opts.apiKey,
    serverId: opts.serverId ?? 'localhost',
    timeoutMs: opts.timeoutMs ?? 10_000,
    fetch: opts.fetch ?? globalThis.fetch,
  });
  const verify = opts.verifyOwnershipBeforeWrite ?? true;

  const read = async (zone: string, names: string[]): Promise<CurrentRecordSet[]> => {
    const out: CurrentRecordSet[] = [];
    for (const name of [...new Set(names.map(normalizeName))].sort()) {
      out.push(...toRecordSets(await api.rrsetsAt(zone, `${name}.`), name));
    }
    return out;
  };

  const refuseForeign = (patch: PdnsRrsetChange[], current: CurrentRecordSet[]): void => {
    for (const p of patch) {
      const there = current.find((c) => `${c.name}.` === p.name && c.type === p.type);
      if (there && !there.owned) {
        throw new DnsProviderError(`PowerDNS: refusing to ${p.changetype} ${p.name} ${p.type}: it exists without our ownership comment`, undefined, 'InvalidChange');
      }
    }
  };

  return {
    kind: 'powerdns',
    async listZones(): Promise<ZoneListing> {
      return { zones: zoneNames((await api.zones()).map((z) => z.name)), calls: 1 };
    },
    records: read,
    async apply(zone: string, changes: Change[]): Promise<ApplyResult> {
      const patch = toPatch(zone, changes);
      if (patch.length === 0) return { calls: 0 };
      let calls = 0;
      if (verify) {
        const names = [...new Set(patch.map((p) => normalizeName(p.name)))];
        refuseForeign(patch, await read(zone, names));
        calls += names.length;
      }
      await api.patchRrsets(zone, patch);
      return { calls: calls + 1 };
    },
  };
}
