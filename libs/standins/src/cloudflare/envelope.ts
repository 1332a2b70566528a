// Cloudflare's v4 response envelope: every answer, success or not, is
// { success, errors: [{ code, message }], messages, result, result_info? }.
import { ERR } from './codes.js';

export interface CfErrorItem {
  code: number;
  message: string;
  /** Where in the request the problem is (Cloudflare's own `source.pointer`), e.g. `/posts/2`. */
  source?: { pointer: string };
  /** Cloudflare nests the detailed cause under a generic code (1004 -> 9021, ...). */
  error_chain?: CfErrorItem[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** A refusal the handlers throw; the server turns it into an error envelope. */
export class CfError extends Error {
  constructor(
    readonly status: number,
    readonly errors: CfErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }

  /** Same errors, pointing at an element of a batch request. */
  at(pointer: string): CfError {
    return new CfError(
      this.status,
      this.errors.map((e) => ({ ...e, source: { pointer } })),
      this.headers,
    );
  }
}

/** 400 "DNS Validation Error" (1004) with the specific cause chained under it, as Cloudflare answers. */
export function dnsValidationError(code: number, message: string): CfError {
  return new CfError(400, [{ code: ERR.dnsValidation, message: 'DNS Validation Error', error_chain: [{ code, message }] }]);
}

export function successBody(result: unknown, resultInfo?: ResultInfo): string {
  return JSON.stringify({ success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
}

export function errorBody(errors: CfErrorItem[]): string {
  return JSON.stringify({ success: false, errors, messages: [], result: null });
}
