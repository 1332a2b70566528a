import { envelope, nodeKey, type NodeStateEvent } from '@plane/events';
import { assessNode } from './assess.js';
import type { HealthSettings, NodeRecord } from './types.js';

const TYPE_OF = { ready: 'NodeReady', suspect: 'NodeSuspect', down: 'NodeDown' } as const;

/**
 * decide: the state event a node needs at `now`, or null when its state stands. The id is deterministic (node, transition, last event folded), so two deciders record one event.
 */
export function decideNodeState(rec: NodeRecord, s: HealthSettings, now: number, source: string): NodeStateEvent | null {
  const h = rec.health;
  const a = assessNode(h, s, now);
  if (a.state === h.state) return null;
  if (h.state === null && a.state === 'down' && h.last_heartbeat_at === null) return null; // a new node waits silently
  const key = nodeKey(h);
  const id = `state:${key}:${h.state ?? 'new'}-${a.state}:${h.last_seq}`;
  // Draining and deregistered nodes are out of DNS like dead ones: recorded as NodeDown, reason given.
  const type = a.state === 'draining' || a.state === 'deregistered' ? 'NodeDown' : TYPE_OF[a.state];
  return envelope(
    type,
    id,
    { service: h.service, region: h.region, node_id: h.node_id, from: h.state, to: a.state, reason: a.reason, at: now, last_heartbeat_seq: h.last_heartbeat_seq, ips: h.ips },
    source,
    new Date(now),
  ) as NodeStateEvent;
}
