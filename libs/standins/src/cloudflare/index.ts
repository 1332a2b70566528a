// A local stand-in for Cloudflare's v4 API (DNS records, batch, load balancing) that the official
// `cloudflare` SDK talks to unmodified via `baseURL`. State lives in memory; tests read and seed
// it, read the request log, and inject failures.
import type { StandInConfig } from './context.js';
import { FailureQueue, type InjectedFailure } from './failures.js';
import { CLOUDFLARE_RATE_LIMIT, TokenRateLimiter, type RateLimit } from './rate-limit.js';
import { checkConflicts, FREE_PLAN_RULES, validateRecord, type RecordRules } from './record-rules.js';
import { listen, type StandInRequest } from './server.js';
import { newId, now, StandInState, type StandInDnsRecord, type StandInLoadBalancer, type StandInOrigin, type StandInPool, type StandInZone } from './state.js';

export type { InjectedFailure, RateLimit, RecordRules, StandInDnsRecord, StandInLoadBalancer, StandInOrigin, StandInPool, StandInRequest, StandInZone };
export { CLOUDFLARE_RATE_LIMIT, FREE_PLAN_RULES };
export { ERR as CLOUDFLARE_ERROR_CODES } from './codes.js';

export interface CloudflareStandInOptions {
  /** The one API token accepted (default `test-token`). */
  token?: string;
  /** Default: a generated 32-hex id. */
  accountId?: string;
  /** Zones to create (default `['example.com']`). */
  zones?: string[];
  /** Default: 1,200 requests per 5 minutes per token. */
  rateLimit?: RateLimit;
  /** Record operations per batch request (default 200, the Free plan's). */
  batchLimit?: number;
  /** Plan rules for records (default: Free plan — TTL >= 60, comments <= 100 chars, no tags). */
  rules?: Partial<RecordRules>;
  /** Largest page the DNS list serves (default 5,000); make it small to prove an adapter pages. */
  maxPerPage?: number;
}

export interface SeedDnsRecord {
  name: string;
  type: string;
  content: string;
  ttl?: number;
  proxied?: boolean;
  comment?: string | null;
  tags?: string[];
}

export interface SeedPool {
  name: string;
  description?: string;
  origins: Array<Partial<StandInOrigin> & { address: string }>;
}

export interface SeedLoadBalancer {
  name: string;
  description?: string;
  pools: string[];
  poolWeights?: Record<string, number>;
  ttl?: number;
}

export interface CloudflareStandIn {
  /** Base URL for the SDK's `baseURL` (…/client/v4). */
  readonly url: string;
  readonly token: string;
  readonly accountId: string;
  zoneId(zone: string): string;
  /** Adds a zone to the account, as if added in the dashboard; returns its id. */
  addZone(name: string): string;
  /** A copy of the zone's DNS records (all zones when omitted), sorted by name, type, content. */
  dnsRecords(zone?: string): StandInDnsRecord[];
  /** Adds a record as if made elsewhere (dashboard, another tool): same validation, any comment. */
  seedRecord(zone: string, record: SeedDnsRecord): StandInDnsRecord;
  pools(): StandInPool[];
  loadBalancers(zone?: string): StandInLoadBalancer[];
  seedPool(pool: SeedPool): StandInPool;
  seedLoadBalancer(zone: string, lb: SeedLoadBalancer): StandInLoadBalancer;
  /** Every request received, in order. */
  readonly requests: readonly StandInRequest[];
  /** Requests that were not reads (POST, PUT, PATCH, DELETE). */
  writes(): StandInRequest[];
  clearRequests(): void;
  /** The next `count` requests answer with this failure instead of being served. */
  failNext(count: number, failure: InjectedFailure): void;
  /** Forgets the rate limiter's counts (a new window for every token). */
  resetRateLimit(): void;
  stop(): Promise<void>;
}

