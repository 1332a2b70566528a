// The bundled platform-config/ and every example of DECLARATIONS.md validate,
// and normalize to what the format promises.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatError,
  parseDeclarationFile,
  readDirectory,
  validateTree,
  type AutoscaleSpec,
  type GtmSpec,
  type RegionSpec,
  type ValidationResult,
} from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function specOf<S>(result: ValidationResult, file: string): S {
  const found = result.declarations.find((d) => d.file === file);
  if (found === undefined) throw new Error(`no declaration from ${file}: ${result.errors.map(formatError).join('\n')}`);
  return found.spec as S;
}

describe('bundled platform-config/', () => {
  it('validates with no errors and no warnings', async () => {
    const files = await readDirectory(`${repoRoot}platform-config`);
    expect(files.map((f) => f.path)).toEqual(['autoscale/svc-plus.yaml', 'gtm/svc-plus.yaml', 'regions/jp.yaml', 'regions/sg.yaml']);
    const result = validateTree(files);
    expect(result.errors.map(formatError)).toEqual([]);
    expect(result.warnings.map(formatError)).toEqual([]);
    expect(result.declarations.map((d) => `${d.kind}/${d.name}`)).toEqual(['autoscale/svc-plus', 'gtm/svc-plus', 'region/jp', 'region/sg']);
  });

  it('normalizes the gtm declaration', async () => {
    const result = validateTree(await readDirectory(`${repoRoot}platform-config`));
    const gtm = specOf<GtmSpec>(result, 'gtm/svc-plus.yaml');
    expect(gtm.dns).toEqual({
      provider: 'powerdns',
      zone: 'svc.plus',
      ttl: 30,
      api_url: 'http://127.0.0.1:8081',
      server_id: 'localhost',
      credentials: { env: 'PDNS_API_KEY' },
      drift_check_ms: 300_000,
    });
    expect(gtm.domains).toEqual([
      {
        name: 'api.svc.plus',
        failover: 'weighted',
        regions: [
          { name: 'jp', weight: 100, min_ready_nodes: 1, fallback: true },
          { name: 'sg', weight: 10, min_ready_nodes: 1, fallback: true },
        ],
      },
    ]);
    expect(gtm.health).toMatchObject({ type: 'http', path: '/healthz', interval_ms: 5000, timeout_ms: 2000, heartbeat_timeout_ms: 15_000, window_ms: 30_000 });
  });

  it('normalizes the autoscale declaration and the regions', async () => {
    const result = validateTree(await readDirectory(`${repoRoot}platform-config`));
    const autoscale = specOf<AutoscaleSpec>(result, 'autoscale/svc-plus.yaml');
    expect(autoscale.window_ms).toBe(300_000);
    expect(autoscale.drain_ms).toBe(30_000);
    expect(autoscale.regions.map((r) => [r.name, r.min_nodes, r.max_nodes, r.cost, r.node_pool])).toEqual([
      ['jp', 1, 5, 1, 'infra/node-pool/jp.tfvars'],
      ['sg', 1, 3, 0.6, 'infra/node-pool/sg.tfvars'],
    ]);
    expect(autoscale.regions[0]).toMatchObject({ scale_up_cpu: 0.7, scale_down_cpu: 0.3, scale_up_qps: 800, scale_down_qps: 200 });
    expect(autoscale.regions[1]?.scale_up_ram).toBeUndefined();
    const jp = specOf<RegionSpec>(result, 'regions/jp.yaml');
    expect(jp).toMatchObject({ name: 'jp', provider: 'aws', location: 'ap-northeast-1', node_pool: 'infra/node-pool/jp.tfvars' });
    expect(specOf<RegionSpec>(result, 'regions/sg.yaml')).toMatchObject({ provider: 'alicloud', location: 'ap-southeast-1' });
  });
});

describe('the examples of DECLARATIONS.md', () => {
  it('long gtm form and autoscale validate (a regions/-less tree: names are free)', async () => {
    const result = validateTree(await readDirectory(`${fixtures}doc-examples/long`));
    expect(result.errors.map(formatError)).toEqual([]);
    expect(result.declarations).toHaveLength(2);
    // The doc says validate warns when cloudflare mode dns gets differing weights.
    expect(result.warnings.map(formatError)).toEqual([
      expect.stringMatching(/^gtm\/svc-plus\.yaml:48:17: domains\[0\]\.regions\[1\]\.weight: weights only decide in or out in dns mode/),
    ]);
    const gtm = specOf<GtmSpec>(result, 'gtm/svc-plus.yaml');
    expect(gtm.dns).toMatchObject({ provider: 'cloudflare', mode: 'dns', zone: 'svc.plus', ttl: 30, credentials: { env: 'CLOUDFLARE_API_TOKEN' } });
    expect(gtm.health).toMatchObject({ max_ejection_percent: 50, eject_error_rate_above: 0.5, eject_rtt_ms_above: 1000 });
    const autoscale = specOf<AutoscaleSpec>(result, 'autoscale/svc-plus.yaml');
    expect(autoscale.global).toEqual({ min_regions: 1, max_regions: 3, min_nodes: 2, max_nodes: 20 });
    expect(autoscale.git).toEqual({ mode: 'push', branch: 'main', repository: 'acme/platform', auto_merge: false });
    expect(autoscale.regions.map((r) => [r.name, r.node_pool_source])).toEqual([
      ['jp', 'declared'],
      ['sg', 'default'],
    ]);
  });

  it('short gtm form validates and becomes the long form', async () => {
    const result = validateTree(await readDirectory(`${fixtures}doc-examples/short`));
    expect(result.errors.map(formatError)).toEqual([]);
    const gtm = specOf<GtmSpec>(result, 'gtm/svc-plus.yaml');
    expect(gtm.dns.zone).toBeUndefined();
    expect(gtm.dns).toMatchObject({ provider: 'cloudflare', ttl: 30, mode: 'dns', drift_check_ms: 300_000 });
    expect(gtm.domains).toEqual([
      {
        name: 'api.svc.plus',
        failover: 'weighted',
        regions: [
          { name: 'jp', weight: 100, min_ready_nodes: 1, fallback: true },
          { name: 'sg', weight: 10, min_ready_nodes: 1, fallback: true },
        ],
      },
    ]);
    expect(gtm.health).toEqual({
      type: 'http',
      path: '/healthz',
      port: 80,
      interval_ms: 5000,
      timeout_ms: 2000,
      rise: 2,
      fall: 3,
      heartbeat_timeout_ms: 15_000,
      window_ms: 30_000,
      max_ejection_percent: 50,
      eject_error_rate_above: 0.5,
      eject_rtt_ms_above: 1000,
    });
    expect(gtm.weighting).toEqual({ rtt_ms_above: 300, rtt_factor: 0.7, error_rate_above: 0.05, error_factor: 0.5, dead_band: 0.1 });
  });

  it('region example validates', async () => {
    const result = validateTree(await readDirectory(`${fixtures}doc-examples/region`));
    expect(result.errors.map(formatError)).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(specOf<RegionSpec>(result, 'regions/jp.yaml')).toEqual({
      name: 'jp',
      provider: 'aws',
      location: 'ap-northeast-1',
      instance_type: 't3.medium',
      node_mode: 'containerd-only',
      labels: { cpu: 'x86', storage: 'ssd' },
      node_pool: 'infra/node-pool/jp.tfvars',
      allowed_cidrs: ['203.0.113.0/24'],
    });
  });
});

