// regions/<region>.yaml: checks the schema cannot express, and normalization.
import { REGION_DEFAULTS, defaultNodePool } from './defaults.js';
import { checkDeclaredName, compact, nameLocation, oneOf, type FileContext } from './file-context.js';
import type { Normalized } from './gtm.js';
import { parseCidr } from './names.js';
import { asList, asMap, asString, field, type RawMap } from './raw.js';
import type { NodeMode, RegionProvider, RegionSpec } from './types.js';

// What the schema's loose pattern lets through; parseCidr decides the rest.
const CIDR_SHAPE = /^[0-9A-Fa-f:.]+(?:\/[0-9]{1,3})?$/;
const PROVIDERS: readonly RegionProvider[] = ['aws', 'alicloud', 'tencent', 'ucloud', 'custom'];
const NODE_MODES: readonly NodeMode[] = ['containerd-only', 'k3s-worker', 'k3s-master'];

export function checkRegion(raw: RawMap, ctx: FileContext): void {
  checkDeclaredName(raw, 'name', 'region', ctx);
  (asList(field(raw, 'allowed_cidrs')) ?? []).forEach((item, i) => {
    if (typeof item !== 'string' || item.length > 49 || !CIDR_SHAPE.test(item)) return; // the schema reports it
    const parsed = parseCidr(item);
    if (!parsed.ok) ctx.report.error(`/allowed_cidrs/${i}`, `invalid network "${item}": ${parsed.reason}`);
  });
}

/** Only called on a file without errors: every field has its schema type. */
export function normalizeRegion(raw: RawMap, ctx: FileContext): Normalized<RegionSpec> {
  const name = asString(field(raw, 'name')) ?? ctx.baseName;
  const labels: Record<string, string> = {};
  const rawLabels = asMap(field(raw, 'labels')) ?? {};
  for (const key of Object.keys(rawLabels).sort()) {
    const value = asString(field(rawLabels, key));
    if (value !== undefined) Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const cidrs = new Set<string>();
  for (const item of asList(field(raw, 'allowed_cidrs')) ?? []) {
    const parsed = typeof item === 'string' ? parseCidr(item) : undefined;
    if (parsed?.ok === true) cidrs.add(parsed.cidr);
  }
  const spec: RegionSpec = compact({
    name,
    provider: oneOf(field(raw, 'provider'), PROVIDERS, 'custom'),
    location: asString(field(raw, 'location')),
    instance_type: asString(field(raw, 'instance_type')),
    node_mode: oneOf(field(raw, 'node_mode'), NODE_MODES, REGION_DEFAULTS.node_mode),
    labels,
    node_pool: asString(field(raw, 'node_pool')) ?? defaultNodePool(name),
    allowed_cidrs: [...cidrs].sort(),
  });
  return { name, spec, locations: { '/name': nameLocation(raw, 'name', ctx) } };
}
