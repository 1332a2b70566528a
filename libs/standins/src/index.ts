// Local stand-ins of vendor HTTP APIs: the official SDKs are pointed at them in tests and in the
// demo. Each enforces the vendor's documented rules and can inject failures.
export { startRoute53StandIn, type Route53StandIn, type Route53StandInOptions } from './route53/index.js';
export { startCloudflareStandIn, type CloudflareStandIn, type CloudflareStandInOptions } from './cloudflare/index.js';
export { startAlidnsStandIn, type AlidnsStandIn, type AlidnsStandInOptions } from './alidns/index.js';
export { startGitHubStandIn } from './github/index.js';
