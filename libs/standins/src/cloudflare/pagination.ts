// Cloudflare's page/per_page pagination with result_info. A page past the end is empty (not an
// error), which is what the SDK's auto-pagination relies on to stop.
import { ERR } from './codes.js';
import { CfError, type ResultInfo } from './envelope.js';

export interface PageLimits {
  defaultPerPage: number;
  /** Larger requests are served at this size (the SDK then follows total_pages). */
  maxPerPage: number;
}

function positiveInt(query: URLSearchParams, key: string, fallback: number): number {
  const raw = query.get(key);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CfError(400, [{ code: ERR.invalidRequest, message: `${key} must be a positive integer` }]);
  return n;
}

export function paginate<T>(items: T[], query: URLSearchParams, limits: PageLimits): { page: T[]; info: ResultInfo } {
  const page = positiveInt(query, 'page', 1);
  const perPage = Math.min(positiveInt(query, 'per_page', limits.defaultPerPage), limits.maxPerPage);
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  return {
    page: slice,
    info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) },
  };
}
