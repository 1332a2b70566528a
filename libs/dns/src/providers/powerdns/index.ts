export { createPowerDnsProvider, type PowerDnsProviderOptions } from './provider.js';
export { OWNERSHIP_MARKER as POWERDNS_OWNERSHIP_MARKER } from './ownership.js';
