// Checks the common parameters every RPC call must carry, as the POP gateway does before the
// action runs: presence, version, timestamp format and age, nonce reuse, access key, signature.
import { aliErrors } from './errors.js';
import type { RpcParams } from './params.js';
import { rpcSignature } from './signature.js';

export const API_VERSION = '2015-01-09';
/** The gateway refuses timestamps further than this from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const REQUIRED = ['Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'Timestamp', 'SignatureVersion', 'SignatureNonce', 'Signature'];

export interface Credentials {
  /** When set, any other AccessKeyId is unknown. */
  accessKeyId?: string;
  /** When set, signatures are verified; otherwise any signature value is accepted. */
  accessKeySecret?: string;
}

export class CommonParamsChecker {
  private readonly nonces = new Set<string>();

  constructor(private readonly credentials: Credentials) {}

  check(method: string, params: RpcParams): void {
    for (const name of REQUIRED) params.required(name);
    if (params.required('Version') !== API_VERSION) throw aliErrors.invalidVersion();
    if (params.required('Format').toUpperCase() !== 'JSON') throw aliErrors.invalidParameter('Format', '(stand-in: JSON only)');
    if (params.required('SignatureMethod') !== 'HMAC-SHA1') throw aliErrors.invalidParameter('SignatureMethod');
    if (params.required('SignatureVersion') !== '1.0') throw aliErrors.invalidParameter('SignatureVersion');
    checkTimestamp(params.required('Timestamp'));
    const nonce = params.required('SignatureNonce');
    if (this.nonces.has(nonce)) throw aliErrors.nonceUsed();
    if (this.credentials.accessKeyId !== undefined && params.required('AccessKeyId') !== this.credentials.accessKeyId) {
      throw aliErrors.accessKeyNotFound();
    }
    if (this.credentials.accessKeySecret !== undefined) {
      const expected = rpcSignature(method, params.entries(), this.credentials.accessKeySecret);
      if (params.required('Signature') !== expected) throw aliErrors.signatureMismatch();
    }
    this.nonces.add(nonce);
  }
}

function checkTimestamp(ts: string): void {
  // ISO 8601 in UTC, seconds precision, as the SDKs send it: 2024-01-02T03:04:05Z
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(ts) || Number.isNaN(Date.parse(ts))) throw aliErrors.timestampFormat();
  if (Math.abs(Date.now() - Date.parse(ts)) > MAX_CLOCK_SKEW_MS) throw aliErrors.timestampExpired();
}
