// The zone of each declared domain, for the reconciler: the declared dns.zone, or the provider's
// longest-suffix zone (ZoneResolver). A domain whose zone cannot be determined is skipped for the
// pass (nothing decided, its DNS left as it is) while the other domains go on; the problem is
// logged and recorded as a GtmAlert `zone_not_found` when it starts or changes, not every pass.
// It also remembers the zone each domain went to, so a domain whose zone changes (a more specific
// zone created at the provider) is commanded into its new zone.
import { publishEvent, type Plane } from '@plane/backbone';
import type { GtmSpec } from '@plane/declarations';
import { describeProvider, DnsProviderError, ZoneNotFoundError, type ZoneResolver } from '@plane/dns';
import { subjects, type EventEnvelope } from '@plane/events';
import { zoneNotFoundAlert, type DomainState } from '@plane/gtm';
import type { Logger } from '@plane/runtime';

export interface DomainZonesOptions {
  plane: Plane;
  log: Logger;
  resolver: ZoneResolver;
  source: string;
  onAlert?: (e: EventEnvelope) => void;
}

/** What identifies a problem while it lasts: not the message (it may carry request ids). */
function problemOf(err: unknown, spec: GtmSpec): string {
  if (err instanceof ZoneNotFoundError) return `not_found ${err.provider}: ${err.zones.join(',')}`;
  if (err instanceof DnsProviderError) return `listing_failed ${describeProvider(spec.dns)}: ${err.status ?? ''} ${err.code ?? ''}`;
  return `error ${describeProvider(spec.dns)}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
}

export class DomainZones {
  /** Domains whose zone could not be determined, with the problem last recorded for each. */
  private readonly recorded = new Map<string, string>();
  /** The zone each domain was last found in (seeded with the zones its records were applied to). */
  private readonly last = new Map<string, { zone: string; seq: number }>();

  constructor(private readonly opts: DomainZonesOptions) {}

  /** The zones the domains' records were last applied to (the `dns` bucket); the newest wins. */
  seed(applied: Iterable<{ name: string; zone: string; decision_seq: number }>): void {
    for (const e of applied) {
      const have = this.last.get(e.name);
      if (!have || e.decision_seq > have.seq) this.last.set(e.name, { zone: e.zone, seq: e.decision_seq });
    }
  }

  /** Records `zone` as the domain's zone; true when it had been found (or applied) in another one. */
  moved(domain: string, zone: string): boolean {
    const had = this.last.get(domain);
    if (had?.zone === zone) return false;
    this.last.set(domain, { zone, seq: had?.seq ?? 0 });
    if (had === undefined) return false;
    this.opts.log.warn({ domain, from: had.zone, to: zone }, `${domain}: its zone is now ${zone} (was ${had.zone}): its records go to ${zone}; those left in ${had.zone} are not removed`);
    return true;
  }

  /** The domain's zone, or undefined when it cannot be determined now (recorded as said above). */
  async zoneOf(spec: GtmSpec, domain: string, state: DomainState, now: number): Promise<string | undefined> {
    const { log } = this.opts;
    try {
      const zone = await this.opts.resolver.zoneOf(spec.dns, domain);
      if (this.recorded.delete(domain)) log.info({ domain, zone, provider: spec.dns.provider }, `${domain}: zone found: ${zone}`);
      return zone;
    } catch (err) {
      const problem = problemOf(err, spec);
      if (this.recorded.get(domain) === problem) return undefined;
      const message = err instanceof Error ? err.message : String(err);
      const alert = zoneNotFoundAlert({ service: spec.service, domain, message, problem, state, now, source: this.opts.source });
      log.error({ event: alert.id, domain, provider: spec.dns.provider }, alert.data.message);
      try {
        await publishEvent(this.opts.plane.js, subjects.gtmAlert(domain), alert);
        this.opts.onAlert?.(alert);
        this.recorded.set(domain, problem);
      } catch (pubErr) {
        // Not recorded: tried again at the next pass (the alert id makes a retry record it once).
        log.warn({ domain, err: String(pubErr) }, `${domain}: the zone_not_found alert could not be recorded; retried at the next pass`);
      }
      return undefined;
    }
  }

  /** Domains currently skipped for want of a zone. */
  unresolved(): string[] {
    return [...this.recorded.keys()];
  }
}
