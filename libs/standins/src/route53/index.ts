// A local stand-in for the Route53 API (restXml, 2013-04-01) that the official
// @aws-sdk/client-route-53 talks to unmodified through its `endpoint` option.
import { ROUTE53_LIMITS, type Route53Limits } from './check-change-batch.js';
import type { HandlerSettings } from './handlers.js';
import { canonicalName } from './names.js';
import { listen, type InjectedFailure, type Route53Action, type ServerContext, type StandInRequest } from './server.js';
import { cloneSet, normalizeSet, Route53State, setKey, type ChangeRecord, type StandInRecordSet } from './state.js';

export type { InjectedFailure, Route53Action, StandInRequest, StandInRecordSet, ChangeRecord, Route53Limits };
export { ROUTE53_LIMITS };

export interface Route53StandInOptions {
  /** Public hosted zones to create (default ['example.com']). */
  zones?: string[];
  /** When set, requests signed with another access key id answer 403 InvalidClientTokenId. */
  accessKeyId?: string;
  /** Largest ListResourceRecordSets page (Route53: 300); lower it to exercise paging. */
  maxItemsCap?: number;
  /** GetChange calls that still answer PENDING before INSYNC (default 0: the first poll sees INSYNC). */
  pendingPolls?: number;
  /** Refuse ChangeResourceRecordSets with PriorRequestNotComplete while a change of the zone is PENDING. */
  rejectChangesWhilePending?: boolean;
  limits?: Partial<Route53Limits>;
}

export interface Route53StandIn {
  /** Base URL for the SDK's `endpoint` option. */
  readonly url: string;
  /** Settings that tests may change while the stand-in runs. */
  readonly settings: HandlerSettings;
  stop(): Promise<void>;
  /** Creates a hosted zone (with its SOA and NS sets); returns its id (no /hostedzone/ prefix). */
  addZone(name: string, opts?: { privateZone?: boolean }): string;
  zoneId(zone: string): string;
  /** The zone's record sets in listing order (copies). */
  recordSets(zone: string): StandInRecordSet[];
  /** Puts sets into a zone as they are, bypassing the rules: how tests plant foreign records. */
  seed(zone: string, ...sets: StandInRecordSet[]): void;
  /** Every request served so far, in order. */
  readonly requests: readonly StandInRequest[];
  clearRequests(): void;
  /** The next `count` requests (of `failure.action`, when given) fail with this error. */
  failNext(count: number, failure: InjectedFailure): void;
  change(id: string): ChangeRecord | undefined;
}

export async function startRoute53StandIn(opts: Route53StandInOptions = {}): Promise<Route53StandIn> {
  const state = new Route53State();
  for (const zone of opts.zones ?? ['example.com']) state.addZone(zone);
  const ctx: ServerContext = {
    state,
    settings: {
      limits: { ...ROUTE53_LIMITS, ...opts.limits },
      maxItemsCap: opts.maxItemsCap ?? 300,
      pendingPolls: opts.pendingPolls ?? 0,
      rejectChangesWhilePending: opts.rejectChangesWhilePending ?? false,
    },
    log: [],
    failures: [],
    ...(opts.accessKeyId !== undefined ? { accessKeyId: opts.accessKeyId } : {}),
  };
  const { server, url } = await listen(ctx);
  const zoneOf = (name: string) => {
    const zone = state.zoneByName(name);
    if (!zone) throw new Error(`stand-in has no zone ${canonicalName(name)}`);
    return zone;
  };
  return {
    url,
    settings: ctx.settings,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    addZone: (name, o = {}) => state.addZone(name, o.privateZone ?? false).id,
    zoneId: (zone) => zoneOf(zone).id,
    recordSets: (zone) => state.setsInOrder(zoneOf(zone)).map(cloneSet),
    seed: (zone, ...sets) => {
      const z = zoneOf(zone);
      for (const s of sets.map(normalizeSet)) z.sets.set(setKey(s), s);
    },
    get requests() {
      return ctx.log;
    },
    clearRequests: () => {
      ctx.log.length = 0;
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i++) ctx.failures.push({ ...failure });
    },
    change: (id) => state.changes.get(id.replace(/^\/change\//, '')),
  };
}
