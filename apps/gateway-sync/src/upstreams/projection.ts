// The `upstreams` projection: NODES -> which nodes of each service and region take gateway
// traffic. `applyUpstreams` is the pure evolve step (no clock, no I/O): folding the same events
// gives the same bucket, so deleting the bucket and replaying NODES rebuilds it byte for byte.
import { STREAMS, type BucketDefinition, type KvOp, type ProjectionDefinition, type StoredEvent } from '@plane/backbone';
import type { NodeStreamEvent } from '@plane/events';
import { cleanIps, parsePool, poolKey, poolValue, type UpstreamMember } from './pool.js';

export const UPSTREAMS_BUCKET: BucketDefinition = {
  name: 'upstreams',
  description: 'Projection of NODES: serving nodes (and the inputs that decided it) per <service>.<region>, for API gateways',
  history: 1,
};

interface PoolState {
  service: string;
  region: string;
  members: Map<string, UpstreamMember>;
  /** The JSON last written for this pool: an unchanged pool is not written again. */
  written: string;
}

export interface UpstreamsState {
  pools: Map<string, PoolState>;
  /** Stream sequence of the last event that changed a pool (0: none since start). */
  lastChangeSeq: number;
}

/**
 * Heartbeats and probes change no pool, yet they are most of NODES. The resume point moves with
 * each pool change, and otherwise only every this many events, so a quiet fleet costs no
 * checkpoint write per heartbeat and a restart re-reads at most this many irrelevant events.
 */
export const CHECKPOINT_EVERY = 4096;

export function initUpstreams(entries: Map<string, unknown>): UpstreamsState {
  const pools = new Map<string, PoolState>();
  for (const [key, value] of entries) {
    const pool = parsePool(value);
    if (!pool || key !== poolKey(pool.service, pool.region)) continue;
    const members = new Map(Object.entries(pool.members).map(([id, m]) => [id, { state: m.state, draining: m.draining, ips: [...m.ips] }]));
    pools.set(key, { service: pool.service, region: pool.region, members, written: JSON.stringify(poolValue(pool.service, pool.region, members)) });
  }
  return { pools, lastChangeSeq: 0 };
}

function poolOf(state: UpstreamsState, service: string, region: string): PoolState {
  const key = poolKey(service, region);
  let pool = state.pools.get(key);
  if (!pool) {
    // A pool, once known, stays (with no servers when its nodes are gone): an nginx config that
    // names its upstream must keep loading.
    pool = { service, region, members: new Map(), written: '' };
    state.pools.set(key, pool);
  }
  return pool;
}

function memberOf(pool: PoolState, nodeId: string): UpstreamMember {
  let m = pool.members.get(nodeId);
  if (!m) {
    m = { state: null, draining: false, ips: [] };
    pool.members.set(nodeId, m);
  }
  return m;
}

/** evolve: one NODES event -> the bucket writes it causes (none when no pool changed). */
export function applyUpstreams(state: UpstreamsState, stored: StoredEvent): KvOp[] {
  const event = stored.event as NodeStreamEvent;
  const d = event.data;
  switch (event.type) {
    case 'NodeHeartbeat':
    case 'ProbeResult':
      return [];
    case 'NodeRegistered': {
      const m = memberOf(poolOf(state, d.service, d.region), d.node_id);
      m.ips = cleanIps(event.data.ips);
      break;
    }
    case 'NodeDeregistered':
      // Out at once, and forgotten: a node that registers again must be declared ready again.
      if (!state.pools.has(poolKey(d.service, d.region))) return [];
      poolOf(state, d.service, d.region).members.delete(d.node_id);
      break;
    case 'NodeDrainChanged':
      memberOf(poolOf(state, d.service, d.region), d.node_id).draining = event.data.draining;
      break;
    case 'NodeReady':
    case 'NodeSuspect':
    case 'NodeDown': {
      if (event.data.to === 'deregistered') {
        if (!state.pools.has(poolKey(d.service, d.region))) return [];
        poolOf(state, d.service, d.region).members.delete(d.node_id);
        break;
      }
      const m = memberOf(poolOf(state, d.service, d.region), d.node_id);
      m.state = event.data.to;
      const ips = cleanIps(event.data.ips);
      if (ips.length > 0) m.ips = ips;
      break;
    }
    default: {
      const never: never = event;
      void never;
      return [];
    }
  }
  const key = poolKey(d.service, d.region);
  const pool = state.pools.get(key)!;
  const value = poolValue(pool.service, pool.region, pool.members);
  const json = JSON.stringify(value);
  if (json === pool.written) return [];
  pool.written = json;
  state.lastChangeSeq = stored.seq;
  return [{ op: 'put', key, value }];
}

/** Every applied event is in the bucket at once, so any point up to lastApplied is safe; see CHECKPOINT_EVERY. */
export function upstreamsSafePosition(state: UpstreamsState, lastApplied: number): number {
  return Math.min(lastApplied, Math.max(state.lastChangeSeq, lastApplied - (lastApplied % CHECKPOINT_EVERY)));
}

export function upstreamsProjection(bucket: BucketDefinition = UPSTREAMS_BUCKET): ProjectionDefinition<UpstreamsState> {
  return {
    name: 'upstreams',
    stream: STREAMS.nodes.name,
    // One filter (2.9): registrations, drains and deregistrations matter as much as state events.
    filter: 'node.>',
    bucket,
    init: initUpstreams,
    apply: applyUpstreams,
    safePosition: upstreamsSafePosition,
  };
}
