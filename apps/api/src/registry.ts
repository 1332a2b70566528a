// What the declarations say a node may register as: which regions a service runs in, and the
// networks a region's nodes must come from.
import { declarationsOf, type DesiredSnapshot } from '@plane/backbone';
import type { AutoscaleSpec, GtmSpec, RegionSpec } from '@plane/declarations';
import { ipInCidr } from './cidr.js';
import { BadRequest } from './validate.js';

export function checkPlacement(snapshot: DesiredSnapshot, service: string, region: string, ips: string[] | null): void {
  const gtm = declarationsOf<GtmSpec>(snapshot, 'gtm').get(service);
  const autoscale = declarationsOf<AutoscaleSpec>(snapshot, 'autoscale').get(service);
  if (!gtm && !autoscale) throw new BadRequest(`service: "${service}" has no gtm or autoscale declaration`);
  const regions = new Set<string>();
  for (const d of gtm?.spec.domains ?? []) for (const r of d.regions) regions.add(r.name);
  for (const r of autoscale?.spec.regions ?? []) regions.add(r.name);
  if (!regions.has(region)) throw new BadRequest(`region: "${region}" is not declared for service ${service} (declared: ${[...regions].sort().join(', ') || 'none'})`);
  const spec = declarationsOf<RegionSpec>(snapshot, 'region').get(region)?.spec;
  if (ips && spec && spec.allowed_cidrs.length > 0) {
    ips.forEach((ip, i) => {
      if (!spec.allowed_cidrs.some((c) => ipInCidr(ip, c))) throw new BadRequest(`ips[${i}]: ${ip} is outside region ${region}'s allowed_cidrs (${spec.allowed_cidrs.join(', ')})`);
    });
  }
}
