// gtm/<service>.yaml: checks the schema cannot express, and normalization
// (short form -> long form, defaults, durations in ms).
import { DURATION_LIMITS, GTM_DEFAULTS, TTL_RANGES } from './defaults.js';
import { formatDuration } from './durations.js';
import {
  checkDeclaredName,
  checkDurationLimits,
  compact,
  durationMs,
  locationOf,
  nameLocation,
  oneOf,
  type FileContext,
} from './file-context.js';
import { canonicalDnsName, isWithinZone } from './names.js';
import { asBoolean, asInteger, asList, asMap, asNumber, asString, field, type RawMap } from './raw.js';
import type {
  CredentialsRef,
  DnsProviderName,
  DnsSpec,
  GtmDomainSpec,
  GtmRegionSpec,
  GtmSpec,
  HealthSpec,
  SourceLocation,
  WeightingSpec,
} from './types.js';

const PROVIDERS: readonly DnsProviderName[] = ['cloudflare', 'route53', 'alidns', 'powerdns'];

/** A domain as written, in either form, with the pointers of its parts. */
interface RawDomain {
  namePointer: string;
  name: string | undefined;
  failover: string | undefined;
  regionsPointer: string;
  regions: RawMap[];
}

function rawDomains(raw: RawMap): RawDomain[] {
  const list = asList(field(raw, 'domains'));
  const regionsOf = (value: RawMap[keyof RawMap] | undefined): RawMap[] =>
    (asList(value) ?? []).map((r) => asMap(r) ?? {});
  if (list !== undefined) {
    return list.map((d, i) => {
      const m = asMap(d);
      return {
        namePointer: `/domains/${i}/name`,
        name: asString(field(m, 'name')),
        failover: asString(field(m, 'failover')),
        regionsPointer: `/domains/${i}/regions`,
        regions: regionsOf(field(m, 'regions')),
      };
    });
  }
  if (field(raw, 'domain') === undefined) return [];
  return [
    {
      namePointer: '/domain',
      name: asString(field(raw, 'domain')),
      failover: asString(field(raw, 'failover')),
      regionsPointer: '/regions',
      regions: regionsOf(field(raw, 'regions')),
    },
  ];
}

export function checkGtm(raw: RawMap, ctx: FileContext): void {
  const { report } = ctx;
  checkDeclaredName(raw, 'service', 'service', ctx);
  checkDurationLimits(raw, DURATION_LIMITS.gtm, ctx);

  const dns = asMap(field(raw, 'dns'));
  const provider = PROVIDERS.find((p) => p === field(dns, 'provider'));
  const ttl = asInteger(field(dns, 'ttl'));
  if (provider !== undefined && ttl !== undefined && ttl >= 0 && !TTL_RANGES[provider].ok(ttl)) {
    report.error('/dns/ttl', `${ttl} is outside what ${provider} accepts: ${TTL_RANGES[provider].text}`);
  }

  // Extra: a probe must give up before the next one starts.
  const health = asMap(field(raw, 'health'));
  const interval = durationMs(field(health, 'interval'), GTM_DEFAULTS.health.interval);
  const timeout = durationMs(field(health, 'timeout'), GTM_DEFAULTS.health.timeout);
  if (timeout >= interval) {
    if (field(health, 'timeout') !== undefined) {
      report.error('/health/timeout', `${formatDuration(timeout)} must be shorter than health.interval (${formatDuration(interval)})`);
    } else {
      report.error('/health/interval', `${formatDuration(interval)} must be longer than health.timeout (${formatDuration(timeout)})`);
    }
  }

  const zoneText = asString(field(dns, 'zone'));
  const zone = zoneText === undefined ? undefined : canonicalDnsName(zoneText);
  const dnsMode = provider === 'cloudflare' ? (asString(field(dns, 'mode')) ?? GTM_DEFAULTS.mode) : undefined;
  const firstLineOf = new Map<string, number>();
  for (const domain of rawDomains(raw)) {
    if (domain.name !== undefined) {
      const name = canonicalDnsName(domain.name);
      const first = firstLineOf.get(name);
      if (first !== undefined) {
        report.error(domain.namePointer, `domain ${name} is declared twice in this file (first at line ${first})`);
      } else {
        firstLineOf.set(name, locationOf(ctx, domain.namePointer).line);
      }
      // Extra: an explicit zone must contain the domain.
      if (zone !== undefined && !isWithinZone(name, zone)) {
        report.error(domain.namePointer, `domain ${name} is not inside dns.zone ${zone}`);
      }
    }
    checkDomainRegions(domain, dnsMode, ctx);
  }
}

