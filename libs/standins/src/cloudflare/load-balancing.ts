// Load balancing: account pools (/accounts/{account_id}/load_balancers/pools) and zone load
// balancers (/zones/{zone_id}/load_balancers). Rules enforced: pool names are tags
// ([A-Za-z0-9_-]); origins carry an address, `enabled`, and `weight` 0..1 in steps of 0.01; a
// load balancer's default_pools, fallback_pool and random_steering.pool_weights reference
// existing pools; a pool still referenced by a load balancer cannot be deleted.
import { ERR } from './codes.js';
import { CfError } from './envelope.js';
import { accountOf, objectBody, zoneOf, type HandlerResult, type RequestContext } from './context.js';
import { paginate } from './pagination.js';
import { newId, now, type StandInLoadBalancer, type StandInOrigin, type StandInPool, type StandInState, type StandInZone } from './state.js';

const STEERING = new Set(['off', 'geo', 'random', 'dynamic_latency', 'proximity', 'least_outstanding_requests', 'least_connections', '']);

function refuse(message: string): CfError {
  return new CfError(400, [{ code: ERR.lbInvalid, message }]);
}

/** A number in [0, 1] that is a multiple of `step` (float-tolerant). */
function isStepWeight(w: unknown, step: number): w is number {
  return typeof w === 'number' && w >= 0 && w <= 1 && Math.abs(w / step - Math.round(w / step)) < 1e-6;
}

function optional<T>(value: unknown, fallback: T, check: (v: unknown) => boolean, what: string): T {
  if (value === undefined) return fallback;
  if (!check(value)) throw refuse(`${what} is invalid.`);
  return value as T;
}

const isBool = (v: unknown) => typeof v === 'boolean';
const isString = (v: unknown) => typeof v === 'string';

function validateOrigin(raw: unknown, i: number): StandInOrigin {
  if (typeof raw !== 'object' || raw === null) throw refuse(`origins[${i}] must be an object.`);
  const o = raw as Record<string, unknown>;
  if (typeof o.address !== 'string' || o.address === '') throw refuse(`origins[${i}].address is required.`);
  return {
    name: optional(o.name, o.address, isString, `origins[${i}].name`),
    address: o.address,
    enabled: optional(o.enabled, true, isBool, `origins[${i}].enabled`),
    weight: optional(o.weight, 1, (w) => isStepWeight(w, 0.01), `origins[${i}].weight (0.00..1.00 in steps of 0.01)`),
  };
}

function validatePool(body: Record<string, unknown>): Omit<StandInPool, 'id' | 'accountId' | 'createdOn' | 'modifiedOn'> {
  if (typeof body.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(body.name)) throw refuse('Pool name is required; only alphanumeric characters, hyphens and underscores are allowed.');
  if (!Array.isArray(body.origins) || body.origins.length === 0) throw refuse('A pool needs at least one origin.');
  return {
    name: body.name,
    description: optional(body.description, '', isString, 'description'),
    enabled: optional(body.enabled, true, isBool, 'enabled'),
    minimumOrigins: optional(body.minimum_origins, 1, (v) => Number.isInteger(v) && (v as number) >= 0, 'minimum_origins'),
    origins: body.origins.map(validateOrigin),
  };
}

function toApiPool(p: StandInPool): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    enabled: p.enabled,
    minimum_origins: p.minimumOrigins,
    origins: p.origins.map((o) => ({ ...o })),
    created_on: p.createdOn,
    modified_on: p.modifiedOn,
  };
}

function findPool(ctx: RequestContext): StandInPool {
  accountOf(ctx);
  const pool = ctx.state.pools.get(ctx.params.poolId ?? '');
  if (!pool) throw new CfError(404, [{ code: ERR.lbNotFound, message: 'Pool not found.' }]);
  return pool;
}

