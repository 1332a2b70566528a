// Our ownership marker on PowerDNS: an RRset comment. Comments belong to (name, type), so the
// marker covers exactly the RRset it sits on; DELETE removes it with the records.
import type { PdnsRrset } from './api.js';

export const OWNERSHIP_MARKER = 'managed-by=plane';
export const OWNERSHIP_ACCOUNT = 'plane';

export function ownershipComment(): { content: string; account: string } {
  return { content: OWNERSHIP_MARKER, account: OWNERSHIP_ACCOUNT };
}

/** Owned = one of its comments holds the marker as a whole word (a human may add more text). */
export function isOwned(rrset: Pick<PdnsRrset, 'comments'>): boolean {
  return (rrset.comments ?? []).some((c) => c.content.split(/[\s,;]+/).includes(OWNERSHIP_MARKER));
}
