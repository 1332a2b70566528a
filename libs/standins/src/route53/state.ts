// The stand-in's memory: hosted zones, their record sets and submitted changes.
import { canonicalName, reversedName } from './names.js';

export interface StandInAliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** A record set as Route53 holds it (names canonical: lowercase, trailing dot, escapes). */
export interface StandInRecordSet {
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
  /** ResourceRecord values, in the order given. */
  values: string[];
  aliasTarget?: StandInAliasTarget;
  healthCheckId?: string;
}

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** Canonical. */
  name: string;
  privateZone: boolean;
  callerReference: string;
  sets: Map<string, StandInRecordSet>;
}

export interface ChangeRecord {
  /** Without the `/change/` prefix. */
  id: string;
  zoneId: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: string;
  comment?: string;
  /** GetChange calls still answering PENDING. */
  pollsUntilInsync: number;
}

export function setKey(s: Pick<StandInRecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${s.name}|${s.type}|${s.setIdentifier ?? ''}`;
}

/** Route53's listing order: reversed name, then type, then set identifier. */
export function compareSets(a: StandInRecordSet, b: StandInRecordSet): number {
  const keyA = [reversedName(a.name), a.type, a.setIdentifier ?? ''];
  const keyB = [reversedName(b.name), b.type, b.setIdentifier ?? ''];
  for (let i = 0; i < keyA.length; i++) {
    if (keyA[i]! < keyB[i]!) return -1;
    if (keyA[i]! > keyB[i]!) return 1;
  }
  return 0;
}

export function cloneSet(s: StandInRecordSet): StandInRecordSet {
  return { ...s, values: [...s.values], ...(s.aliasTarget ? { aliasTarget: { ...s.aliasTarget } } : {}) };
}

export function normalizeSet(s: StandInRecordSet): StandInRecordSet {
  const out = cloneSet(s);
  out.name = canonicalName(s.name);
  out.type = s.type.toUpperCase();
  if (out.aliasTarget) out.aliasTarget.dnsName = canonicalName(out.aliasTarget.dnsName);
  return out;
}

export class Route53State {
  readonly zones = new Map<string, HostedZone>();
  readonly changes = new Map<string, ChangeRecord>();
  private sequence = 0;

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(10, '0')}STANDIN`;
  }

  addZone(name: string, privateZone = false): HostedZone {
    const canonical = canonicalName(name);
    const zone: HostedZone = { id: this.nextId('Z'), name: canonical, privateZone, callerReference: `standin-${canonical}`, sets: new Map() };
    // Every real hosted zone starts with its SOA and NS record sets at the apex.
    const soa: StandInRecordSet = { name: canonical, type: 'SOA', ttl: 900, values: [`ns-1.awsdns-standin.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] };
    const ns: StandInRecordSet = { name: canonical, type: 'NS', ttl: 172800, values: ['ns-1.awsdns-standin.com.', 'ns-2.awsdns-standin.net.'] };
    zone.sets.set(setKey(soa), soa);
    zone.sets.set(setKey(ns), ns);
    this.zones.set(zone.id, zone);
    return zone;
  }

  zoneByName(name: string): HostedZone | undefined {
    const canonical = canonicalName(name);
    return [...this.zones.values()].find((z) => z.name === canonical);
  }

  /** Zones in ListHostedZonesByName order: reversed name, then id. */
  zonesInOrder(): HostedZone[] {
    return [...this.zones.values()].sort((a, b) => {
      const ra = reversedName(a.name);
      const rb = reversedName(b.name);
      return ra < rb ? -1 : ra > rb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  /** A zone's record sets in listing order. */
  setsInOrder(zone: HostedZone): StandInRecordSet[] {
    return [...zone.sets.values()].sort(compareSets);
  }

  pendingChange(zoneId: string): ChangeRecord | undefined {
    return [...this.changes.values()].find((c) => c.zoneId === zoneId && c.status === 'PENDING');
  }
}
