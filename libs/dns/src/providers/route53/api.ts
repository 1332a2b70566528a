// The Route53 calls the adapter makes, each paced by the token bucket, counted, and failing
// only with DnsProviderError. The SDK's own retries are off: the executor owns retrying.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change as Route53Change,
  type ChangeInfo,
  type HostedZone,
  type ListHostedZonesCommandOutput,
  type ListResourceRecordSetsCommandOutput,
  type RRType,
} from '@aws-sdk/client-route-53';
import { toDnsProviderError } from './errors.js';
import { TokenBucket } from '../../pacing.js';

/** Counts the HTTP calls of one records()/apply()/listZones() for ApplyResult.calls. */
export class CallCounter {
  n = 0;
}

export interface Route53ApiOptions {
  accessKeyId: string;
  secretAccessKey: string;
  endpoint?: string;
  region: string;
  requestsPerSecond: number;
}

export interface ListStart {
  name: string;
  type?: string;
  identifier?: string;
}

export class Route53Api {
  private readonly client: Route53Client;
  private readonly bucket: TokenBucket;

  constructor(opts: Route53ApiOptions) {
    this.client = new Route53Client({
      region: opts.region,
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      maxAttempts: 1,
    });
    this.bucket = new TokenBucket(opts.requestsPerSecond);
  }

  private async call<T>(operation: string, counter: CallCounter, send: () => Promise<T>): Promise<T> {
    await this.bucket.take();
    counter.n += 1;
    try {
      return await send();
    } catch (e) {
      throw toDnsProviderError(e, operation);
    }
  }

  async hostedZonesByName(dnsName: string, maxItems: number, counter: CallCounter): Promise<HostedZone[]> {
    const out = await this.call('ListHostedZonesByName', counter, () => this.client.send(new ListHostedZonesByNameCommand({ DNSName: dnsName, MaxItems: maxItems })));
    return out.HostedZones ?? [];
  }

  /** One page of ListHostedZones (every hosted zone of the account, public and private). */
  listHostedZones(marker: string | undefined, maxItems: number, counter: CallCounter): Promise<ListHostedZonesCommandOutput> {
    return this.call('ListHostedZones', counter, () => this.client.send(new ListHostedZonesCommand({ MaxItems: maxItems, ...(marker !== undefined ? { Marker: marker } : {}) })));
  }

  async getHostedZone(id: string, counter: CallCounter): Promise<HostedZone> {
    const out = await this.call('GetHostedZone', counter, () => this.client.send(new GetHostedZoneCommand({ Id: id })));
    if (!out.HostedZone) throw toDnsProviderError(new Error('response without HostedZone'), 'GetHostedZone');
    return out.HostedZone;
  }

  listRecordSets(zoneId: string, start: ListStart, maxItems: number, counter: CallCounter): Promise<ListResourceRecordSetsCommandOutput> {
    return this.call('ListResourceRecordSets', counter, () =>
      this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          ...(start.type !== undefined ? { StartRecordType: start.type as RRType } : {}),
          ...(start.identifier !== undefined ? { StartRecordIdentifier: start.identifier } : {}),
          MaxItems: maxItems,
        }),
      ),
    );
  }

  async changeRecordSets(zoneId: string, changes: Route53Change[], comment: string, counter: CallCounter): Promise<ChangeInfo> {
    const out = await this.call('ChangeResourceRecordSets', counter, () => this.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes } })));
    if (!out.ChangeInfo) throw toDnsProviderError(new Error('response without ChangeInfo'), 'ChangeResourceRecordSets');
    return out.ChangeInfo;
  }

  async getChange(id: string, counter: CallCounter): Promise<ChangeInfo> {
    const out = await this.call('GetChange', counter, () => this.client.send(new GetChangeCommand({ Id: id })));
    if (!out.ChangeInfo) throw toDnsProviderError(new Error('response without ChangeInfo'), 'GetChange');
    return out.ChangeInfo;
  }
}
