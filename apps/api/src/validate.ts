// Validation of the nodes' HTTP bodies (INTERFACES.md). Each problem names the field.
import { isIP } from 'node:net';
import { NODE_ID_PATTERN, type NodeHeartbeatData } from '@plane/events';

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

const NAME = /^[a-z0-9-]{1,63}$/;

type Body = Record<string, unknown>;

export function asObject(value: unknown): Body {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('body: expected a JSON object');
  return value as Body;
}

function name(b: Body, field: string): string {
  const v = b[field];
  if (typeof v !== 'string' || !(field === 'node_id' ? NODE_ID_PATTERN : NAME).test(v)) {
    throw new BadRequest(`${field}: expected [a-z0-9-], 1 to 63 characters${typeof v === 'string' ? `, got "${v.slice(0, 80)}"` : ''}`);
  }
  return v;
}

function ratio(b: Body, field: string): number {
  const v = b[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new BadRequest(`${field}: expected a number from 0 to 1`);
  return v;
}

function nonNegative(b: Body, field: string): number {
  const v = b[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BadRequest(`${field}: expected a number >= 0`);
  return v;
}

export function checkKnownFields(b: Body, allowed: readonly string[]): void {
  for (const k of Object.keys(b)) if (!allowed.includes(k)) throw new BadRequest(`${k}: unknown field (allowed: ${allowed.join(', ')})`);
}

export interface RegisterBody {
  service: string;
  region: string;
  node_id: string;
  ips: string[];
  labels: Record<string, string>;
}

export function parseRegister(value: unknown): RegisterBody {
  const b = asObject(value);
  checkKnownFields(b, ['service', 'region', 'node_id', 'ips', 'labels']);
  const service = name(b, 'service');
  const region = name(b, 'region');
  const node_id = name(b, 'node_id');
  if (!Array.isArray(b.ips) || b.ips.length === 0 || b.ips.length > 16) throw new BadRequest('ips: expected 1 to 16 IP addresses');
  const ips = b.ips.map((ip, i) => {
    if (typeof ip !== 'string' || isIP(ip) === 0) throw new BadRequest(`ips[${i}]: "${String(ip).slice(0, 60)}" is not an IPv4 or IPv6 address`);
    return ip.toLowerCase();
  });
  const labels: Record<string, string> = {};
  if (b.labels !== undefined) {
    const l = asObject(b.labels);
    const entries = Object.entries(l);
    if (entries.length > 32) throw new BadRequest('labels: at most 32 labels');
    for (const [k, v] of entries) {
      if (!/^[A-Za-z0-9_.\/-]{1,63}$/.test(k) || typeof v !== 'string' || v.length > 256) throw new BadRequest(`labels.${k.slice(0, 63)}: expected a short string key and a string value`);
      labels[k] = v;
    }
  }
  return { service, region, node_id, ips: [...new Set(ips)].sort(), labels };
}

/** A heartbeat as an agent posts it: the event's data but for the path it came by. */
export type HeartbeatBody = Omit<NodeHeartbeatData, 'via'>;

export function parseHeartbeat(value: unknown): HeartbeatBody {
  const b = asObject(value);
  checkKnownFields(b, ['service', 'region', 'node_id', 'seq', 'boot', 'cpu', 'ram', 'qps', 'rtt_ms', 'error_rate', 'exporter_ok', 'exporter_error']);
  const seq = b.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new BadRequest('seq: expected an integer >= 0');
  if (typeof b.exporter_ok !== 'boolean') throw new BadRequest('exporter_ok: expected true or false');
  const boot = b.boot === undefined ? 0 : b.boot;
  if (typeof boot !== 'number' || !Number.isSafeInteger(boot) || boot < 0) throw new BadRequest('boot: expected the agent start time in ms');
  const hb: HeartbeatBody = {
    service: name(b, 'service'),
    region: name(b, 'region'),
    node_id: name(b, 'node_id'),
    seq,
    boot,
    cpu: ratio(b, 'cpu'),
    ram: ratio(b, 'ram'),
    qps: nonNegative(b, 'qps'),
    rtt_ms: nonNegative(b, 'rtt_ms'),
    error_rate: ratio(b, 'error_rate'),
    exporter_ok: b.exporter_ok,
  };
  if (b.exporter_error !== undefined) {
    if (typeof b.exporter_error !== 'string') throw new BadRequest('exporter_error: expected a string');
    hb.exporter_error = b.exporter_error.slice(0, 500);
  }
  return hb;
}

export function parseDeregister(value: unknown): { service: string; region: string; node_id: string } {
  const b = asObject(value);
  checkKnownFields(b, ['service', 'region', 'node_id', 'reason']);
  return { service: name(b, 'service'), region: name(b, 'region'), node_id: name(b, 'node_id') };
}
