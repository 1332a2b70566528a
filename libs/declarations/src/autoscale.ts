// autoscale/<service>.yaml: checks the schema cannot express, and
// normalization (defaults, durations in ms, regions as a sorted list).
import { AUTOSCALE_DEFAULTS, DURATION_LIMITS, defaultNodePool } from './defaults.js';
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
import type { Normalized } from './gtm.js';
import { childPointer } from './positions.js';
import { asBoolean, asInteger, asMap, asNumber, asString, field, type RawMap } from './raw.js';
import type { AutoscaleRegionSpec, AutoscaleSpec, GitSpec, SourceLocation } from './types.js';

const SIGNALS = ['cpu', 'ram', 'qps'] as const;

function regionEntries(raw: RawMap): Array<[string, RawMap | undefined]> {
  const regions = asMap(field(raw, 'regions'));
  return regions === undefined ? [] : Object.keys(regions).map((name) => [name, asMap(field(regions, name))]);
}

export function checkAutoscale(raw: RawMap, ctx: FileContext): void {
  const { report } = ctx;
  checkDeclaredName(raw, 'service', 'service', ctx);
  checkDurationLimits(raw, DURATION_LIMITS.autoscale, ctx);

  const global = asMap(field(raw, 'global'));
  if (field(raw, 'window') !== undefined && field(global, 'cpu_window') !== undefined) {
    report.error('/global/cpu_window', 'give either window or global.cpu_window (another name for it), not both');
  }

  let sumMin = 0;
  let sumMax = 0;
  let complete = true;
  const entries = regionEntries(raw);
  for (const [name, region] of entries) {
    const base = childPointer('/regions', name);
    const min = asInteger(field(region, 'min_nodes'));
    const max = asInteger(field(region, 'max_nodes'));
    if (min !== undefined && max !== undefined && min > max) {
      report.error(`${base}/min_nodes`, `${min} is more than max_nodes ${max}`);
    }
    if (min === undefined || max === undefined) complete = false;
    sumMin += min ?? 0;
    sumMax += max ?? 0;
    for (const signal of SIGNALS) {
      const up = asNumber(field(region, `scale_up_${signal}`));
      const down = asNumber(field(region, `scale_down_${signal}`));
      if (up !== undefined && down !== undefined && down >= up) {
        report.error(`${base}/scale_down_${signal}`, `${down} must be below scale_up_${signal} ${up}`);
      }
    }
  }

  const gMinNodes = asInteger(field(global, 'min_nodes'));
  const gMaxNodes = asInteger(field(global, 'max_nodes'));
  const gMinRegions = asInteger(field(global, 'min_regions'));
  const gMaxRegions = asInteger(field(global, 'max_regions'));
  if (gMinNodes !== undefined && gMaxNodes !== undefined && gMinNodes > gMaxNodes) {
    report.error('/global/min_nodes', `${gMinNodes} is more than global.max_nodes ${gMaxNodes}`);
  }
  if (gMinRegions !== undefined && gMaxRegions !== undefined && gMinRegions > gMaxRegions) {
    report.error('/global/min_regions', `${gMinRegions} is more than global.max_regions ${gMaxRegions}`);
  }
  // Extra: global bounds the regions can never meet, or that contradict them.
  if (complete && entries.length > 0) {
    if (gMinRegions !== undefined && gMinRegions > entries.length) {
      report.error('/global/min_regions', `${gMinRegions} is more than the ${entries.length} region(s) declared`);
    }
    if (gMinNodes !== undefined && gMinNodes > sumMax) {
      report.error('/global/min_nodes', `${gMinNodes} can never be met: the regions' max_nodes add up to ${sumMax}`);
    }
    if (gMaxNodes !== undefined && gMaxNodes < sumMin) {
      report.error('/global/max_nodes', `${gMaxNodes} is below the regions' min_nodes, which add up to ${sumMin}`);
    }
    if (gMaxNodes !== undefined) {
      for (const [name, region] of entries) {
        const max = asInteger(field(region, 'max_nodes'));
        if (max !== undefined && max > gMaxNodes) {
          report.warn(`${childPointer('/regions', name)}/max_nodes`, `${max} is above global.max_nodes ${gMaxNodes}, which caps it`);
        }
      }
    }
  }

}

