// Checks across files, and whole-tree error collection.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  crossCheck,
  formatError,
  parseDeclarationFile,
  readDirectory,
  resolveNodePool,
  validateTree,
  type AutoscaleSpec,
  type Declaration,
  type RegionSpec,
  type SourceFile,
} from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const gtm = (domain: string, regions: string[], extra = ''): string =>
  `dns: { provider: powerdns${extra} }\ndomain: ${domain}\nregions:\n${regions.map((r) => `  - name: ${r}\n`).join('')}`;
const autoscale = (regions: Record<string, string>): string =>
  `regions:\n${Object.entries(regions)
    .map(([name, more]) => `  ${name}: { min_nodes: 1, max_nodes: 3${more} }\n`)
    .join('')}`;
const region = (extra = ''): string => `provider: aws\n${extra}`;

function lines(files: SourceFile[]): { errors: string[]; warnings: string[] } {
  const result = validateTree(files);
  return { errors: result.errors.map(formatError), warnings: result.warnings.map(formatError) };
}

describe('a whole tree with several bad files', () => {
  it('returns ALL errors, from every file, sorted by file then line', async () => {
    const result = validateTree(await readDirectory(`${fixtures}bad-tree`));
    expect(result.errors.map(formatError)).toEqual([
      'autoscale/bad.yaml:2:16: global.min_regions: 2 is more than global.max_regions 1',
      'autoscale/bad.yaml:2:16: global.min_regions: 2 is more than the 1 region(s) declared',
      'autoscale/bad.yaml:6:16: regions.jp.min_nodes: 4 is more than max_nodes 2',
      'autoscale/svc-plus.yaml:2:3: regions.jp: node pool infra/node-pool/jp.tfvars is also the pool of region jp in autoscale/shop.yaml: two policies may not share a node pool file (set node_pool)',
      'gtm/broken.yaml:3:8: dns.ttl: 5 is outside what cloudflare accepts: 1 (automatic) or 30..86400',
      'gtm/broken.yaml:7:13: regions[0].weight: must be <= 1000 (got 1001)',
      'gtm/broken.yaml:8:5: regions[0].fallbak: unknown field (did you mean "fallback"?)',
      'gtm/shop.yaml:10:15: domains[0].regions[1].name: region kr is not declared: there is no regions/kr.yaml',
      'gtm/svc-plus.yaml:6:11: domains[0].name: domain api.svc.plus is also declared in gtm/shop.yaml: a domain belongs to one gtm file',
      'regions/xx.yaml:1:7: name: region name "yy" does not match the file name regions/xx.yaml, which names "xx": rename one of them',
      'regions/xx.yaml:4:5: allowed_cidrs[0]: invalid network "10.1.2.3/8": host bits are set (did you mean 10.0.0.0/8?)',
    ]);
    expect(result.warnings.map(formatError)).toEqual([
      'gtm/sub/nested.yaml:1:1: ignored: declarations live directly in gtm/, not in subfolders or other paths',
    ]);
    // Files with errors yield no declaration; the others still do.
    expect(result.declarations.map((d) => d.file)).toEqual([
      'autoscale/shop.yaml',
      'autoscale/svc-plus.yaml',
      'gtm/shop.yaml',
      'gtm/svc-plus.yaml',
      'regions/jp.yaml',
      'regions/sg.yaml',
    ]);
  });

  it('sorts errors by file, line and column whatever the input order', () => {
    const files: SourceFile[] = [
      { path: 'regions/b.yaml', content: 'provider: x\nnode_mode: y\n' },
      { path: 'gtm/z.yaml', content: 'dns: { provider: nope }\n' },
      { path: 'autoscale/a.yaml', content: 'regions:\n  jp: { min_nodes: 5, max_nodes: 1 }\nwindow: 1x\n' },
    ];
    const { errors } = lines(files);
    expect(errors.map((e) => e.split(': ')[0])).toEqual([
      'autoscale/a.yaml:2:20',
      'autoscale/a.yaml:3:9',
      'gtm/z.yaml:1:1',
      'gtm/z.yaml:1:18',
      'regions/b.yaml:1:11',
      'regions/b.yaml:2:12',
    ]);
  });
});

