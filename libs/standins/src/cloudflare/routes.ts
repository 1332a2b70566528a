// The API paths the stand-in serves (relative to /client/v4), method by method.
import type { Handler } from './context.js';
import { batchRecords } from './dns-batch.js';
import { createRecord, deleteRecord, editRecord, getRecord, listRecords, overwriteRecord } from './dns-records.js';
import {
  createLoadBalancer,
  createPool,
  deleteLoadBalancer,
  deletePool,
  getLoadBalancer,
  getPool,
  listLoadBalancers,
  listPools,
  replaceLoadBalancer,
  replacePool,
} from './load-balancing.js';
import { getZone, listZones } from './zones.js';

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const ID = '([0-9a-f]{32})';
const ANY = '([^/]+)';

const ROUTES: Route[] = [
  { pattern: /^\/zones$/, methods: { GET: listZones } },
  { pattern: new RegExp(`^/zones/${ANY}$`), methods: { GET: getZone } },
  { pattern: new RegExp(`^/zones/${ANY}/dns_records$`), methods: { GET: listRecords, POST: createRecord } },
  { pattern: new RegExp(`^/zones/${ANY}/dns_records/batch$`), methods: { POST: batchRecords } },
  { pattern: new RegExp(`^/zones/${ANY}/dns_records/${ID}$`), methods: { GET: getRecord, PUT: overwriteRecord, PATCH: editRecord, DELETE: deleteRecord } },
  { pattern: new RegExp(`^/accounts/${ANY}/load_balancers/pools$`), methods: { GET: listPools, POST: createPool } },
  { pattern: new RegExp(`^/accounts/${ANY}/load_balancers/pools/${ID}$`), methods: { GET: getPool, PUT: replacePool, PATCH: replacePool, DELETE: deletePool } },
  { pattern: new RegExp(`^/zones/${ANY}/load_balancers$`), methods: { GET: listLoadBalancers, POST: createLoadBalancer } },
  { pattern: new RegExp(`^/zones/${ANY}/load_balancers/${ID}$`), methods: { GET: getLoadBalancer, PUT: replaceLoadBalancer, PATCH: replaceLoadBalancer, DELETE: deleteLoadBalancer } },
];

/** Names of the captured path segments, in order, per route shape. */
function paramNames(path: string): string[] {
  if (path.startsWith('/accounts/')) return ['accountId', 'poolId'];
  if (path.includes('/dns_records/')) return ['zoneId', 'recordId'];
  if (path.includes('/load_balancers/')) return ['zoneId', 'lbId'];
  return ['zoneId'];
}

export function matchRoute(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const handler = route.methods[method];
    if (!handler) return undefined;
    const names = paramNames(path);
    return { handler, params: Object.fromEntries(m.slice(1).map((v, i) => [names[i]!, decodeURIComponent(v)])) };
  }
  return undefined;
}
