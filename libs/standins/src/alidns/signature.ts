// The RPC (signature version 1.0) string-to-sign: METHOD&%2F&percent(sorted "k=v" pairs joined by &),
// HMAC-SHA1 with key `secret&`, base64. Used to check the official SDK signs what it sends.
import { createHmac } from 'node:crypto';

/** RFC 3986 percent-encoding as the POP gateway wants it (encodeURIComponent leaves !'()* alone). */
export function popEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function rpcSignature(method: string, params: [string, string][], accessKeySecret: string): string {
  const canonical = params
    .filter(([k]) => k !== 'Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${popEncode(k)}=${popEncode(v)}`)
    .join('&');
  const stringToSign = `${method.toUpperCase()}&${popEncode('/')}&${popEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
}
