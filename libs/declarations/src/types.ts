// Public types of @plane/declarations: diagnostics, declarations and the
// normalized specs (every default filled in, durations in integer ms).

export type DeclarationKind = 'gtm' | 'autoscale' | 'region';

/** line/column are 1-based; path is a JSON pointer into the raw YAML ('' = whole file). */
export interface DeclarationError {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export interface DeclarationWarning extends DeclarationError {}

/** Where a part of a normalized spec was written (raw JSON pointer and position). */
export interface SourceLocation {
  path: string;
  line: number;
  column: number;
}

export type SpecOf<K extends DeclarationKind> = K extends 'gtm'
  ? GtmSpec
  : K extends 'autoscale'
    ? AutoscaleSpec
    : RegionSpec;

export interface Declaration<K extends DeclarationKind = DeclarationKind> {
  kind: K;
  /** gtm / autoscale: the service; region: the region name. */
  name: string;
  /** Path relative to the platform-config root, e.g. `gtm/svc-plus.yaml`. */
  file: string;
  spec: SpecOf<K>;
  /** sha256 hex of the canonical JSON (sorted keys) of { kind, name, spec }. */
  digest: string;
  /**
   * Where parts of the spec were written, keyed by a JSON pointer into the
   * normalized spec (e.g. `/domains/0/regions/1/name`, `/regions/0/node_pool`,
   * `/name`). Only what crossCheck points at is recorded. Not part of the digest.
   */
  locations?: Record<string, SourceLocation>;
}

/** A declaration whose `kind` narrows its `spec` (use with `switch (d.kind)`). */
export type AnyDeclaration = Declaration<'gtm'> | Declaration<'autoscale'> | Declaration<'region'>;

export interface SourceFile {
  /** Relative to the platform-config root, '/' separators. */
  path: string;
  content: Uint8Array | string;
}

export interface ValidationResult {
  declarations: Declaration[];
  errors: DeclarationError[];
  warnings: DeclarationWarning[];
}

export interface ParseOptions {
  /** Files larger than this are rejected before parsing (default 1 MiB). */
  maxFileBytes?: number;
  /** Directory holding gtm/autoscale/region .schema.json (default: env PLANE_SCHEMAS_DIR, else the repo's schemas/declarations/). */
  schemasDir?: string;
}

export interface FileResult {
  declaration?: Declaration;
  errors: DeclarationError[];
  warnings: DeclarationWarning[];
}

export interface CrossCheckOptions {
  /** True when at least one file under regions/ exists. */
  hasRegionsDir: boolean;
  /**
   * Names of region files present, valid or not (`regions/jp.yaml` -> `jp`).
   * A region whose file exists but failed validation is not reported again as
   * undeclared. Defaults to the names of the region declarations given.
   */
  regionFiles?: Iterable<string>;
}

// ---------------------------------------------------------------- gtm

export type DnsProviderName = 'cloudflare' | 'route53' | 'alidns' | 'powerdns';

/** A secret named by reference; never resolved by this library. */
export type CredentialsRef = { env: string } | { file: string };

interface DnsCommon {
  /** Absent: the provider's zone whose name is the longest suffix of the domain. */
  zone?: string;
  ttl: number;
  credentials?: CredentialsRef;
  drift_check_ms: number;
}

export interface CloudflareDnsSpec extends DnsCommon {
  provider: 'cloudflare';
  mode: 'dns' | 'load_balancer';
  zone_id?: string;
  account_id?: string;
  api_url?: string;
}

export interface Route53DnsSpec extends DnsCommon {
  provider: 'route53';
  hosted_zone_id?: string;
  endpoint?: string;
  region?: string;
}

export interface AlidnsDnsSpec extends DnsCommon {
  provider: 'alidns';
  endpoint?: string;
}

export interface PowerdnsDnsSpec extends DnsCommon {
  provider: 'powerdns';
  api_url?: string;
  server_id: string;
}

export type DnsSpec = CloudflareDnsSpec | Route53DnsSpec | AlidnsDnsSpec | PowerdnsDnsSpec;

interface HealthCommon {
  port: number;
  interval_ms: number;
  timeout_ms: number;
  rise: number;
  fall: number;
  heartbeat_timeout_ms: number;
  window_ms: number;
  max_ejection_percent: number;
  eject_error_rate_above: number;
  eject_rtt_ms_above: number;
}

export type HealthSpec = (HealthCommon & { type: 'http'; path: string }) | (HealthCommon & { type: 'tcp' });

export interface WeightingSpec {
  rtt_ms_above: number;
  rtt_factor: number;
  error_rate_above: number;
  error_factor: number;
  dead_band: number;
}

export type FailoverMode = 'weighted' | 'priority';

export interface GtmRegionSpec {
  name: string;
  weight: number;
  min_ready_nodes: number;
  fallback: boolean;
}

export interface GtmDomainSpec {
  /** Lowercase, trailing dot stripped. */
  name: string;
  failover: FailoverMode;
  /** `priority`: list order as written. `weighted`: sorted by name (order has no meaning). */
  regions: GtmRegionSpec[];
}

export interface GtmSpec {
  service: string;
  dns: DnsSpec;
  health: HealthSpec;
  weighting: WeightingSpec;
  /** Sorted by name; the short form becomes one domain. */
  domains: GtmDomainSpec[];
  suspend: boolean;
}

// ---------------------------------------------------------------- autoscale

export interface AutoscaleRegionSpec {
  name: string;
  min_nodes: number;
  max_nodes: number;
  scale_up_cpu?: number;
  scale_down_cpu?: number;
  scale_up_ram?: number;
  scale_down_ram?: number;
  scale_up_qps?: number;
  scale_down_qps?: number;
  scale_up_step: number;
  scale_down_step: number;
  cost: number;
  /**
   * The pool file this policy rewrites: as declared, else the default
   * `infra/node-pool/<region>.tfvars`. When `node_pool_source` is 'default'
   * a region declaration's own `node_pool` wins: use `resolveNodePool`.
   */
  node_pool: string;
  node_pool_source: 'declared' | 'default';
}

export interface AutoscaleGlobalSpec {
  min_regions: number;
  max_regions: number;
  min_nodes: number;
  max_nodes: number;
}

export interface GitSpec {
  mode: 'push' | 'pull_request';
  /** Absent: the autoscaler's --branch. */
  branch?: string;
  repository?: string;
  auto_merge: boolean;
}

export interface AutoscaleSpec {
  service: string;
  window_ms: number;
  cooldown_ms: number;
  scale_down_stabilization_ms: number;
  provision_timeout_ms: number;
  warmup_ms: number;
  drain_ms: number;
  global: AutoscaleGlobalSpec;
  /** Sorted by name. */
  regions: AutoscaleRegionSpec[];
  git: GitSpec;
  suspend: boolean;
}

// ---------------------------------------------------------------- region

export type RegionProvider = 'aws' | 'alicloud' | 'tencent' | 'ucloud' | 'custom';
export type NodeMode = 'containerd-only' | 'k3s-worker' | 'k3s-master';

export interface RegionSpec {
  name: string;
  provider: RegionProvider;
  location?: string;
  instance_type?: string;
  node_mode: NodeMode;
  labels: Record<string, string>;
  node_pool: string;
  /** Canonical networks (a single IP becomes /32 or /128), sorted, no duplicates; empty = any address. */
  allowed_cidrs: string[];
}
