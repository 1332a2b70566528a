// The stand-in's in-memory account: zones, DNS records, load-balancing pools and load balancers.
import { randomBytes } from 'node:crypto';

export interface StandInZone {
  id: string;
  name: string;
  accountId: string;
}

export interface StandInDnsRecord {
  id: string;
  zoneId: string;
  /** FQDN, lowercase, no trailing dot. */
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
  createdOn: string;
  modifiedOn: string;
}

export interface StandInOrigin {
  name: string;
  address: string;
  enabled: boolean;
  weight: number;
}

export interface StandInPool {
  id: string;
  accountId: string;
  name: string;
  description: string;
  enabled: boolean;
  minimumOrigins: number;
  origins: StandInOrigin[];
  createdOn: string;
  modifiedOn: string;
}

export interface StandInLoadBalancer {
  id: string;
  zoneId: string;
  /** The hostname it answers for. */
  name: string;
  description: string;
  enabled: boolean;
  proxied: boolean;
  ttl: number;
  steeringPolicy: string;
  defaultPools: string[];
  fallbackPool: string;
  randomSteering: { pool_weights: Record<string, number>; default_weight?: number } | null;
  createdOn: string;
  modifiedOn: string;
}

/** Cloudflare ids are 32 lowercase hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function now(): string {
  return new Date().toISOString();
}

export class StandInState {
  readonly zones = new Map<string, StandInZone>();
  records = new Map<string, StandInDnsRecord>();
  readonly pools = new Map<string, StandInPool>();
  readonly loadBalancers = new Map<string, StandInLoadBalancer>();

  constructor(readonly accountId: string) {}

  addZone(name: string, id = newId()): StandInZone {
    const zone = { id, name: name.toLowerCase().replace(/\.$/, ''), accountId: this.accountId };
    this.zones.set(zone.id, zone);
    return zone;
  }

  zoneByName(name: string): StandInZone | undefined {
    const n = name.toLowerCase().replace(/\.$/, '');
    return [...this.zones.values()].find((z) => z.name === n);
  }

  recordsOfZone(zoneId: string): StandInDnsRecord[] {
    return [...this.records.values()].filter((r) => r.zoneId === zoneId);
  }
}
