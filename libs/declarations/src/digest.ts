// Equal meaning => equal digest: the digest covers the normalized spec only,
// as canonical JSON (keys sorted, no whitespace, undefined dropped).
import { createHash } from 'node:crypto';
import type { DeclarationKind } from './types.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

export function declarationDigest(kind: DeclarationKind, name: string, spec: unknown): string {
  return createHash('sha256').update(canonicalJson({ kind, name, spec })).digest('hex');
}
