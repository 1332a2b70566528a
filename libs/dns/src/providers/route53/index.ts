export { createRoute53Provider, type Route53ProviderOptions } from './provider.js';
export { OWNERSHIP_MARKER, registryName } from './registry.js';
export { planBatches, ROUTE53_BATCH_LIMITS, type BatchLimits } from './batches.js';
export type { InsyncPolling } from './wait-insync.js';
