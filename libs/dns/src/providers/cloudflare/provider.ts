// The Cloudflare DnsProvider: one SDK client and zone directory, and the mode's reader/writer.
import type { ApplyResult, Change, CurrentRecordSet, DnsProvider, ZoneListing } from '../../model.js';
import { Calls, createClient } from './client.js';
import { DnsRecordsMode } from './dns-mode.js';
import { LoadBalancerMode } from './lb-mode.js';
import { resolveOptions, type CloudflareProviderOptions } from './options.js';
import { ZoneDirectory } from './zones.js';

export function createCloudflareProvider(options: CloudflareProviderOptions): DnsProvider {
  const opts = resolveOptions(options);
  const client = createClient(opts);
  const zones = new ZoneDirectory(client, opts);
  const dns = new DnsRecordsMode(client, zones, opts);
  const mode = opts.mode === 'load_balancer' ? new LoadBalancerMode(client, zones, opts, dns) : dns;
  return {
    kind: 'cloudflare',
    async listZones(): Promise<ZoneListing> {
      const calls = new Calls();
      const names = await zones.listNames(calls);
      return { zones: names, calls: calls.count };
    },
    records(zone: string, names: string[]): Promise<CurrentRecordSet[]> {
      return mode.records(zone, names, new Calls());
    },
    async apply(zone: string, changes: Change[]): Promise<ApplyResult> {
      const calls = new Calls();
      await mode.apply(zone, changes, calls);
      return { calls: calls.count };
    },
  };
}