export function listPools(ctx: RequestContext): HandlerResult {
  accountOf(ctx);
  const pools = [...ctx.state.pools.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const { page, info } = paginate(pools, ctx.query, { defaultPerPage: 5000, maxPerPage: 5000 });
  return { result: page.map(toApiPool), resultInfo: info };
}

export function createPool(ctx: RequestContext): HandlerResult {
  accountOf(ctx);
  const t = now();
  const pool: StandInPool = { ...validatePool(objectBody(ctx)), id: newId(), accountId: ctx.state.accountId, createdOn: t, modifiedOn: t };
  ctx.state.pools.set(pool.id, pool);
  ctx.summary = `create pool ${pool.name}`;
  return { result: toApiPool(pool) };
}

export function getPool(ctx: RequestContext): HandlerResult {
  return { result: toApiPool(findPool(ctx)) };
}

export function replacePool(ctx: RequestContext): HandlerResult {
  const existing = findPool(ctx);
  const body = objectBody(ctx);
  // PATCH keeps the fields it does not name; PUT replaces them.
  const merged = ctx.method === 'PATCH' ? { ...toApiPool(existing), ...body } : body;
  const pool: StandInPool = { ...existing, ...validatePool(merged), modifiedOn: now() };
  ctx.state.pools.set(pool.id, pool);
  ctx.summary = `${ctx.method === 'PATCH' ? 'edit' : 'update'} pool ${pool.name}`;
  return { result: toApiPool(pool) };
}

function referencedBy(state: StandInState, poolId: string): StandInLoadBalancer | undefined {
  return [...state.loadBalancers.values()].find(
    (lb) => lb.defaultPools.includes(poolId) || lb.fallbackPool === poolId || (lb.randomSteering?.pool_weights[poolId] !== undefined),
  );
}

export function deletePool(ctx: RequestContext): HandlerResult {
  const pool = findPool(ctx);
  const lb = referencedBy(ctx.state, pool.id);
  if (lb) throw new CfError(400, [{ code: ERR.poolInUse, message: `Pool ${pool.id} is referenced by load balancer ${lb.name} and cannot be deleted.` }]);
  ctx.state.pools.delete(pool.id);
  ctx.summary = `delete pool ${pool.name}`;
  return { result: { id: pool.id } };
}

function validateRandomSteering(raw: unknown, state: StandInState): StandInLoadBalancer['randomSteering'] {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object') throw refuse('random_steering must be an object.');
  const { pool_weights = {}, default_weight } = raw as Record<string, unknown>;
  if (typeof pool_weights !== 'object' || pool_weights === null) throw refuse('random_steering.pool_weights must be an object.');
  for (const [id, w] of Object.entries(pool_weights)) {
    if (!state.pools.has(id)) throw refuse(`random_steering.pool_weights references unknown pool ${id}.`);
    if (!isStepWeight(w, 0.01)) throw refuse(`random_steering.pool_weights[${id}] must be 0.00..1.00 in steps of 0.01.`);
  }
  if (default_weight !== undefined && !isStepWeight(default_weight, 0.1)) throw refuse('random_steering.default_weight must be 0.0..1.0 in steps of 0.1.');
  return { pool_weights: { ...(pool_weights as Record<string, number>) }, ...(default_weight !== undefined ? { default_weight: default_weight as number } : {}) };
}

function validateLoadBalancer(zone: StandInZone, body: Record<string, unknown>, state: StandInState) {
  const name = typeof body.name === 'string' ? body.name.toLowerCase().replace(/\.$/, '') : '';
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) throw refuse(`Load balancer name must be a hostname inside ${zone.name}.`);
  const pools = body.default_pools;
  if (!Array.isArray(pools) || pools.length === 0 || pools.some((p) => typeof p !== 'string' || !state.pools.has(p))) throw refuse('default_pools must list existing pool ids.');
  if (typeof body.fallback_pool !== 'string' || !state.pools.has(body.fallback_pool)) throw refuse('fallback_pool must be an existing pool id.');
  const steeringPolicy = optional(body.steering_policy, '', (v) => typeof v === 'string' && STEERING.has(v), 'steering_policy');
  return {
    name,
    description: optional(body.description, '', isString, 'description'),
    enabled: optional(body.enabled, true, isBool, 'enabled'),
    proxied: optional(body.proxied, false, isBool, 'proxied'),
    ttl: optional(body.ttl, 30, (v) => Number.isInteger(v) && (v as number) > 0, 'ttl'),
    steeringPolicy,
    defaultPools: pools as string[],
    fallbackPool: body.fallback_pool,
    randomSteering: validateRandomSteering(body.random_steering, state),
  };
}

