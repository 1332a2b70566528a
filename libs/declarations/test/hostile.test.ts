// Malformed and hostile declarations: each is rejected at the exact place,
// with a message that says what is wrong, and nothing throws.
import { describe, expect, it } from 'vitest';
import { formatError, parseDeclarationFile, type ParseOptions, type SourceFile } from '../src/index.js';

interface Expected {
  line: number;
  column: number;
  message: string;
}

interface Case {
  name: string;
  path: string;
  content: string | Uint8Array;
  expect: Expected | Expected[];
  options?: ParseOptions;
}

const PDNS = 'dns:\n  provider: powerdns\n';
const SHORT = 'domain: a.svc.plus\nregions:\n  - name: jp\n';

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((n, i) => {
    const prev = 'abcdefghi'[i] ?? 'a';
    return `${n}: &${n} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`;
  }),
].join('\n');

const cases: Case[] = [
  // ---- types, unknown and missing fields
  { name: 'wrong type (string for an integer)', path: 'gtm/a.yaml', content: `${PDNS}  ttl: "thirty"\n${SHORT}`, expect: { line: 3, column: 8, message: 'dns.ttl: must be an integer (got "thirty")' } },
  { name: 'wrong type (list for a mapping)', path: 'gtm/a.yaml', content: `dns: [powerdns]\n${SHORT}`, expect: { line: 1, column: 6, message: 'dns: must be a mapping (got a list)' } },
  { name: 'empty value for a mapping', path: 'gtm/a.yaml', content: `dns: ~\n${SHORT}`, expect: { line: 1, column: 6, message: 'dns: must be a mapping (got an empty value)' } },
  { name: 'typo in a key', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: jp\n    wieght: 100\n`, expect: { line: 6, column: 5, message: 'regions[0].wieght: unknown field (did you mean "weight"?)' } },
  { name: 'unknown top-level field', path: 'regions/jp.yaml', content: 'provider: aws\nzone: x\n', expect: { line: 2, column: 1, message: 'zone: unknown field' } },
  { name: '__proto__ as a field', path: 'regions/jp.yaml', content: 'provider: aws\n__proto__: { polluted: true }\n', expect: { line: 2, column: 1, message: '__proto__: unknown field' } },
  { name: 'missing required top-level field', path: 'gtm/a.yaml', content: SHORT, expect: { line: 1, column: 1, message: 'missing required field "dns"' } },
  { name: 'missing required nested field', path: 'gtm/a.yaml', content: `dns:\n  ttl: 30\n${SHORT}`, expect: { line: 2, column: 3, message: 'dns: missing required field "provider"' } },
  { name: 'missing min_nodes in an autoscale region', path: 'autoscale/a.yaml', content: 'regions:\n  jp:\n    max_nodes: 3\n', expect: { line: 3, column: 5, message: 'regions.jp: missing required field "min_nodes"' } },
  { name: 'no domain at all', path: 'gtm/a.yaml', content: PDNS, expect: { line: 1, column: 1, message: 'missing domains (or the short form: domain with top-level regions)' } },

  // ---- YAML features refused
  { name: 'billion laughs (alias bomb)', path: 'gtm/a.yaml', content: billionLaughs, expect: [
    { line: 1, column: 4, message: 'anchors (&a) are not allowed' },
    { line: 2, column: 8, message: 'aliases (*a) are not allowed' },
  ] },
  { name: 'anchor and merge key', path: 'gtm/a.yaml', content: `base: &base { ttl: 30 }\ndns:\n  <<: *base\n  provider: powerdns\n${SHORT}`, expect: [
    { line: 1, column: 7, message: 'anchors (&base) are not allowed' },
    { line: 3, column: 3, message: 'merge keys (<<) are not allowed' },
  ] },
  { name: 'inline merge key', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - <<: { name: jp }\n    weight: 1\n`, expect: { line: 5, column: 5, message: 'merge keys (<<) are not allowed' } },
  { name: 'duplicate keys', path: 'gtm/a.yaml', content: `${PDNS}${SHORT}dns:\n  provider: route53\n`, expect: { line: 6, column: 1, message: 'duplicate key "dns" (first written at line 1)' } },
  { name: 'multi-document file', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\n---\nregions: []\n`, expect: { line: 4, column: 1, message: 'a file holds one declaration: found a second YAML document' } },
  { name: 'custom tags (!!js/function, !foo)', path: 'gtm/a.yaml', content: `${PDNS}domain: !!js/function "function(){}"\nregions:\n  - name: !foo jp\n`, expect: [
    { line: 3, column: 9, message: 'tags (!!js/function) are not allowed' },
    { line: 5, column: 11, message: 'tags (!foo) are not allowed' },
  ] },
  { name: 'YAML directive', path: 'gtm/a.yaml', content: `%YAML 1.1\n---\n${PDNS}${SHORT}`, expect: { line: 1, column: 1, message: 'YAML directives (%YAML, %TAG) are not allowed' } },
  { name: 'complex mapping key', path: 'gtm/a.yaml', content: `${PDNS}? [a]\n: 1\n`, expect: { line: 3, column: 3, message: 'mapping keys must be plain strings' } },
  { name: 'YAML syntax error', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: jp\n   weight: 1\n`, expect: { line: 6, column: 1, message: 'YAML syntax error' } },
  { name: 'NaN', path: 'autoscale/a.yaml', content: 'regions:\n  jp:\n    min_nodes: 1\n    max_nodes: 2\n    cost: .nan\n', expect: { line: 5, column: 11, message: 'NaN is not allowed: numbers must be finite' } },

  // ---- bytes, size, shape
  { name: 'file over the size limit', path: 'gtm/a.yaml', content: `x: ${'y'.repeat(2 * 1024 * 1024)}`, expect: { line: 1, column: 1, message: 'file is over the size limit of 1048576 bytes' } },
  { name: 'file over a custom size limit', path: 'gtm/a.yaml', content: `${PDNS}${SHORT}`, options: { maxFileBytes: 10 }, expect: { line: 1, column: 1, message: 'over the size limit of 10 bytes' } },
  { name: 'non-UTF-8 bytes', path: 'gtm/a.yaml', content: new Uint8Array([...Buffer.from(`${PDNS}service: a`), 0xff, 0x0a]), expect: { line: 3, column: 11, message: 'file is not valid UTF-8 (byte 0xff' } },
  { name: 'overlong UTF-8 encoding', path: 'regions/jp.yaml', content: new Uint8Array([...Buffer.from('provider: aws\nname: j'), 0xc0, 0xaf, 0x0a]), expect: { line: 2, column: 8, message: 'file is not valid UTF-8' } },
  { name: 'NUL byte', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\u0000\nregions:\n  - name: jp\n`, expect: { line: 3, column: 19, message: 'control character U+0000 is not allowed' } },
  { name: 'empty file', path: 'gtm/a.yaml', content: '', expect: { line: 1, column: 1, message: 'file is empty' } },
  { name: 'only comments', path: 'autoscale/a.yaml', content: '# nothing here\n\n', expect: { line: 1, column: 1, message: 'file is empty' } },
  { name: 'top level is a list', path: 'gtm/a.yaml', content: '- a\n- b\n', expect: { line: 1, column: 1, message: 'the top level must be a mapping of fields (got a list)' } },
  { name: 'top level is a scalar', path: 'regions/jp.yaml', content: 'just text\n', expect: { line: 1, column: 1, message: 'the top level must be a mapping of fields (got "just text")' } },
  { name: 'version 2', path: 'gtm/a.yaml', content: `version: 2\n${PDNS}${SHORT}`, expect: { line: 1, column: 10, message: 'version: must be 1 (got 2)' } },
  { name: 'deeply nested flow garbage', path: 'gtm/a.yaml', content: `x: ${'['.repeat(100000)}${']'.repeat(100000)}\n`, expect: { line: 1, column: 24, message: 'nesting deeper than 20 levels' } },
  { name: 'deeply nested block sequences on one line', path: 'gtm/a.yaml', content: `x:\n${'- '.repeat(100000)}1\n`, expect: { line: 2, column: 41, message: 'nesting deeper than 20 levels' } },
  { name: 'deeply nested indentation', path: 'gtm/a.yaml', content: `${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`, expect: { line: 21, column: 21, message: 'nesting deeper than 20 levels' } },
  { name: 'very long string', path: 'gtm/a.yaml', content: `service: ${'a'.repeat(5000)}\n${PDNS}${SHORT}`, expect: { line: 1, column: 10, message: "service: must be a name of 1 to 63 characters a-z, 0-9 and '-' (got \"aaaa" } },
  { name: 'many unknown fields are capped', path: 'regions/jp.yaml', content: `provider: aws\n${Array.from({ length: 500 }, (_, i) => `k${i}: 1`).join('\n')}\n`, expect: [
    { line: 2, column: 1, message: 'k0: unknown field' },
    { line: 101, column: 1, message: 'too many errors: 400 more not shown' },
  ] },

  // ---- values
  { name: 'weight 1001', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: jp\n    weight: 1001\n`, expect: { line: 6, column: 13, message: 'regions[0].weight: must be <= 1000 (got 1001)' } },
  { name: 'weight -1', path: 'gtm/a.yaml', content: `${PDNS}domains:\n  - name: a.svc.plus\n    regions:\n      - name: jp\n        weight: -1\n`, expect: { line: 7, column: 17, message: 'domains[0].regions[0].weight: must be >= 0 (got -1)' } },
  { name: 'weight 2.5', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: jp\n  - name: sg\n    weight: 2.5\n`, expect: { line: 7, column: 13, message: 'regions[1].weight: must be an integer (got 2.5)' } },
  { name: 'bad duration', path: 'gtm/a.yaml', content: `${PDNS}  drift_check: 5 minutes\n${SHORT}`, expect: { line: 3, column: 16, message: 'dns.drift_check: must be a duration such as 500ms, 5s, 10m, 1h or 1m30s (got "5 minutes")' } },
  { name: 'duration out of bounds', path: 'gtm/a.yaml', content: `${PDNS}  drift_check: 1s\n${SHORT}`, expect: { line: 3, column: 16, message: 'dns.drift_check: must be at least 10s (got "1s")' } },
  { name: 'bad enum (provider)', path: 'gtm/a.yaml', content: `dns:\n  provider: gcp\n${SHORT}`, expect: { line: 2, column: 13, message: 'dns.provider: must be one of cloudflare, route53, alidns, powerdns (got "gcp")' } },
  { name: 'bad enum (node_mode)', path: 'regions/jp.yaml', content: 'provider: aws\nnode_mode: k8s\n', expect: { line: 2, column: 12, message: 'node_mode: must be one of containerd-only, k3s-worker, k3s-master (got "k8s")' } },
  { name: 'cloudflare ttl 10', path: 'gtm/a.yaml', content: `dns:\n  provider: cloudflare\n  ttl: 10\n${SHORT}`, expect: { line: 3, column: 8, message: 'dns.ttl: 10 is outside what cloudflare accepts: 1 (automatic) or 30..86400' } },
  { name: 'alidns ttl 0', path: 'gtm/a.yaml', content: `dns:\n  provider: alidns\n  ttl: 0\n${SHORT}`, expect: { line: 3, column: 8, message: 'dns.ttl: 0 is outside what alidns accepts: 1..86400' } },
  { name: 'alidns ttl 86401', path: 'gtm/a.yaml', content: `dns:\n  provider: alidns\n  ttl: 86401\n${SHORT}`, expect: { line: 3, column: 8, message: 'outside what alidns accepts' } },
  { name: 'powerdns ttl 0', path: 'gtm/a.yaml', content: `${PDNS}  ttl: 0\n${SHORT}`, expect: { line: 3, column: 8, message: 'dns.ttl: 0 is outside what powerdns accepts: 1 or more' } },
  { name: 'route53 ttl -1', path: 'gtm/a.yaml', content: `dns:\n  provider: route53\n  ttl: -1\n${SHORT}`, expect: { line: 3, column: 8, message: 'dns.ttl: must be >= 0 (got -1)' } },
  { name: 'mode for route53', path: 'gtm/a.yaml', content: `dns:\n  provider: route53\n  mode: dns\n${SHORT}`, expect: { line: 3, column: 3, message: 'dns.mode: mode applies to cloudflare only, not to route53' } },
  { name: 'setting of another provider', path: 'gtm/a.yaml', content: `${PDNS}  hosted_zone_id: Z123\n${SHORT}`, expect: { line: 3, column: 3, message: 'dns.hosted_zone_id: hosted_zone_id is not a setting of provider powerdns' } },
  { name: 'api_url not http(s)', path: 'gtm/a.yaml', content: `${PDNS}  api_url: ftp://x\n${SHORT}`, expect: { line: 3, column: 12, message: 'dns.api_url: must be an http:// or https:// URL (got "ftp://x")' } },
  { name: 'credentials with env and file', path: 'gtm/a.yaml', content: `${PDNS}  credentials: { env: A, file: /b }\n${SHORT}`, expect: { line: 3, column: 16, message: 'either { env: NAME } or { file: /absolute/path }, exactly one' } },
  { name: 'credentials as an inline secret', path: 'gtm/a.yaml', content: `${PDNS}  credentials: s3cr3t\n${SHORT}`, expect: { line: 3, column: 16, message: 'dns.credentials: must name the secret by reference' } },
  { name: 'tcp health with a path', path: 'gtm/a.yaml', content: `${PDNS}health:\n  type: tcp\n  path: /x\n${SHORT}`, expect: { line: 5, column: 3, message: 'health.path: path applies to http health checks only' } },
  { name: 'health timeout not below interval', path: 'gtm/a.yaml', content: `${PDNS}health:\n  interval: 1s\n  timeout: 2s\n${SHORT}`, expect: { line: 5, column: 12, message: 'health.timeout: 2s must be shorter than health.interval (1s)' } },
  { name: 'pull_request without repository', path: 'autoscale/a.yaml', content: 'regions:\n  jp: { min_nodes: 1, max_nodes: 2 }\ngit:\n  mode: pull_request\n', expect: { line: 4, column: 3, message: 'git: pull_request mode needs git.repository' } },
  { name: 'node_pool path traversal', path: 'autoscale/a.yaml', content: 'regions:\n  jp:\n    min_nodes: 1\n    max_nodes: 2\n    node_pool: ../../etc/passwd.tfvars\n', expect: { line: 5, column: 16, message: "regions.jp.node_pool: must be a relative path of a .tfvars file" } },
  { name: 'label value not a string', path: 'regions/jp.yaml', content: 'provider: aws\nlabels:\n  gpu: true\n', expect: { line: 3, column: 8, message: 'labels.gpu: label values are strings' } },

  // ---- names
  { name: 'service name differs from the file name', path: 'gtm/a.yaml', content: `service: b\n${PDNS}${SHORT}`, expect: { line: 1, column: 10, message: 'service name "b" does not match the file name gtm/a.yaml, which names "a"' } },
  { name: 'region name differs from the file name', path: 'regions/jp.yaml', content: 'name: sg\nprovider: aws\n', expect: { line: 1, column: 7, message: 'region name "sg" does not match the file name regions/jp.yaml, which names "jp"' } },
  { name: 'invalid file name as the service', path: 'gtm/My_Svc.yaml', content: `${PDNS}${SHORT}`, expect: { line: 1, column: 1, message: 'does not make a valid service name "My_Svc"' } },
  { name: 'uppercase region name', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: JP\n`, expect: { line: 5, column: 11, message: "regions[0].name: must be a name of 1 to 63 characters a-z, 0-9 and '-' (got \"JP\")" } },
  { name: 'invalid autoscale region key', path: 'autoscale/a.yaml', content: 'regions:\n  jp_1:\n    min_nodes: 1\n    max_nodes: 2\n', expect: { line: 2, column: 3, message: 'regions.jp_1: must be a name of 1 to 63 characters' } },
  { name: 'name of 64 characters', path: 'regions/jp.yaml', content: `provider: aws\nallowed_cidrs: []\nname: ${'a'.repeat(64)}\n`, expect: { line: 3, column: 7, message: 'name: must be a name of 1 to 63 characters' } },
  { name: 'uppercase domain name', path: 'gtm/a.yaml', content: `${PDNS}domain: API.svc.plus\nregions:\n  - name: jp\n`, expect: { line: 3, column: 9, message: 'domain: must be a lowercase DNS name' } },
  { name: 'invalid domain name', path: 'gtm/a.yaml', content: `${PDNS}domains:\n  - name: api..svc.plus\n    regions: [{ name: jp }]\n`, expect: { line: 4, column: 11, message: 'domains[0].name: must be a lowercase DNS name' } },
  { name: 'domain label over 63 characters', path: 'gtm/a.yaml', content: `${PDNS}domain: ${'a'.repeat(64)}.svc.plus\nregions:\n  - name: jp\n`, expect: { line: 3, column: 9, message: 'domain: must be a lowercase DNS name' } },
  { name: 'domain outside the zone', path: 'gtm/a.yaml', content: `${PDNS}  zone: svc.plus\ndomain: api.other.com\nregions:\n  - name: jp\n`, expect: { line: 4, column: 9, message: 'domain: domain api.other.com is not inside dns.zone svc.plus' } },
  { name: 'invalid CIDR prefix', path: 'regions/jp.yaml', content: 'provider: aws\nallowed_cidrs:\n  - 10.0.0.0/8\n  - 10.0.0.1/33\n', expect: { line: 4, column: 5, message: 'allowed_cidrs[1]: invalid network "10.0.0.1/33": prefix length must be 0..32' } },
  { name: 'invalid CIDR address', path: 'regions/jp.yaml', content: 'provider: aws\nallowed_cidrs: [300.1.1.1/24]\n', expect: { line: 2, column: 17, message: 'invalid network "300.1.1.1/24": "300.1.1.1" is not an IP address' } },
  { name: 'CIDR with host bits', path: 'regions/jp.yaml', content: 'provider: aws\nallowed_cidrs: [203.0.113.5/24]\n', expect: { line: 2, column: 17, message: 'host bits are set (did you mean 203.0.113.0/24?)' } },
  { name: 'CIDR not an address at all', path: 'regions/jp.yaml', content: 'provider: aws\nallowed_cidrs: [nonsense]\n', expect: { line: 2, column: 17, message: 'allowed_cidrs[0]: must be an IP network' } },

  // ---- structure rules
  { name: 'domain and domains both', path: 'gtm/a.yaml', content: `${PDNS}domains:\n  - name: b.svc.plus\n    regions: [{ name: jp }]\n${SHORT}`, expect: { line: 6, column: 1, message: 'domain: a file has either domain (the short form, with top-level regions) or domains, never both' } },
  { name: 'top-level failover without domain', path: 'gtm/a.yaml', content: `${PDNS}failover: priority\ndomains:\n  - name: a.svc.plus\n    regions: [{ name: jp }]\n`, expect: { line: 3, column: 1, message: 'failover: needs "domain" as well' } },
  { name: 'domain without regions', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\n`, expect: { line: 3, column: 1, message: 'domain: needs "regions" as well' } },
  { name: 'empty regions list', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions: []\n`, expect: { line: 4, column: 10, message: 'regions: must not be empty' } },
  { name: 'region twice in a domain', path: 'gtm/a.yaml', content: `${PDNS}domain: a.svc.plus\nregions:\n  - name: jp\n  - name: sg\n  - name: jp\n`, expect: { line: 7, column: 11, message: 'regions[2].name: region jp is listed twice in domain a.svc.plus' } },
  { name: 'domain twice in one file', path: 'gtm/a.yaml', content: `${PDNS}domains:\n  - name: a.svc.plus\n    regions: [{ name: jp }]\n  - name: a.svc.plus.\n    regions: [{ name: sg }]\n`, expect: { line: 6, column: 11, message: 'domains[1].name: domain a.svc.plus is declared twice in this file (first at line 4)' } },
  { name: 'region min_nodes > max_nodes', path: 'autoscale/a.yaml', content: 'regions:\n  jp:\n    min_nodes: 6\n    max_nodes: 5\n', expect: { line: 3, column: 16, message: 'regions.jp.min_nodes: 6 is more than max_nodes 5' } },
  { name: 'global min_nodes > max_nodes', path: 'autoscale/a.yaml', content: 'global:\n  min_nodes: 4\n  max_nodes: 3\nregions:\n  jp: { min_nodes: 1, max_nodes: 5 }\n', expect: { line: 2, column: 14, message: 'global.min_nodes: 4 is more than global.max_nodes 3' } },
  { name: 'min_regions > max_regions', path: 'autoscale/a.yaml', content: 'global:\n  min_regions: 2\n  max_regions: 1\nregions:\n  jp: { min_nodes: 1, max_nodes: 5 }\n  sg: { min_nodes: 1, max_nodes: 5 }\n', expect: { line: 2, column: 16, message: 'global.min_regions: 2 is more than global.max_regions 1' } },
  { name: 'scale_down >= scale_up', path: 'autoscale/a.yaml', content: 'regions:\n  jp:\n    min_nodes: 1\n    max_nodes: 5\n    scale_up_cpu: 0.5\n    scale_down_cpu: 0.5\n    scale_up_qps: 100\n    scale_down_qps: 200\n', expect: [
    { line: 6, column: 21, message: 'regions.jp.scale_down_cpu: 0.5 must be below scale_up_cpu 0.5' },
    { line: 8, column: 21, message: 'regions.jp.scale_down_qps: 200 must be below scale_up_qps 100' },
  ] },
  { name: 'window and cpu_window both', path: 'autoscale/a.yaml', content: 'window: 5m\nglobal:\n  cpu_window: 5m\nregions:\n  jp: { min_nodes: 1, max_nodes: 5 }\n', expect: { line: 3, column: 15, message: 'give either window or global.cpu_window' } },
  { name: 'global min_nodes the regions can never reach', path: 'autoscale/a.yaml', content: 'global:\n  min_nodes: 9\nregions:\n  jp: { min_nodes: 1, max_nodes: 5 }\n', expect: { line: 2, column: 14, message: "9 can never be met: the regions' max_nodes add up to 5" } },
  { name: 'not a declaration path', path: 'notes/a.yaml', content: 'a: 1\n', expect: { line: 1, column: 1, message: 'not a declaration path' } },
];

function run(c: Case): ReturnType<typeof parseDeclarationFile> {
  const file: SourceFile = { path: c.path, content: c.content };
  return parseDeclarationFile(file, c.options);
}

describe('hostile and malformed declarations', () => {
  it('has at least 35 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      const result = run(c);
      expect(result.declaration).toBeUndefined();
      for (const want of Array.isArray(c.expect) ? c.expect : [c.expect]) {
        const found = result.errors.find(
          (e) => e.file === c.path && e.line === want.line && e.column === want.column && e.message.includes(want.message),
        );
        expect(found, `expected ${c.path}:${want.line}:${want.column}: …${want.message}… among\n${result.errors.map(formatError).join('\n')}`).toBeDefined();
      }
    });
  }

  it('returns the errors of a file sorted by line and column', () => {
    const result = parseDeclarationFile({
      path: 'gtm/a.yaml',
      content: `dns:\n  provider: cloudflare\n  ttl: 10\n  mode: nope\ndomain: A\nregions:\n  - name: JP\n    weight: 5000\n`,
    });
    expect(result.errors.length).toBeGreaterThanOrEqual(4);
    const order = result.errors.map((e) => e.line * 1000 + e.column);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('reports an alias bomb once per alias, without expanding it', () => {
    const started = Date.now();
    const result = parseDeclarationFile({ path: 'gtm/a.yaml', content: billionLaughs });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.errors.length).toBeLessThanOrEqual(101);
  });
});
