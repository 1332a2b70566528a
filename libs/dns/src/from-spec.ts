// Builds a provider adapter from a gtm declaration's dns block. Secrets are resolved here, by
// reference (env or file), at the moment of use; they are never logged or recorded.
import type { DnsSpec } from '@plane/declarations';
import type { DnsProvider } from './model.js';
import { createAlidnsProvider } from './providers/alidns/index.js';
import { createCloudflareProvider } from './providers/cloudflare/index.js';
import { createPowerDnsProvider } from './providers/powerdns/index.js';
import { createRoute53Provider } from './providers/route53/index.js';
import { canonicalJson } from '@plane/events';
import { ConfigError, readSecret, type SecretRef } from '@plane/runtime';

function secret(ref: SecretRef | undefined, fallbackEnv: string[], what: string, env: NodeJS.ProcessEnv): string {
  if (ref) return readSecret(ref, env);
  for (const name of fallbackEnv) if (env[name]) return env[name]!.trim();
  throw new ConfigError(`${what}: no credentials: declare dns.credentials ({ env: NAME } or { file: /path }) or set ${fallbackEnv.join(' / ')}`);
}

function pair(value: string, what: string): [string, string] {
  const i = value.indexOf(':');
  if (i <= 0) throw new ConfigError(`${what}: credentials must be ID:SECRET`);
  return [value.slice(0, i), value.slice(i + 1)];
}

export function createProvider(spec: DnsSpec, env: NodeJS.ProcessEnv = process.env): DnsProvider {
  switch (spec.provider) {
    case 'powerdns': {
      if (!spec.api_url) throw new ConfigError('powerdns: dns.api_url is required (e.g. http://127.0.0.1:8081)');
      return createPowerDnsProvider({ apiUrl: spec.api_url, apiKey: secret(spec.credentials, ['PDNS_API_KEY'], 'powerdns', env), serverId: spec.server_id });
    }
    case 'route53': {
      const [accessKeyId, secretAccessKey] = spec.credentials
        ? pair(readSecret(spec.credentials, env), 'route53')
        : [secret(undefined, ['AWS_ACCESS_KEY_ID'], 'route53', env), secret(undefined, ['AWS_SECRET_ACCESS_KEY'], 'route53', env)];
      return createRoute53Provider({
        accessKeyId,
        secretAccessKey,
        ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
        ...(spec.region ? { region: spec.region } : {}),
        ...(spec.hosted_zone_id ? { hostedZoneId: spec.hosted_zone_id } : {}),
      });
    }
    case 'cloudflare':
      return createCloudflareProvider({
        apiToken: secret(spec.credentials, ['CLOUDFLARE_API_TOKEN'], 'cloudflare', env),
        mode: spec.mode,
        ...(spec.api_url ? { baseURL: spec.api_url } : {}),
        ...(spec.zone_id ? { zoneId: spec.zone_id } : {}),
        ...(spec.account_id ? { accountId: spec.account_id } : {}),
      });
    case 'alidns': {
      const [accessKeyId, accessKeySecret] = spec.credentials
        ? pair(readSecret(spec.credentials, env), 'alidns')
        : [secret(undefined, ['ALIBABA_CLOUD_ACCESS_KEY_ID'], 'alidns', env), secret(undefined, ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'], 'alidns', env)];
      return createAlidnsProvider({ accessKeyId, accessKeySecret, ...(spec.endpoint ? { endpoint: spec.endpoint } : {}) });
    }
  }
}

/** One adapter per distinct dns block (its rate limiter and caches are shared). */
export class ProviderCache {
  private readonly cache = new Map<string, DnsProvider>();
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  get(spec: DnsSpec): DnsProvider {
    const key = canonicalJson(spec);
    let p = this.cache.get(key);
    if (!p) {
      p = createProvider(spec, this.env);
      this.cache.set(key, p);
    }
    return p;
  }
}

