/** Every event on every stream is one of these: a type, a schema version, and its data. */
export interface EventEnvelope<T extends string = string, D = unknown> {
  schema: 1;
  type: T;
  /** Deterministic: the same fact recorded twice has the same id (it is also the Nats-Msg-Id). */
  id: string;
  /** The clock of the recorder, ISO 8601. */
  time: string;
  /** Which program recorded it (`gitops-sync`, `planectl`, ...). */
  source: string;
  data: D;
}

export function envelope<T extends string, D>(type: T, id: string, data: D, source: string, time: Date = new Date()): EventEnvelope<T, D> {
  return { schema: 1, type, id, time: time.toISOString(), source, data };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(event: EventEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

export function decodeEvent(bytes: Uint8Array): EventEnvelope {
  const value = JSON.parse(decoder.decode(bytes)) as EventEnvelope;
  if (value === null || typeof value !== 'object' || value.schema !== 1 || typeof value.type !== 'string') {
    throw new Error('not a plane event (missing schema 1 / type)');
  }
  return value;
}
