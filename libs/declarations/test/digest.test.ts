// Equal meaning => equal digest; a changed value => a different digest.
import { describe, expect, it } from 'vitest';
import { canonicalJson, formatError, parseDeclarationFile, type SourceFile } from '../src/index.js';

function digestOf(file: SourceFile): string {
  const { declaration, errors } = parseDeclarationFile(file);
  if (declaration === undefined) throw new Error(errors.map(formatError).join('\n'));
  return declaration.digest;
}

const gtmA = `version: 1
service: web
dns:
  provider: powerdns
  api_url: http://127.0.0.1:8081
  ttl: 30
health:
  interval: 5s
  timeout: 2s
domains:
  - name: www.example.com
    regions:
      - name: jp
        weight: 100
      - name: sg
        weight: 10
`;

// Same meaning: other key order, comments, quoting, flow style, defaults
// written out, a trailing dot, 5000ms for 5s, region order (weighted).
const gtmB = `# web traffic
domains:
  - regions:
      - { weight: 10, name: "sg" }   # cheaper
      - { name: 'jp', weight: 100, fallback: true, min_ready_nodes: 1 }
    name: "www.example.com."
    failover: weighted
health: { timeout: "2000ms", interval: 5000ms, type: http }
dns:
  ttl: 30
  server_id: localhost
  api_url: "http://127.0.0.1:8081"
  provider: powerdns
suspend: false
`;

// The short form of the same single domain.
const gtmShort = `dns: { provider: powerdns, api_url: "http://127.0.0.1:8081" }
domain: www.example.com
regions:
  - name: sg
    weight: 10
  - name: jp
    weight: 100
`;

describe('digest', () => {
  it('is a sha256 hex', () => {
    expect(digestOf({ path: 'gtm/web.yaml', content: gtmA })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores formatting, comments, key order, quoting and written-out defaults', () => {
    const a = digestOf({ path: 'gtm/web.yaml', content: gtmA });
    expect(digestOf({ path: 'gtm/web.yaml', content: gtmB })).toBe(a);
    expect(digestOf({ path: 'gtm/web.yml', content: gtmShort })).toBe(a);
    expect(digestOf({ path: 'gtm/web.yaml', content: new TextEncoder().encode(gtmA.replace(/\n/g, '\r\n')) })).toBe(a);
  });

  it('changes when a value changes', () => {
    const a = digestOf({ path: 'gtm/web.yaml', content: gtmA });
    expect(digestOf({ path: 'gtm/web.yaml', content: gtmA.replace('weight: 10\n', 'weight: 11\n') })).not.toBe(a);
    expect(digestOf({ path: 'gtm/web.yaml', content: gtmA.replace('ttl: 30', 'ttl: 31') })).not.toBe(a);
    expect(digestOf({ path: 'gtm/web.yaml', content: `${gtmA}suspend: true\n` })).not.toBe(a);
  });

  it('changes with the name (same spec text, other file)', () => {
    const body = 'provider: aws\n';
    expect(digestOf({ path: 'regions/jp.yaml', content: body })).not.toBe(digestOf({ path: 'regions/sg.yaml', content: body }));
  });

  it('keeps list order where it means something (priority failover)', () => {
    const priority = (first: string, second: string): string =>
      `dns: { provider: powerdns }\ndomain: www.example.com\nfailover: priority\nregions: [{ name: ${first} }, { name: ${second} }]\n`;
    expect(digestOf({ path: 'gtm/web.yaml', content: priority('jp', 'sg') })).not.toBe(digestOf({ path: 'gtm/web.yaml', content: priority('sg', 'jp') }));
  });

  it('is equal for autoscale maps in any order and for 1.0 vs 1', () => {
    const a = 'regions:\n  jp: { min_nodes: 1, max_nodes: 5, cost: 1.0 }\n  sg: { min_nodes: 1, max_nodes: 3 }\n';
    const b = 'regions:\n  sg: { max_nodes: 3, min_nodes: 1, cost: 1 }\n  jp: { cost: 1, max_nodes: 5, min_nodes: 1 }\n';
    expect(digestOf({ path: 'autoscale/x.yaml', content: a })).toBe(digestOf({ path: 'autoscale/x.yaml', content: b }));
  });

  it('canonicalJson sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
