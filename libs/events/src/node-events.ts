import type { EventEnvelope } from './envelope.js';

/** Subject tokens of one node: `node.<service>.<region>.<node_id>.<kind>`. */
export interface NodeRef {
  service: string;
  region: string;
  node_id: string;
}

export type NodeState = 'ready' | 'suspect' | 'down' | 'draining' | 'deregistered';

export interface NodeRegisteredData extends NodeRef {
  ips: string[];
  labels: Record<string, string>;
  /** The IPs it had before, when it registered again with others. */
  replaced_ips: string[] | null;
}

export interface NodeHeartbeatData extends NodeRef {
  /** The agent's counter, restarting at 1 with each boot. */
  seq: number;
  /** When the agent started (ms since epoch): with seq, identifies a heartbeat. */
  boot: number;
  cpu: number;
  ram: number;
  qps: number;
  rtt_ms: number;
  error_rate: number;
  /** False when the node's metric source failed: the node is out until one reports true. */
  exporter_ok: boolean;
  exporter_error?: string;
  /** Which path it came by. */
  via: 'nats' | 'http';
}

export interface ProbeResultData extends NodeRef {
  ip: string;
  check: 'http' | 'tcp';
  /** URL or host:port probed. */
  target: string;
  ok: boolean;
  latency_ms: number;
  status: number | null;
  error: string | null;
  /** Which prober or blackbox exporter measured it. */
  prober: string;
}

export interface NodeDeregisteredData extends NodeRef {
  reason: string;
}

export interface NodeDrainData extends NodeRef {
  draining: boolean;
  /** Who asked: `planectl@host (user)`, `autoscaler`. */
  by: string;
  reason: string;
}

/** A node's state changed; the reason says why in words and numbers. */
export interface NodeStateChangedData extends NodeRef {
  from: NodeState | null;
  to: NodeState;
  reason: string;
  /** The clock the decision used (ms since epoch). */
  at: number;
  /** Stream sequence of the last heartbeat seen (0: none), part of the deterministic id. */
  last_heartbeat_seq: number;
  ips: string[];
}

export type NodeRegistered = EventEnvelope<'NodeRegistered', NodeRegisteredData>;
export type NodeHeartbeat = EventEnvelope<'NodeHeartbeat', NodeHeartbeatData>;
export type ProbeResult = EventEnvelope<'ProbeResult', ProbeResultData>;
export type NodeDeregistered = EventEnvelope<'NodeDeregistered', NodeDeregisteredData>;
export type NodeDrainChanged = EventEnvelope<'NodeDrainChanged', NodeDrainData>;
export type NodeReady = EventEnvelope<'NodeReady', NodeStateChangedData>;
export type NodeSuspect = EventEnvelope<'NodeSuspect', NodeStateChangedData>;
export type NodeDown = EventEnvelope<'NodeDown', NodeStateChangedData>;
export type NodeStateEvent = NodeReady | NodeSuspect | NodeDown;

export type NodeStreamEvent = NodeRegistered | NodeHeartbeat | ProbeResult | NodeDeregistered | NodeDrainChanged | NodeStateEvent;

export type NodeEventKind = 'registered' | 'heartbeat' | 'probe' | 'deregistered' | 'drain' | 'state';

export function nodeSubject(ref: NodeRef, kind: NodeEventKind): string {
  return `node.${ref.service}.${ref.region}.${ref.node_id}.${kind}`;
}

/** `<service>.<region>.<node_id>`: the node's key in the `nodes` bucket. */
export function nodeKey(ref: NodeRef): string {
  return `${ref.service}.${ref.region}.${ref.node_id}`;
}

export const NODE_ID_PATTERN = /^[a-z0-9-]{1,63}$/;
