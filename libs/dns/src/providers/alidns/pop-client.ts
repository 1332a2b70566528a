// The one way this adapter reaches AliDNS: the official RPC client (@alicloud/pop-core, CommonJS,
// imported through its default export under NodeNext), POST only so that no signed query string
// ever lands in an error message, writes paced by a token bucket, every call counted.
import RPCClient from '@alicloud/pop-core';
import { toDnsProviderError } from './errors.js';
import type { TokenBucket } from '../../pacing.js';

export const API_VERSION = '2015-01-09';

export type RpcParamValue = string | number | boolean;

export interface AlidnsRpc {
  read(action: string, params: Record<string, RpcParamValue>): Promise<unknown>;
  write(action: string, params: Record<string, RpcParamValue>): Promise<unknown>;
  /** Requests sent so far (failed ones included). */
  readonly calls: number;
}

export interface AlidnsRpcOptions {
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string;
  timeoutMs: number;
  writePace: TokenBucket;
}

export function createAlidnsRpc(opts: AlidnsRpcOptions): AlidnsRpc {
  const client = new RPCClient({
    accessKeyId: opts.accessKeyId,
    accessKeySecret: opts.accessKeySecret,
    endpoint: opts.endpoint,
    apiVersion: API_VERSION,
  });
  let calls = 0;
  const send = async (action: string, params: Record<string, RpcParamValue>): Promise<unknown> => {
    calls += 1;
    try {
      // formatParams: false — our parameter names are already the vendor's (RR, TTL, ...).
      return await client.request<unknown>(action, params, { method: 'POST', timeout: opts.timeoutMs, formatParams: false });
    } catch (err) {
      throw toDnsProviderError(action, err);
    }
  };
  return {
    read: send,
    write: async (action, params) => {
      await opts.writePace.take();
      return send(action, params);
    },
    get calls() {
      return calls;
    },
  };
}
