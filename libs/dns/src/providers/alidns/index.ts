export { createAlidnsProvider, ALIDNS_DEFAULT_ENDPOINT, type AlidnsProviderOptions } from './provider.js';
export { OWNER_MARKER as ALIDNS_OWNER_MARKER } from './record-sets.js';