describe('regions named in gtm/ and autoscale/', () => {
  it('must have a file when regions/ exists', () => {
    const { errors } = lines([
      { path: 'gtm/a.yaml', content: gtm('a.example.com', ['jp', 'kr']) },
      { path: 'autoscale/a.yaml', content: autoscale({ jp: '', kr: '' }) },
      { path: 'regions/jp.yaml', content: region() },
    ]);
    expect(errors).toEqual([
      'autoscale/a.yaml:3:3: regions.kr: region kr is not declared: there is no regions/kr.yaml',
      'gtm/a.yaml:5:11: regions[1].name: region kr is not declared: there is no regions/kr.yaml',
    ]);
  });

  it('are free without a regions/ folder', () => {
    const { errors } = lines([{ path: 'gtm/a.yaml', content: gtm('a.example.com', ['jp', 'kr']) }]);
    expect(errors).toEqual([]);
  });

  it('count regions/ as present when it holds any file', () => {
    const { errors } = lines([
      { path: 'gtm/a.yaml', content: gtm('a.example.com', ['jp']) },
      { path: 'regions/README.md', content: '# regions' },
    ]);
    expect(errors).toEqual(['gtm/a.yaml:4:11: regions[0].name: region jp is not declared: there is no regions/jp.yaml']);
  });

  it('are not reported again when their file exists but is invalid', () => {
    const { errors } = lines([
      { path: 'gtm/a.yaml', content: gtm('a.example.com', ['jp']) },
      { path: 'regions/jp.yaml', content: 'provider: gcp\n' },
    ]);
    expect(errors).toEqual(['regions/jp.yaml:1:11: provider: must be one of aws, alicloud, tencent, ucloud, custom (got "gcp")']);
  });
});

describe('domains', () => {
  it('belong to one gtm file only (trailing dot and case do not hide a duplicate)', () => {
    const { errors } = lines([
      { path: 'gtm/a.yaml', content: gtm('www.example.com', ['jp']) },
      { path: 'gtm/b.yaml', content: `dns: { provider: powerdns }\ndomains:\n  - name: other.example.com\n    regions: [{ name: jp }]\n  - name: www.example.com.\n    regions: [{ name: sg }]\n` },
    ]);
    expect(errors).toEqual([
      'gtm/b.yaml:5:11: domains[1].name: domain www.example.com is also declared in gtm/a.yaml: a domain belongs to one gtm file',
    ]);
  });

  it('warns when cloudflare dns mode gets differing weights, not in load_balancer mode', () => {
    const dnsMode = lines([{ path: 'gtm/a.yaml', content: `dns: { provider: cloudflare }\ndomain: a.example.com\nregions:\n  - { name: jp, weight: 100 }\n  - { name: sg, weight: 50 }\n  - { name: kr, weight: 0 }\n` }]);
    expect(dnsMode.errors).toEqual([]);
    expect(dnsMode.warnings).toEqual([expect.stringContaining('gtm/a.yaml:5:25: regions[1].weight: weights only decide in or out in dns mode')]);
    const equal = lines([{ path: 'gtm/a.yaml', content: `dns: { provider: cloudflare }\ndomain: a.example.com\nregions:\n  - { name: jp, weight: 100 }\n  - { name: sg }\n  - { name: kr, weight: 0 }\n` }]);
    expect(equal.warnings).toEqual([]);
    const lb = lines([{ path: 'gtm/a.yaml', content: `dns: { provider: cloudflare, mode: load_balancer }\ndomain: a.example.com\nregions:\n  - { name: jp, weight: 100 }\n  - { name: sg, weight: 50 }\n` }]);
    expect(lb.warnings).toEqual([]);
  });

  it('warns when every region of a domain has weight 0', () => {
    const { errors, warnings } = lines([{ path: 'gtm/a.yaml', content: `dns: { provider: powerdns }\ndomain: a.example.com\nregions: [{ name: jp, weight: 0 }]\n` }]);
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['gtm/a.yaml:2:9: domain: every region of domain a.example.com has weight 0: the domain gets no answers']);
  });
});

