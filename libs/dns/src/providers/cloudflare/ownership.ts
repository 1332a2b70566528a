// Our ownership marker. DNS records carry it in `comment` (available on every plan; tags are
// paid-plan only); pools and load balancers in `description`, followed by what they stand for.
export const OWNERSHIP_MARKER = 'managed-by=plane';

/** The marker as a whole word: `managed-by=plane-legacy` is someone else's. */
export function isOwned(text: string | null | undefined): boolean {
  return typeof text === 'string' && text.split(/\s+/).includes(OWNERSHIP_MARKER);
}

/** The comment on every DNS record we write. */
export const RECORD_COMMENT = OWNERSHIP_MARKER;

export interface PoolIdentity {
  domain: string;
  region: string;
}

/** `managed-by=plane domain=api.example.com region=eu-west` */
export function poolDescription(id: PoolIdentity): string {
  return `${OWNERSHIP_MARKER} domain=${id.domain} region=${encodeURIComponent(id.region)}`;
}

export function parsePoolDescription(description: string | undefined): PoolIdentity | undefined {
  if (!isOwned(description)) return undefined;
  const domain = /(?:^|\s)domain=(\S+)/.exec(description!)?.[1];
  const region = /(?:^|\s)region=(\S+)/.exec(description!)?.[1];
  return domain && region ? { domain, region: decodeURIComponent(region) } : undefined;
}

export function loadBalancerDescription(domain: string): string {
  return `${OWNERSHIP_MARKER} domain=${domain}`;
}

/**
 * Pool names are tags (letters, digits, `-`, `_`) and unique per account in practice, so they
 * are derived from domain and region: `api_example_com--eu-west`. They are for humans; the
 * description, not the name, is what identifies a pool to us.
 */
export function poolName(id: PoolIdentity): string {
  const tag = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]/g, '_');
  return `${tag(id.domain)}--${tag(id.region)}`;
}