export async function startCloudflareStandIn(opts: CloudflareStandInOptions = {}): Promise<CloudflareStandIn> {
  const token = opts.token ?? 'test-token';
  const state = new StandInState(opts.accountId ?? newId());
  for (const z of opts.zones ?? ['example.com']) state.addZone(z);
  const rules: RecordRules = { ...FREE_PLAN_RULES, ...opts.rules };
  const config: StandInConfig = { rules, pages: { defaultPerPage: 100, maxPerPage: opts.maxPerPage ?? 5000 }, batchLimit: opts.batchLimit ?? 200 };
  const limiter = new TokenRateLimiter(opts.rateLimit ?? CLOUDFLARE_RATE_LIMIT);
  const failures = new FailureQueue();
  const log: StandInRequest[] = [];
  const { server, url } = await listen({ state, config, token, limiter, failures, log });

  const zoneNamed = (name: string): StandInZone => {
    const zone = state.zoneByName(name);
    if (!zone) throw new Error(`stand-in has no zone ${name}`);
    return zone;
  };
  const sortRecords = (a: StandInDnsRecord, b: StandInDnsRecord) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.content.localeCompare(b.content);

  return {
    url,
    token,
    accountId: state.accountId,
    zoneId: (zone) => zoneNamed(zone).id,
    addZone: (name) => state.addZone(name).id,
    dnsRecords: (zone) =>
      [...state.records.values()]
        .filter((r) => zone === undefined || r.zoneId === zoneNamed(zone).id)
        .map((r) => ({ ...r, tags: [...r.tags] }))
        .sort(sortRecords),
    seedRecord(zoneName, record) {
      const zone = zoneNamed(zoneName);
      const fields = validateRecord(zone, { ...record }, { ...rules, allowTags: true, commentMaxLength: 500 });
      checkConflicts(fields, undefined, state.recordsOfZone(zone.id));
      const t = now();
      const stored: StandInDnsRecord = { ...fields, id: newId(), zoneId: zone.id, createdOn: t, modifiedOn: t };
      state.records.set(stored.id, stored);
      return { ...stored };
    },
    pools: () => [...state.pools.values()].map((p) => ({ ...p, origins: p.origins.map((o) => ({ ...o })) })),
    loadBalancers: (zone) =>
      [...state.loadBalancers.values()]
        .filter((lb) => zone === undefined || lb.zoneId === zoneNamed(zone).id)
        .map((lb) => ({ ...lb, defaultPools: [...lb.defaultPools], randomSteering: lb.randomSteering ? { ...lb.randomSteering, pool_weights: { ...lb.randomSteering.pool_weights } } : null })),
    seedPool(pool) {
      const t = now();
      const stored: StandInPool = {
        id: newId(),
        accountId: state.accountId,
        name: pool.name,
        description: pool.description ?? '',
        enabled: true,
        minimumOrigins: 1,
        origins: pool.origins.map((o) => ({ name: o.name ?? o.address, address: o.address, enabled: o.enabled ?? true, weight: o.weight ?? 1 })),
        createdOn: t,
        modifiedOn: t,
      };
      state.pools.set(stored.id, stored);
      return { ...stored };
    },
    seedLoadBalancer(zoneName, lb) {
      const zone = zoneNamed(zoneName);
      const t = now();
      const stored: StandInLoadBalancer = {
        id: newId(),
        zoneId: zone.id,
        name: lb.name,
        description: lb.description ?? '',
        enabled: true,
        proxied: false,
        ttl: lb.ttl ?? 30,
        steeringPolicy: lb.poolWeights ? 'random' : 'off',
        defaultPools: [...lb.pools],
        fallbackPool: lb.pools[0]!,
        randomSteering: lb.poolWeights ? { pool_weights: { ...lb.poolWeights } } : null,
        createdOn: t,
        modifiedOn: t,
      };
      state.loadBalancers.set(stored.id, stored);
      return { ...stored };
    },
    requests: log,
    writes: () => log.filter((r) => r.method !== 'GET'),
    clearRequests: () => {
      log.length = 0;
    },
    failNext: (count, failure) => failures.push(count, failure),
    resetRateLimit: () => limiter.reset(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
