// NODES events as the plane records them, for the specs.
import { envelope, type NodeRef, type NodeState, type NodeStreamEvent } from '@plane/events';

let n = 0;
const next = () => ++n;

export function ref(node_id: string, region = 'jp', service = 'svc'): NodeRef {
  return { service, region, node_id };
}

export const registered = (r: NodeRef, ips: string[]): NodeStreamEvent =>
  envelope('NodeRegistered', `reg:${r.node_id}:${next()}`, { ...r, ips, labels: {}, replaced_ips: null }, 'test');

export const deregistered = (r: NodeRef): NodeStreamEvent => envelope('NodeDeregistered', `dereg:${r.node_id}:${next()}`, { ...r, reason: 'scale-in' }, 'test');

export const drain = (r: NodeRef, draining: boolean): NodeStreamEvent =>
  envelope('NodeDrainChanged', `drain:${r.node_id}:${next()}`, { ...r, draining, by: 'planectl@test', reason: 'maintenance' }, 'test');

const TYPE = { ready: 'NodeReady', suspect: 'NodeSuspect', down: 'NodeDown', draining: 'NodeDown', deregistered: 'NodeDown' } as const;

export const state = (r: NodeRef, to: NodeState, ips: string[], from: NodeState | null = null): NodeStreamEvent =>
  envelope(TYPE[to], `state:${r.node_id}:${next()}`, { ...r, from, to, reason: `test: ${to}`, at: 1_700_000_000_000 + n, last_heartbeat_seq: n, ips }, 'test') as NodeStreamEvent;

export const heartbeat = (r: NodeRef, seq: number): NodeStreamEvent =>
  envelope('NodeHeartbeat', `hb:${r.node_id}:${next()}`, { ...r, seq, boot: 1, cpu: 0.3, ram: 0.3, qps: 10, rtt_ms: 20, error_rate: 0, exporter_ok: true, via: 'nats' as const }, 'test');

export const probe = (r: NodeRef, ip: string, ok: boolean): NodeStreamEvent =>
  envelope('ProbeResult', `probe:${r.node_id}:${next()}`, { ...r, ip, check: 'http' as const, target: `http://${ip}/`, ok, latency_ms: 2, status: ok ? 200 : 500, error: ok ? null : 'HTTP 500', prober: 'test' }, 'test');

/** The subject kind of an event on NODES. */
export function kindOf(e: NodeStreamEvent): 'registered' | 'deregistered' | 'drain' | 'state' | 'heartbeat' | 'probe' {
  switch (e.type) {
    case 'NodeRegistered':
      return 'registered';
    case 'NodeDeregistered':
      return 'deregistered';
    case 'NodeDrainChanged':
      return 'drain';
    case 'NodeHeartbeat':
      return 'heartbeat';
    case 'ProbeResult':
      return 'probe';
    default:
      return 'state';
  }
}