describe('defaults and normalization details', () => {
  it('fills region defaults and canonicalizes networks', () => {
    const { declaration, errors } = parseDeclarationFile({
      path: 'regions/eu-1.yml',
      content: 'provider: custom\nallowed_cidrs: [10.0.0.0/8, 192.0.2.7, "2001:DB8:0:0::/32", 10.0.0.0/8]\n',
    });
    expect(errors).toEqual([]);
    expect(declaration?.spec).toEqual({
      name: 'eu-1',
      provider: 'custom',
      node_mode: 'containerd-only',
      labels: {},
      node_pool: 'infra/node-pool/eu-1.tfvars',
      allowed_cidrs: ['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32'],
    });
  });

  it('fills autoscale defaults, folds global.cpu_window into window_ms and derives neutral global bounds', () => {
    const { declaration, errors } = parseDeclarationFile({
      path: 'autoscale/api.yaml',
      content: 'global:\n  cpu_window: 90s\nregions:\n  sg: { min_nodes: 0, max_nodes: 3 }\n  jp: { min_nodes: 2, max_nodes: 4 }\n',
    });
    expect(errors).toEqual([]);
    const spec = declaration?.spec as AutoscaleSpec;
    expect(spec).toMatchObject({
      service: 'api',
      window_ms: 90_000,
      cooldown_ms: 300_000,
      scale_down_stabilization_ms: 600_000,
      provision_timeout_ms: 900_000,
      warmup_ms: 120_000,
      drain_ms: 30_000,
      global: { min_regions: 1, max_regions: 2, min_nodes: 2, max_nodes: 7 },
      git: { mode: 'push', auto_merge: false },
      suspend: false,
    });
    expect(spec.regions.map((r) => r.name)).toEqual(['jp', 'sg']);
    expect(spec.regions[1]).toEqual({
      name: 'sg',
      min_nodes: 0,
      max_nodes: 3,
      scale_up_step: 1,
      scale_down_step: 1,
      cost: 1,
      node_pool: 'infra/node-pool/sg.tfvars',
      node_pool_source: 'default',
    });
  });

  it('keeps region order for priority failover and strips a trailing dot', () => {
    const { declaration, errors } = parseDeclarationFile({
      path: 'gtm/web.yaml',
      content: 'dns: { provider: route53, zone: example.com. }\ndomains:\n  - name: www.example.com.\n    failover: priority\n    regions: [{ name: sg }, { name: jp, weight: 0, fallback: false }]\n',
    });
    expect(errors).toEqual([]);
    const spec = declaration?.spec as GtmSpec;
    expect(spec.dns).toEqual({ provider: 'route53', zone: 'example.com', ttl: 30, drift_check_ms: 300_000 });
    expect(spec.domains[0]?.name).toBe('www.example.com');
    expect(spec.domains[0]?.regions.map((r) => r.name)).toEqual(['sg', 'jp']);
    expect(spec.domains[0]?.regions[1]).toEqual({ name: 'jp', weight: 0, min_ready_nodes: 1, fallback: false });
  });

  it('a tcp health check has no path', () => {
    const { declaration } = parseDeclarationFile({
      path: 'gtm/db.yaml',
      content: 'dns: { provider: alidns }\nhealth: { type: tcp, port: 5432 }\ndomain: db.example.com\nregions: [{ name: jp }]\n',
    });
    const spec = declaration?.spec as GtmSpec;
    expect(spec.health).toMatchObject({ type: 'tcp', port: 5432 });
    expect('path' in spec.health).toBe(false);
  });

  it('accepts a UTF-8 BOM and CRLF line ends', () => {
    const content = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('provider: aws\r\nlocation: eu-west-1\r\n')]);
    const { declaration, errors } = parseDeclarationFile({ path: 'regions/eu.yaml', content });
    expect(errors).toEqual([]);
    expect(declaration?.spec).toMatchObject({ provider: 'aws', location: 'eu-west-1' });
  });
});