/** Only called on a file without errors: every field has its schema type. */
export function normalizeAutoscale(raw: RawMap, ctx: FileContext): Normalized<AutoscaleSpec> {
  const service = asString(field(raw, 'service')) ?? ctx.baseName;
  const locations: Record<string, SourceLocation> = { '/service': nameLocation(raw, 'service', ctx) };
  const entries = regionEntries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const regions = entries.map(([name, r], i): AutoscaleRegionSpec => {
    const base = childPointer('/regions', name);
    const declaredPool = asString(field(r, 'node_pool'));
    locations[`/regions/${i}/name`] = locationOf(ctx, base, 'key');
    locations[`/regions/${i}/node_pool`] =
      declaredPool !== undefined ? locationOf(ctx, `${base}/node_pool`) : locationOf(ctx, base, 'key');
    const num = (key: string): number | undefined => asNumber(field(r, key));
    return compact({
      name,
      min_nodes: asInteger(field(r, 'min_nodes')) ?? 0,
      max_nodes: asInteger(field(r, 'max_nodes')) ?? 0,
      scale_up_cpu: num('scale_up_cpu'),
      scale_down_cpu: num('scale_down_cpu'),
      scale_up_ram: num('scale_up_ram'),
      scale_down_ram: num('scale_down_ram'),
      scale_up_qps: num('scale_up_qps'),
      scale_down_qps: num('scale_down_qps'),
      scale_up_step: asInteger(field(r, 'scale_up_step')) ?? AUTOSCALE_DEFAULTS.scale_up_step,
      scale_down_step: asInteger(field(r, 'scale_down_step')) ?? AUTOSCALE_DEFAULTS.scale_down_step,
      cost: num('cost') ?? AUTOSCALE_DEFAULTS.cost,
      node_pool: declaredPool ?? defaultNodePool(name),
      node_pool_source: declaredPool !== undefined ? 'declared' : 'default',
    });
  });

  const global = asMap(field(raw, 'global'));
  const minRegions = asInteger(field(global, 'min_regions')) ?? AUTOSCALE_DEFAULTS.min_regions;
  const sumMin = regions.reduce((s, r) => s + r.min_nodes, 0);
  const sumMax = regions.reduce((s, r) => s + r.max_nodes, 0);
  const maxNodes = asInteger(field(global, 'max_nodes')) ?? sumMax;
  const git = asMap(field(raw, 'git'));
  const gitSpec: GitSpec = compact({
    mode: oneOf(field(git, 'mode'), ['push', 'pull_request'] as const, AUTOSCALE_DEFAULTS.git_mode),
    branch: asString(field(git, 'branch')),
    repository: asString(field(git, 'repository')),
    auto_merge: asBoolean(field(git, 'auto_merge')) ?? AUTOSCALE_DEFAULTS.auto_merge,
  });
  const window = field(raw, 'window') ?? field(global, 'cpu_window');
  const spec: AutoscaleSpec = {
    service,
    window_ms: durationMs(window, AUTOSCALE_DEFAULTS.window),
    cooldown_ms: durationMs(field(raw, 'cooldown'), AUTOSCALE_DEFAULTS.cooldown),
    scale_down_stabilization_ms: durationMs(field(raw, 'scale_down_stabilization'), AUTOSCALE_DEFAULTS.scale_down_stabilization),
    provision_timeout_ms: durationMs(field(raw, 'provision_timeout'), AUTOSCALE_DEFAULTS.provision_timeout),
    warmup_ms: durationMs(field(raw, 'warmup'), AUTOSCALE_DEFAULTS.warmup),
    drain_ms: durationMs(field(raw, 'drain'), AUTOSCALE_DEFAULTS.drain),
    global: {
      min_regions: minRegions,
      max_regions: asInteger(field(global, 'max_regions')) ?? regions.length,
      min_nodes: asInteger(field(global, 'min_nodes')) ?? Math.min(Math.max(sumMin, minRegions), maxNodes),
      max_nodes: maxNodes,
    },
    regions,
    git: gitSpec,
    suspend: asBoolean(field(raw, 'suspend')) ?? AUTOSCALE_DEFAULTS.suspend,
  };
  return { name: service, spec, locations };
}
