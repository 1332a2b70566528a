// Checks across files (DECLARATIONS.md "Cross-checks beyond the schema"),
// pointed at the line that has to change. Pure: declarations in, diagnostics out.
import { sortDiagnostics } from './diagnostics.js';
import { declarationKey, DIRECTORY_OF_KIND } from './paths.js';
import { dottedPath } from './positions.js';
import type {
  AnyDeclaration,
  AutoscaleRegionSpec,
  CrossCheckOptions,
  Declaration,
  DeclarationError,
  DeclarationWarning,
  RegionSpec,
} from './types.js';

/**
 * The pool file a policy's region rewrites: the autoscale declaration's own
 * `node_pool` if written, else the region declaration's `node_pool` (when
 * there is one), else `infra/node-pool/<region>.tfvars`.
 */
export function resolveNodePool(region: AutoscaleRegionSpec, regionSpec?: RegionSpec): string {
  if (region.node_pool_source === 'declared' || regionSpec === undefined) return region.node_pool;
  return regionSpec.node_pool;
}

/** Every Declaration this library builds has a spec of its kind; this states it to the compiler. */
export function asAnyDeclaration(d: Declaration): AnyDeclaration {
  return d as AnyDeclaration;
}

export function crossCheck(
  declarations: Declaration[],
  options: CrossCheckOptions,
): { errors: DeclarationError[]; warnings: DeclarationWarning[] } {
  const errors: DeclarationError[] = [];
  const warnings: DeclarationWarning[] = [];
  const all = [...declarations].map(asAnyDeclaration).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const at = (d: Declaration, key: string, message: string): DeclarationError => {
    const where = d.locations?.[key] ?? { path: '', line: 1, column: 1 };
    const prefix = dottedPath(where.path);
    return { file: d.file, line: where.line, column: where.column, path: where.path, message: prefix === '' ? message : `${prefix}: ${message}` };
  };

  // One declaration per kind and name (svc.yaml next to svc.yml).
  const firstByKey = new Map<string, Declaration>();
  for (const d of all) {
    const key = declarationKey(d.kind, d.name);
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, d);
    else errors.push(at(d, d.kind === 'region' ? '/name' : '/service', `${d.kind} ${d.name} is already declared in ${first.file}`));
  }

  const regions = new Map<string, RegionSpec>();
  for (const d of all) if (d.kind === 'region' && !regions.has(d.name)) regions.set(d.name, d.spec);
  const regionFiles = new Set<string>(options.regionFiles ?? regions.keys());
  for (const name of regions.keys()) regionFiles.add(name);
  const undeclared = (name: string): string => `region ${name} is not declared: there is no ${DIRECTORY_OF_KIND.region}/${name}.yaml`;

  const domainOwner = new Map<string, Declaration>();
  const gtmRegionsOfService = new Map<string, { file: string; regions: Set<string> }>();
  for (const d of all) {
    if (d.kind !== 'gtm') continue;
    const served = new Set<string>();
    d.spec.domains.forEach((domain, i) => {
      const owner = domainOwner.get(domain.name);
      if (owner === undefined) domainOwner.set(domain.name, d);
      else if (owner !== d) {
        errors.push(at(d, `/domains/${i}/name`, `domain ${domain.name} is also declared in ${owner.file}: a domain belongs to one gtm file`));
      }
      domain.regions.forEach((region, j) => {
        served.add(region.name);
        if (options.hasRegionsDir && !regionFiles.has(region.name)) errors.push(at(d, `/domains/${i}/regions/${j}/name`, undeclared(region.name)));
      });
    });
    if (!gtmRegionsOfService.has(d.name)) gtmRegionsOfService.set(d.name, { file: d.file, regions: served });
  }

  const poolOwner = new Map<string, { file: string; service: string; region: string }>();
  for (const d of all) {
    if (d.kind !== 'autoscale') continue;
    const gtm = gtmRegionsOfService.get(d.name);
    d.spec.regions.forEach((region, i) => {
      if (options.hasRegionsDir && !regionFiles.has(region.name)) errors.push(at(d, `/regions/${i}/name`, undeclared(region.name)));
      // Extra: capacity in a region no domain of the service sends traffic to.
      if (gtm !== undefined && !gtm.regions.has(region.name)) {
        warnings.push(at(d, `/regions/${i}/name`, `region ${region.name} is in no domain of ${gtm.file}: its nodes would get no traffic`));
      }
      const pool = resolveNodePool(region, regions.get(region.name));
      const owner = poolOwner.get(pool);
      if (owner === undefined) {
        poolOwner.set(pool, { file: d.file, service: d.name, region: region.name });
        return;
      }
      const other = owner.file === d.file ? `region ${owner.region} of this policy` : `region ${owner.region} in ${owner.file}`;
      errors.push(at(d, `/regions/${i}/node_pool`, `node pool ${pool} is also the pool of ${other}: two policies may not share a node pool file (set node_pool)`));
    });
  }
  return { errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };
}