function checkDomainRegions(domain: RawDomain, cloudflareMode: string | undefined, ctx: FileContext): void {
  const label = domain.name === undefined ? 'this domain' : `domain ${canonicalDnsName(domain.name)}`;
  const seen = new Set<string>();
  const weights: Array<{ weight: number; pointer: string }> = [];
  domain.regions.forEach((region, j) => {
    const pointer = `${domain.regionsPointer}/${j}`;
    const name = asString(field(region, 'name'));
    if (name !== undefined) {
      if (seen.has(name)) ctx.report.error(`${pointer}/name`, `region ${name} is listed twice in ${label}`);
      seen.add(name);
    }
    const weightValue = field(region, 'weight');
    const weight = weightValue === undefined ? GTM_DEFAULTS.weight : asInteger(weightValue);
    if (weight !== undefined) weights.push({ weight, pointer: weightValue === undefined ? pointer : `${pointer}/weight` });
  });
  if (weights.length === 0 || weights.length !== domain.regions.length) return;
  if (weights.every((w) => w.weight === 0)) {
    ctx.report.warn(domain.namePointer, `every region of ${label} has weight 0: the domain gets no answers`);
  }
  if (cloudflareMode === 'dns') {
    const positive = weights.filter((w) => w.weight > 0);
    const differing = positive.find((w) => w.weight !== positive[0]?.weight);
    if (differing !== undefined) {
      ctx.report.warn(
        differing.pointer,
        `weights only decide in or out in dns mode: cloudflare mode dns publishes every ready IP alike (declared weights ${[...new Set(positive.map((w) => w.weight))].join(', ')}; use mode: load_balancer for shares)`,
      );
    }
  }
}

export interface Normalized<S> {
  name: string;
  spec: S;
  locations: Record<string, SourceLocation>;
}

/** Only called on a file without errors: every field has its schema type. */
export function normalizeGtm(raw: RawMap, ctx: FileContext): Normalized<GtmSpec> {
  const service = asString(field(raw, 'service')) ?? ctx.baseName;
  const locations: Record<string, SourceLocation> = { '/service': nameLocation(raw, 'service', ctx) };

  const domains = rawDomains(raw)
    .map((d) => ({ raw: d, spec: normalizeDomain(d) }))
    .sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
  domains.forEach(({ raw: d, spec }, i) => {
    locations[`/domains/${i}/name`] = locationOf(ctx, d.namePointer);
    spec.regions.forEach((region, j) => {
      const rawIndex = d.regions.findIndex((r) => field(r, 'name') === region.name);
      locations[`/domains/${i}/regions/${j}/name`] = locationOf(ctx, `${d.regionsPointer}/${rawIndex}/name`);
    });
  });

  const spec: GtmSpec = {
    service,
    dns: normalizeDns(asMap(field(raw, 'dns')) ?? {}),
    health: normalizeHealth(asMap(field(raw, 'health')) ?? {}),
    weighting: normalizeWeighting(asMap(field(raw, 'weighting')) ?? {}),
    domains: domains.map((d) => d.spec),
    suspend: asBoolean(field(raw, 'suspend')) ?? GTM_DEFAULTS.suspend,
  };
  return { name: service, spec, locations };
}

function normalizeDomain(d: RawDomain): GtmDomainSpec {
  const failover = oneOf(d.failover, ['weighted', 'priority'] as const, GTM_DEFAULTS.failover);
  const regions: GtmRegionSpec[] = d.regions.map((r) => ({
    name: asString(field(r, 'name')) ?? '',
    weight: asInteger(field(r, 'weight')) ?? GTM_DEFAULTS.weight,
    min_ready_nodes: asInteger(field(r, 'min_ready_nodes')) ?? GTM_DEFAULTS.min_ready_nodes,
    fallback: asBoolean(field(r, 'fallback')) ?? GTM_DEFAULTS.fallback,
  }));
  // Order carries meaning only for priority failover.
  if (failover === 'weighted') regions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name: canonicalDnsName(d.name ?? ''), failover, regions };
}

