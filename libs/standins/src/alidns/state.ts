// The stand-in's memory: hosted domains, their records, and the weighted-round-robin switch per
// (domain, host record, type, line).

export interface StandInRecord {
  RecordId: string;
  DomainName: string;
  /** Host record relative to the domain; '@' is the apex. */
  RR: string;
  Type: string;
  Value: string;
  TTL: number;
  Line: string;
  Status: 'ENABLE' | 'DISABLE';
  Locked: boolean;
  /** Weighted round robin weight; AliDNS starts every record at 1 (ratio 1:1). */
  Weight: number;
  Remark?: string;
  Priority?: number;
}

/** What a test may seed: a record as someone else (or we) created it. */
export type SeedRecord = Pick<StandInRecord, 'DomainName' | 'RR' | 'Type' | 'Value'> & Partial<Omit<StandInRecord, 'RecordId'>>;

export function slbKey(domain: string, rr: string, type: string, line: string): string {
  return `${domain}|${rr}|${type}|${line}`;
}

export class AlidnsState {
  /** Hosted domains, in the order they were added. */
  readonly domains = new Set<string>();
  /** When each domain was added (ms), for DescribeDomains' CreateTime and order. */
  readonly created = new Map<string, number>();
  readonly records = new Map<string, StandInRecord>();
  /** Weighted round robin on/off; absent = never configured (off). */
  readonly slb = new Map<string, boolean>();
  private nextId = 1_000_000_001;

  constructor(domains: string[]) {
    for (const d of domains) this.addDomain(d);
  }

  addDomain(name: string): string {
    const domain = name.toLowerCase().replace(/\.$/, '');
    if (!this.domains.has(domain)) {
      this.domains.add(domain);
      this.created.set(domain, Date.now());
    }
    return domain;
  }

  newRecordId(): string {
    return String(this.nextId++);
  }

  insert(seed: SeedRecord): StandInRecord {
    const domain = this.addDomain(seed.DomainName);
    const record: StandInRecord = {
      TTL: 600,
      Line: 'default',
      Status: 'ENABLE',
      Locked: false,
      Weight: 1,
      ...seed,
      DomainName: domain,
      RR: seed.RR.toLowerCase(),
      Type: seed.Type.toUpperCase(),
      RecordId: this.newRecordId(),
    };
    this.records.set(record.RecordId, record);
    return record;
  }

  inDomain(domain: string): StandInRecord[] {
    return [...this.records.values()].filter((r) => r.DomainName === domain);
  }

  /** Enabled records that share one weighting switch. */
  weightGroup(domain: string, rr: string, type: string, line: string): StandInRecord[] {
    return [...this.records.values()].filter(
      (r) => r.DomainName === domain && r.RR === rr && r.Type === type && r.Line === line && r.Status === 'ENABLE',
    );
  }

  slbOpen(domain: string, rr: string, type: string, line: string): boolean {
    return this.slb.get(slbKey(domain, rr, type, line)) === true;
  }
}