describe('node pools', () => {
  it('two policies may not target the same pool file (the default included)', () => {
    const { errors } = lines([
      { path: 'autoscale/a.yaml', content: autoscale({ jp: '' }) },
      { path: 'autoscale/b.yaml', content: autoscale({ jp: ', node_pool: infra/b-jp.tfvars', sg: ', node_pool: infra/node-pool/jp.tfvars' }) },
    ]);
    expect(errors).toEqual([
      'autoscale/b.yaml:3:48: regions.sg.node_pool: node pool infra/node-pool/jp.tfvars is also the pool of region jp in autoscale/a.yaml: two policies may not share a node pool file (set node_pool)',
    ]);
  });

  it('regions of one policy may not share a pool file either', () => {
    const { errors } = lines([{ path: 'autoscale/a.yaml', content: autoscale({ jp: ', node_pool: infra/x.tfvars', sg: ', node_pool: infra/x.tfvars' }) }]);
    expect(errors).toEqual([expect.stringContaining('autoscale/a.yaml:3:48: regions.sg.node_pool: node pool infra/x.tfvars is also the pool of region jp of this policy')]);
  });

  it("a region declaration's node_pool is the default pool of that region", () => {
    const files: SourceFile[] = [
      { path: 'autoscale/a.yaml', content: autoscale({ jp: '' }) },
      { path: 'autoscale/b.yaml', content: autoscale({ jp: ', node_pool: pools/jp-main.tfvars' }) },
      { path: 'regions/jp.yaml', content: region('node_pool: pools/jp-main.tfvars\n') },
    ];
    const result = validateTree(files);
    expect(result.errors.map(formatError)).toEqual([
      'autoscale/b.yaml:2:48: regions.jp.node_pool: node pool pools/jp-main.tfvars is also the pool of region jp in autoscale/a.yaml: two policies may not share a node pool file (set node_pool)',
    ]);
    const a = result.declarations.find((d) => d.file === 'autoscale/a.yaml')?.spec as AutoscaleSpec;
    const jp = result.declarations.find((d) => d.file === 'regions/jp.yaml')?.spec as RegionSpec;
    expect(a.regions[0]?.node_pool).toBe('infra/node-pool/jp.tfvars');
    expect(resolveNodePool(a.regions[0] as AutoscaleSpec['regions'][number], jp)).toBe('pools/jp-main.tfvars');
  });
});

describe('crossCheck on its own', () => {
  const parse = (path: string, content: string): Declaration => {
    const { declaration, errors } = parseDeclarationFile({ path, content });
    if (declaration === undefined) throw new Error(errors.map(formatError).join('\n'));
    return declaration;
  };

  it('finds a service declared twice (svc.yaml next to svc.yml)', () => {
    const { errors } = crossCheck(
      [parse('gtm/a.yaml', gtm('a.example.com', ['jp'])), parse('gtm/a.yml', gtm('b.example.com', ['jp']))],
      { hasRegionsDir: false },
    );
    expect(errors.map(formatError)).toEqual(['gtm/a.yml:1:1: gtm a is already declared in gtm/a.yaml']);
  });

  it('honours hasRegionsDir and regionFiles', () => {
    const decls = [parse('gtm/a.yaml', gtm('a.example.com', ['jp']))];
    expect(crossCheck(decls, { hasRegionsDir: false }).errors).toEqual([]);
    expect(crossCheck(decls, { hasRegionsDir: true }).errors.map(formatError)).toEqual([
      'gtm/a.yaml:4:11: regions[0].name: region jp is not declared: there is no regions/jp.yaml',
    ]);
    expect(crossCheck(decls, { hasRegionsDir: true, regionFiles: ['jp'] }).errors).toEqual([]);
  });

  it('warns about autoscale regions that no domain of the service serves', () => {
    const { errors, warnings } = crossCheck(
      [parse('gtm/a.yaml', gtm('a.example.com', ['jp'])), parse('autoscale/a.yaml', autoscale({ jp: '', sg: '' }))],
      { hasRegionsDir: false },
    );
    expect(errors).toEqual([]);
    expect(warnings.map(formatError)).toEqual(['autoscale/a.yaml:3:3: regions.sg: region sg is in no domain of gtm/a.yaml: its nodes would get no traffic']);
  });

  it('places errors at line 1 for declarations built without locations', () => {
    const d = parse('gtm/a.yaml', gtm('a.example.com', ['jp']));
    const bare: Declaration = { kind: d.kind, name: d.name, file: d.file, spec: d.spec, digest: d.digest };
    const { errors } = crossCheck([bare], { hasRegionsDir: true });
    expect(errors.map(formatError)).toEqual(['gtm/a.yaml:1:1: region jp is not declared: there is no regions/jp.yaml']);
  });
});
