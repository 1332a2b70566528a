// Subject and key naming. Tokens are lowercase; a DNS name's dots would split a subject token, so
// a domain travels as one token with '.' -> '_' (the payload keeps the real name).

const TOKEN = /^[a-z0-9_-]{1,128}$/;

export function assertToken(token: string, what: string): string {
  if (!TOKEN.test(token)) throw new Error(`${what} "${token}" is not a valid subject token ([a-z0-9_-], 1..128)`);
  return token;
}

export function domainToken(domain: string): string {
  return assertToken(domain.toLowerCase().replace(/\.$/, '').replace(/\./g, '_'), 'domain');
}

/** A repository's short name for subjects: the last path part without `.git`, lowercase. */
export function repoToken(url: string): string {
  const clean = url.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  const last = clean.split(/[/:]/).filter(Boolean).pop() ?? 'repo';
  const token = last.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
  return token.length > 0 ? token : 'repo';
}

export type DeclarationKind = 'gtm' | 'autoscale' | 'region';

export const subjects = {
  declaration: (kind: DeclarationKind, name: string) => `decl.${kind}.${assertToken(name, 'name')}`,
  declarationsAll: 'decl.>',
  sync: (repo: string) => `decl.sync.${assertToken(repo, 'repo')}`,
  rejected: (repo: string) => `decl.rejected.${assertToken(repo, 'repo')}`,
  /** Core NATS request subject: "sync now" for a running gitops-sync. */
  syncRequest: (repo: string) => `plane.ctl.sync.${assertToken(repo, 'repo')}`,
  syncRequestAll: 'plane.ctl.sync.*',
  nodesAll: 'node.>',
  gtmDecision: (domain: string) => `gtm.decision.${domainToken(domain)}`,
  gtmAlert: (domain: string) => `gtm.alert.${domainToken(domain)}`,
  dnsCommand: (provider: string, zone: string) => `cmd.dns.${assertToken(provider, 'provider')}.${domainToken(zone)}`,
  dnsOutcome: (outcome: string, zone: string) => `dns.${assertToken(outcome, 'outcome')}.${domainToken(zone)}`,
} as const;

/** Key of a declaration in the `desired` bucket. */
export function desiredKey(kind: DeclarationKind, name: string): string {
  return `${kind}.${name}`;
}
