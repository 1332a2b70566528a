// Cloudflare API token authentication: `Authorization: Bearer <token>`.
import type { IncomingHttpHeaders } from 'node:http';
import { ERR } from './codes.js';
import { CfError } from './envelope.js';

/** Returns the token a request authenticates with, or throws Cloudflare's refusal. */
export function authenticate(headers: IncomingHttpHeaders, validToken: string): string {
  const auth = headers.authorization;
  if (headers['x-auth-key'] !== undefined || headers['x-auth-email'] !== undefined) {
    // The legacy global-key scheme: the stand-in knows no keys, so it is always refused.
    throw new CfError(403, [{ code: ERR.unknownAuthKey, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
  }
  if (auth === undefined) throw new CfError(400, [{ code: ERR.missingAuth, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }]);
  const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(auth);
  if (!m) {
    throw new CfError(400, [{ code: ERR.invalidHeaders, message: 'Invalid request headers', error_chain: [{ code: ERR.invalidAuthFormat, message: 'Invalid format for Authorization header' }] }]);
  }
  if (m[1] !== validToken) throw new CfError(403, [{ code: ERR.invalidToken, message: 'Invalid access token' }]);
  return m[1];
}