function toApiLoadBalancer(lb: StandInLoadBalancer, zone: StandInZone): Record<string, unknown> {
  return {
    id: lb.id,
    name: lb.name,
    zone_name: zone.name,
    description: lb.description,
    enabled: lb.enabled,
    proxied: lb.proxied,
    ttl: lb.ttl,
    steering_policy: lb.steeringPolicy,
    default_pools: [...lb.defaultPools],
    fallback_pool: lb.fallbackPool,
    ...(lb.randomSteering ? { random_steering: { ...lb.randomSteering, pool_weights: { ...lb.randomSteering.pool_weights } } } : {}),
    created_on: lb.createdOn,
    modified_on: lb.modifiedOn,
  };
}

function findLoadBalancer(ctx: RequestContext): { lb: StandInLoadBalancer; zone: StandInZone } {
  const zone = zoneOf(ctx);
  const lb = ctx.state.loadBalancers.get(ctx.params.lbId ?? '');
  if (!lb || lb.zoneId !== zone.id) throw new CfError(404, [{ code: ERR.lbNotFound, message: 'Load balancer not found.' }]);
  return { lb, zone };
}

export function listLoadBalancers(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const lbs = [...ctx.state.loadBalancers.values()].filter((lb) => lb.zoneId === zone.id).sort((a, b) => a.name.localeCompare(b.name));
  return { result: lbs.map((lb) => toApiLoadBalancer(lb, zone)) };
}

export function createLoadBalancer(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const fields = validateLoadBalancer(zone, objectBody(ctx), ctx.state);
  if ([...ctx.state.loadBalancers.values()].some((lb) => lb.zoneId === zone.id && lb.name === fields.name)) throw refuse(`A load balancer named ${fields.name} already exists.`);
  const t = now();
  const lb: StandInLoadBalancer = { ...fields, id: newId(), zoneId: zone.id, createdOn: t, modifiedOn: t };
  ctx.state.loadBalancers.set(lb.id, lb);
  ctx.summary = `create load balancer ${lb.name}`;
  return { result: toApiLoadBalancer(lb, zone) };
}

export function getLoadBalancer(ctx: RequestContext): HandlerResult {
  const { lb, zone } = findLoadBalancer(ctx);
  return { result: toApiLoadBalancer(lb, zone) };
}

export function replaceLoadBalancer(ctx: RequestContext): HandlerResult {
  const { lb: existing, zone } = findLoadBalancer(ctx);
  const body = objectBody(ctx);
  const merged = ctx.method === 'PATCH' ? { ...toApiLoadBalancer(existing, zone), ...body } : body;
  const fields = validateLoadBalancer(zone, merged, ctx.state);
  if (fields.name !== existing.name && [...ctx.state.loadBalancers.values()].some((lb) => lb.zoneId === zone.id && lb.name === fields.name)) {
    throw refuse(`A load balancer named ${fields.name} already exists.`);
  }
  const lb: StandInLoadBalancer = { ...existing, ...fields, modifiedOn: now() };
  ctx.state.loadBalancers.set(lb.id, lb);
  ctx.summary = `${ctx.method === 'PATCH' ? 'edit' : 'update'} load balancer ${lb.name}`;
  return { result: toApiLoadBalancer(lb, zone) };
}

export function deleteLoadBalancer(ctx: RequestContext): HandlerResult {
  const { lb } = findLoadBalancer(ctx);
  ctx.state.loadBalancers.delete(lb.id);
  ctx.summary = `delete load balancer ${lb.name}`;
  return { result: { id: lb.id } };
}
