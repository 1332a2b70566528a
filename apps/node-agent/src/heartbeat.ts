// One heartbeat's fields and id. Pure.
import type { NodeHeartbeatData, NodeRef } from '@plane/events';
import type { ServiceReading } from './service-metrics.js';
import type { SystemSample } from './system-sampler.js';

/** The heartbeat without its path (`via` is added by whoever records it). */
export type HeartbeatFields = Omit<NodeHeartbeatData, 'via'>;

/** Deterministic: the same heartbeat sent over NATS and then over HTTP is one event on the stream. */
export function heartbeatId(ref: NodeRef, boot: number, seq: number): string {
  return `hb:${ref.service}.${ref.region}.${ref.node_id}:${boot}:${seq}`;
}

export function heartbeatFields(ref: NodeRef, seq: number, boot: number, system: SystemSample, reading: ServiceReading): HeartbeatFields {
  const base = { service: ref.service, region: ref.region, node_id: ref.node_id, seq, boot, cpu: system.cpu, ram: system.ram };
  if (reading.ok) return { ...base, ...reading.numbers, exporter_ok: true };
  return { ...base, qps: 0, rtt_ms: 0, error_rate: 0, exporter_ok: false, exporter_error: reading.error.slice(0, 500) };
}
