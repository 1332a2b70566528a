// Every default the normalized specs get. DECLARATIONS.md shows most of them
// (its long forms); the rest are choices made here:
//
// gtm (the long form's values):
//   dns.ttl 30 (inside every provider's range), dns.mode 'dns' (cloudflare
//   only), dns.drift_check 5m, dns.server_id 'localhost' (powerdns only),
//   health: type http, path /healthz (http only), port 80, interval 5s,
//   timeout 2s, rise 2, fall 3, heartbeat_timeout 15s, window 30s,
//   max_ejection_percent 50, eject_error_rate_above 0.5, eject_rtt_ms_above 1000;
//   weighting: rtt_ms_above 300, rtt_factor 0.7, error_rate_above 0.05,
//   error_factor 0.5, dead_band 0.1; domain failover 'weighted';
//   region weight 100 (chosen: the long form's largest), min_ready_nodes 1,
//   fallback true; suspend false. dns.zone and dns.credentials stay absent.
// autoscale:
//   window 5m (or global.cpu_window), cooldown 5m, scale_down_stabilization
//   10m, provision_timeout 15m, warmup 2m, drain 30s (the doc's values);
//   global bounds that add nothing to the regions' own (chosen):
//   min_regions 1 (a service never scales to nothing by itself), max_regions
//   = number of regions, min_nodes = max(sum of regions' min_nodes,
//   min_regions) but at most max_nodes, max_nodes = sum of regions' max_nodes;
//   region scale_up_step 1, scale_down_step 1, cost 1.0, node_pool
//   infra/node-pool/<region>.tfvars (a region declaration's node_pool wins:
//   resolveNodePool); signals without bounds stay absent (unused);
//   git: mode push, auto_merge false, branch and repository absent;
//   suspend false.
// region:
//   node_mode containerd-only, labels {}, node_pool
//   infra/node-pool/<name>.tfvars, allowed_cidrs [] (any address);
//   location and instance_type stay absent.

export const GTM_DEFAULTS = {
  ttl: 30,
  mode: 'dns',
  drift_check: '5m',
  server_id: 'localhost',
  health: {
    type: 'http',
    path: '/healthz',
    port: 80,
    interval: '5s',
    timeout: '2s',
    rise: 2,
    fall: 3,
    heartbeat_timeout: '15s',
    window: '30s',
    max_ejection_percent: 50,
    eject_error_rate_above: 0.5,
    eject_rtt_ms_above: 1000,
  },
  weighting: { rtt_ms_above: 300, rtt_factor: 0.7, error_rate_above: 0.05, error_factor: 0.5, dead_band: 0.1 },
  failover: 'weighted',
  weight: 100,
  min_ready_nodes: 1,
  fallback: true,
  suspend: false,
} as const;

export const AUTOSCALE_DEFAULTS = {
  window: '5m',
  cooldown: '5m',
  scale_down_stabilization: '10m',
  provision_timeout: '15m',
  warmup: '2m',
  drain: '30s',
  min_regions: 1,
  scale_up_step: 1,
  scale_down_step: 1,
  cost: 1,
  git_mode: 'push',
  auto_merge: false,
  suspend: false,
} as const;

export const REGION_DEFAULTS = {
  node_mode: 'containerd-only',
} as const;

export function defaultNodePool(region: string): string {
  return `infra/node-pool/${region}.tfvars`;
}

/**
 * Bounds on durations beyond their syntax, in ms: [min, max]. Zero is allowed
 * only where "no wait" makes sense (cooldown, stabilization, warmup, drain).
 */
export const DURATION_LIMITS = {
  gtm: {
    '/dns/drift_check': [10_000, 86_400_000],
    '/health/interval': [100, 3_600_000],
    '/health/timeout': [10, 3_600_000],
    '/health/heartbeat_timeout': [1_000, 3_600_000],
    '/health/window': [1_000, 86_400_000],
  },
  autoscale: {
    '/window': [10_000, 86_400_000],
    '/global/cpu_window': [10_000, 86_400_000],
    '/cooldown': [0, 86_400_000],
    '/scale_down_stabilization': [0, 86_400_000],
    '/provision_timeout': [60_000, 86_400_000],
    '/warmup': [0, 86_400_000],
    '/drain': [0, 3_600_000],
  },
} as const satisfies Record<string, Record<string, readonly [number, number]>>;

/** TTL each provider accepts at all (plan minimums are the provider's business at apply time). */
export const TTL_RANGES = {
  cloudflare: { text: '1 (automatic) or 30..86400', ok: (t: number) => t === 1 || (t >= 30 && t <= 86_400) },
  route53: { text: '0..2147483647', ok: (t: number) => t >= 0 && t <= 2_147_483_647 },
  alidns: { text: '1..86400', ok: (t: number) => t >= 1 && t <= 86_400 },
  powerdns: { text: '1 or more', ok: (t: number) => t >= 1 && t <= 2_147_483_647 },
} as const;
