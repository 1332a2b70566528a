export * from './model.js';
export { renderRecordSets, scaleWeights, type RenderOptions } from './render.js';
export { planDnsChanges, describeChange, type DnsPlan, type NameConflict } from './plan.js';
export { createPowerDnsProvider, type PowerDnsProviderOptions } from './providers/powerdns/index.js';
export { createRoute53Provider, type Route53ProviderOptions } from './providers/route53/index.js';
export { createCloudflareProvider, type CloudflareProviderOptions, type CloudflareMode } from './providers/cloudflare/index.js';
export { createAlidnsProvider, type AlidnsProviderOptions } from './providers/alidns/index.js';
export { createProvider, ProviderCache } from './from-spec.js';
export { describeProvider, ZoneNotFoundError, ZoneResolver, zoneOfDomain, type ProviderSource, type ZoneResolverOptions } from './zones.js';
