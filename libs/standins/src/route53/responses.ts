// Response bodies in Route53's restXml shapes, as the SDK's deserializer reads them.
import { document, element, textElement } from './xml-writer.js';
import type { ChangeRecord, HostedZone, StandInRecordSet } from './state.js';

export function errorBody(type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return document('ErrorResponse', element('Error', textElement('Type', type), textElement('Code', code), textElement('Message', message)), textElement('RequestId', requestId));
}

export function recordSetXml(s: StandInRecordSet): string {
  return element(
    'ResourceRecordSet',
    textElement('Name', s.name),
    textElement('Type', s.type),
    textElement('SetIdentifier', s.setIdentifier),
    textElement('Weight', s.weight),
    textElement('TTL', s.ttl),
    s.values.length > 0 ? element('ResourceRecords', ...s.values.map((v) => element('ResourceRecord', textElement('Value', v)))) : '',
    s.aliasTarget
      ? element('AliasTarget', textElement('HostedZoneId', s.aliasTarget.hostedZoneId), textElement('DNSName', s.aliasTarget.dnsName), textElement('EvaluateTargetHealth', s.aliasTarget.evaluateTargetHealth))
      : '',
    textElement('HealthCheckId', s.healthCheckId),
  );
}

export interface RecordSetPage {
  sets: StandInRecordSet[];
  maxItems: number;
  next?: StandInRecordSet;
}

export function listRecordSetsBody(page: RecordSetPage): string {
  return document(
    'ListResourceRecordSetsResponse',
    element('ResourceRecordSets', ...page.sets.map(recordSetXml)),
    textElement('IsTruncated', page.next !== undefined),
    textElement('MaxItems', page.maxItems),
    textElement('NextRecordName', page.next?.name),
    textElement('NextRecordType', page.next?.type),
    textElement('NextRecordIdentifier', page.next?.setIdentifier),
  );
}

function changeInfoXml(c: ChangeRecord): string {
  return element('ChangeInfo', textElement('Id', `/change/${c.id}`), textElement('Status', c.status), textElement('SubmittedAt', c.submittedAt), textElement('Comment', c.comment));
}

export function changeResponseBody(root: 'ChangeResourceRecordSetsResponse' | 'GetChangeResponse', c: ChangeRecord): string {
  return document(root, changeInfoXml(c));
}

function hostedZoneXml(z: HostedZone): string {
  return element(
    'HostedZone',
    textElement('Id', `/hostedzone/${z.id}`),
    textElement('Name', z.name),
    textElement('CallerReference', z.callerReference),
    element('Config', textElement('PrivateZone', z.privateZone)),
    textElement('ResourceRecordSetCount', z.sets.size),
  );
}

export interface HostedZonePage {
  zones: HostedZone[];
  maxItems: number;
  dnsName?: string;
  hostedZoneId?: string;
  next?: HostedZone;
}

export function listHostedZonesByNameBody(page: HostedZonePage): string {
  return document(
    'ListHostedZonesByNameResponse',
    element('HostedZones', ...page.zones.map(hostedZoneXml)),
    textElement('DNSName', page.dnsName),
    textElement('HostedZoneId', page.hostedZoneId),
    textElement('IsTruncated', page.next !== undefined),
    textElement('NextDNSName', page.next?.name),
    textElement('NextHostedZoneId', page.next?.id),
    textElement('MaxItems', page.maxItems),
  );
}

export interface ListHostedZonesPage {
  zones: HostedZone[];
  maxItems: number;
  marker?: string;
  next?: HostedZone;
}

export function listHostedZonesBody(page: ListHostedZonesPage): string {
  return document(
    'ListHostedZonesResponse',
    element('HostedZones', ...page.zones.map(hostedZoneXml)),
    textElement('Marker', page.marker),
    textElement('IsTruncated', page.next !== undefined),
    textElement('NextMarker', page.next?.id),
    textElement('MaxItems', page.maxItems),
  );
}

/** The stand-in's name servers, as its SOA and NS sets name them. */
const NAME_SERVERS = ['ns-1.awsdns-standin.com', 'ns-2.awsdns-standin.net'];

export function getHostedZoneBody(z: HostedZone): string {
  return document(
    'GetHostedZoneResponse',
    hostedZoneXml(z),
    z.privateZone ? element('VPCs', element('VPC', textElement('VPCRegion', 'us-east-1'), textElement('VPCId', 'vpc-standin'))) : element('DelegationSet', element('NameServers', ...NAME_SERVERS.map((n) => textElement('NameServer', n)))),
  );
}
