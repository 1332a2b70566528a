// One RPC request's parameters (query string and form body merged), with the typed accessors the
// actions use. Every accessor throws the gateway's own error for an absent or malformed value.
import { aliErrors } from './errors.js';

/** Parameters the POP gateway takes on every action (signing, versioning, language). */
export const COMMON_PARAMS = [
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'Timestamp',
  'SignatureVersion',
  'SignatureNonce',
  'Signature',
  'SecurityToken',
  'RegionId',
  'Lang',
  'UserClientIp',
] as const;

export class RpcParams {
  constructor(private readonly values: Map<string, string>) {}

  static parse(query: URLSearchParams, body: URLSearchParams): RpcParams {
    const values = new Map<string, string>();
    for (const [k, v] of query) values.set(k, v);
    for (const [k, v] of body) values.set(k, v);
    return new RpcParams(values);
  }

  has(name: string): boolean {
    return this.values.has(name) && this.values.get(name) !== '';
  }

  optional(name: string): string | undefined {
    return this.has(name) ? this.values.get(name) : undefined;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw aliErrors.missing(name);
    return v;
  }

  /** An integer within [min, max]; absent -> fallback (or Missing<name> when there is none). */
  int(name: string, range: { min: number; max: number }, fallback?: number): number {
    const raw = this.optional(name);
    if (raw === undefined) {
      if (fallback === undefined) throw aliErrors.missing(name);
      return fallback;
    }
    if (!/^-?\d+$/.test(raw)) throw aliErrors.invalidParameter(name);
    const n = Number(raw);
    if (n < range.min || n > range.max) throw aliErrors.invalidParameter(name);
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw aliErrors.invalidParameter(name);
  }

  /** The real API ignores unknown parameters; the stand-in refuses them so a misspelt one (say `Ttl`) cannot pass silently. */
  allowOnly(action: string, names: readonly string[]): void {
    const allowed = new Set<string>([...COMMON_PARAMS, ...names]);
    for (const k of this.values.keys()) if (!allowed.has(k)) throw aliErrors.unknownParameter(k, action);
  }

  /** Every parameter but the secret-bearing ones, for the request log. */
  summary(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.values) if (k !== 'Signature' && k !== 'AccessKeyId' && k !== 'SecurityToken') out[k] = v;
    return out;
  }

  entries(): [string, string][] {
    return [...this.values.entries()];
  }
}
