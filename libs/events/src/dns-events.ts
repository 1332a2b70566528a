import type { EventEnvelope } from './envelope.js';

/** A record set in the provider's own model (see @plane/dns RecordSet); repeated here to keep events self-contained. */
export interface RecordSetData {
  name: string;
  type: string;
  setId: string;
  ttl: number;
  weight?: number;
  values: string[];
}

/** The provider settings a command carries: no secret, only the reference to one. */
export interface DnsTargetData {
  provider: 'powerdns' | 'route53' | 'cloudflare' | 'alidns';
  zone: string;
  /** The declaration's dns block (normalized), credentials by reference. */
  settings: Record<string, unknown>;
}

/** The full desired state of the names it touches, never a bare diff. */
export interface DnsApplyData extends DnsTargetData {
  service: string;
  domain: string;
  names: string[];
  record_sets: RecordSetData[];
  decision_id: string;
  /** Stream sequence of the decision: an older command never undoes a newer one. */
  decision_seq: number;
}

export type DnsOutcomeKind = 'applied' | 'noop' | 'failed' | 'retrying' | 'conflict' | 'superseded';

export interface DnsOutcomeData {
  service: string;
  domain: string;
  provider: string;
  zone: string;
  decision_id: string;
  decision_seq: number;
  outcome: DnsOutcomeKind;
  /** Human-readable changes applied (`+ api.svc.plus A [jp] 10.0.0.1 w=100 ttl=30`). */
  changes: string[];
  /** Provider API calls made. */
  calls: number;
  reason: string;
  attempt: number;
  /** Provider error details when it failed. */
  error: { status: number | null; code: string | null; message: string } | null;
}

export type DnsApply = EventEnvelope<'DnsApply', DnsApplyData>;
export type DnsOutcome = EventEnvelope<'DnsOutcome', DnsOutcomeData>;
