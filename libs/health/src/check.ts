// What the fold needs of a NODES event, checked before any state is touched: a malformed message
// (a buggy or hostile publisher with NODES credentials) is skipped, never folded half-way, and never
// stalls the projection.
import type { NodeStreamEvent } from '@plane/events';

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STATES = new Set(['ready', 'suspect', 'down', 'draining', 'deregistered']);

/** Null when the fold can take the event; otherwise what is wrong with it, in words. */
export function nodeEventProblem(event: { type: string; id?: unknown; data?: unknown }): string | null {
  const d = event.data;
  if (!isRecord(d)) return `${event.type}: data is not an object`;
  for (const f of ['service', 'region', 'node_id'] as const) if (!isText(d[f])) return `${event.type}: data.${f} must be a non-empty string`;
  switch (event.type as NodeStreamEvent['type']) {
    case 'NodeRegistered':
      if (!Array.isArray(d.ips) || !d.ips.every(isText)) return 'NodeRegistered: data.ips must be a list of strings';
      if (d.labels !== undefined && !isRecord(d.labels)) return 'NodeRegistered: data.labels must be an object';
      return null;
    case 'NodeHeartbeat':
      if (typeof d.exporter_ok !== 'boolean') return 'NodeHeartbeat: data.exporter_ok must be true or false';
      if (d.exporter_ok) for (const f of ['cpu', 'ram', 'qps', 'rtt_ms', 'error_rate'] as const) if (!isNumber(d[f])) return `NodeHeartbeat: data.${f} must be a number`;
      return null;
    case 'ProbeResult':
      if (!isText(d.ip)) return 'ProbeResult: data.ip must be a non-empty string';
      if (typeof d.ok !== 'boolean') return 'ProbeResult: data.ok must be true or false';
      return null;
    case 'NodeDrainChanged':
      if (typeof d.draining !== 'boolean') return 'NodeDrainChanged: data.draining must be true or false';
      return null;
    case 'NodeDeregistered':
      return null;
    case 'NodeReady':
    case 'NodeSuspect':
    case 'NodeDown':
      if (typeof d.to !== 'string' || !STATES.has(d.to)) return `${event.type}: data.to must be a node state`;
      if (!isNumber(d.at)) return `${event.type}: data.at must be a number`;
      return null;
    default:
      return `${event.type}: not an event of the NODES stream`;
  }
}