function normalizeCredentials(value: RawMap | undefined): CredentialsRef | undefined {
  if (value === undefined) return undefined;
  const env = asString(field(value, 'env'));
  if (env !== undefined) return { env };
  const file = asString(field(value, 'file'));
  return file !== undefined ? { file } : undefined;
}

function normalizeDns(dns: RawMap): DnsSpec {
  const zone = asString(field(dns, 'zone'));
  const common = {
    zone: zone === undefined ? undefined : canonicalDnsName(zone),
    ttl: asInteger(field(dns, 'ttl')) ?? GTM_DEFAULTS.ttl,
    credentials: normalizeCredentials(asMap(field(dns, 'credentials'))),
    drift_check_ms: durationMs(field(dns, 'drift_check'), GTM_DEFAULTS.drift_check),
  };
  const text = (key: string): string | undefined => asString(field(dns, key));
  const provider = oneOf(field(dns, 'provider'), PROVIDERS, 'powerdns');
  switch (provider) {
    case 'cloudflare':
      return compact({
        provider,
        ...common,
        mode: oneOf(field(dns, 'mode'), ['dns', 'load_balancer'] as const, GTM_DEFAULTS.mode),
        zone_id: text('zone_id'),
        account_id: text('account_id'),
        api_url: text('api_url'),
      });
    case 'route53':
      return compact({ provider, ...common, hosted_zone_id: text('hosted_zone_id'), endpoint: text('endpoint'), region: text('region') });
    case 'alidns':
      return compact({ provider, ...common, endpoint: text('endpoint') });
    case 'powerdns':
      return compact({ provider, ...common, api_url: text('api_url'), server_id: text('server_id') ?? GTM_DEFAULTS.server_id });
    default: {
      const unreachable: never = provider;
      throw new Error(`unknown provider ${String(unreachable)}`);
    }
  }
}

function normalizeHealth(h: RawMap): HealthSpec {
  const d = GTM_DEFAULTS.health;
  const common = {
    port: asInteger(field(h, 'port')) ?? d.port,
    interval_ms: durationMs(field(h, 'interval'), d.interval),
    timeout_ms: durationMs(field(h, 'timeout'), d.timeout),
    rise: asInteger(field(h, 'rise')) ?? d.rise,
    fall: asInteger(field(h, 'fall')) ?? d.fall,
    heartbeat_timeout_ms: durationMs(field(h, 'heartbeat_timeout'), d.heartbeat_timeout),
    window_ms: durationMs(field(h, 'window'), d.window),
    max_ejection_percent: asInteger(field(h, 'max_ejection_percent')) ?? d.max_ejection_percent,
    eject_error_rate_above: asNumber(field(h, 'eject_error_rate_above')) ?? d.eject_error_rate_above,
    eject_rtt_ms_above: asNumber(field(h, 'eject_rtt_ms_above')) ?? d.eject_rtt_ms_above,
  };
  const type = oneOf(field(h, 'type'), ['http', 'tcp'] as const, d.type);
  return type === 'http' ? { type, path: asString(field(h, 'path')) ?? d.path, ...common } : { type, ...common };
}

function normalizeWeighting(w: RawMap): WeightingSpec {
  const d = GTM_DEFAULTS.weighting;
  return {
    rtt_ms_above: asNumber(field(w, 'rtt_ms_above')) ?? d.rtt_ms_above,
    rtt_factor: asNumber(field(w, 'rtt_factor')) ?? d.rtt_factor,
    error_rate_above: asNumber(field(w, 'error_rate_above')) ?? d.error_rate_above,
    error_factor: asNumber(field(w, 'error_factor')) ?? d.error_factor,
    dead_band: asNumber(field(w, 'dead_band')) ?? d.dead_band,
  };
}
