// The alert for a domain whose zone could not be determined (dns.zone not declared and no zone of
// the provider holds it, or the provider's zones could not be listed). Nothing is decided for such
// a domain and its DNS is left as it is; this event says why. Pure.
import { envelope, sha256Hex } from '@plane/events';
import type { DomainState, GtmAlertEvent } from './types.js';

export interface ZoneAlertInput {
  service: string;
  domain: string;
  /** What went wrong, in words (the resolver's message). */
  message: string;
  /**
   * What identifies the problem while it lasts (the message without request ids and the like):
   * the same problem gives the same id, so two replicas, or a retried publish, record it once.
   */
  problem: string;
  /** The domain's decider state: its decision count keeps ids from repeating across its history. */
  state: DomainState;
  now: number;
  source: string;
}

/** `gtm:<domain>:<decisions so far>:zone_not_found:<hash of the problem>`. */
export function zoneAlertId(domain: string, state: DomainState, problem: string): string {
  return `gtm:${domain}:${state.decisions}:zone_not_found:${sha256Hex(problem).slice(0, 16)}`;
}

export function zoneNotFoundAlert(o: ZoneAlertInput): GtmAlertEvent {
  const message = `${o.domain}: ${o.message}; nothing is decided for it and its DNS is left as it is`;
  return envelope('GtmAlert', zoneAlertId(o.domain, o.state, o.problem), { service: o.service, domain: o.domain, kind: 'zone_not_found', message, clock: o.now, decision_id: null }, o.source, new Date(o.now));
}
