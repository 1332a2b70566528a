export { createCloudflareProvider } from './provider.js';
export { CLOUDFLARE_DEFAULT_BASE_URL, type CloudflareMode, type CloudflareProviderOptions } from './options.js';
export { OWNERSHIP_MARKER, poolName } from './ownership.js';
