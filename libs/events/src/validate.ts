import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { EventEnvelope } from './envelope.js';

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export function eventSchemasDir(): string {
  return process.env.PLANE_SCHEMAS_DIR ? `${process.env.PLANE_SCHEMAS_DIR}/events` : fileURLToPath(new URL('../../../schemas/events/', import.meta.url));
}

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const dir = eventSchemasDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
  for (const f of files) ajv.addSchema(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as object, f);
  validators = new Map();
  for (const f of files) {
    if (f === 'envelope.schema.json') continue;
    validators.set(f.replace('.schema.json', ''), ajv.getSchema(f)!);
  }
  return validators;
}

/** Checks an event against its JSON Schema in schemas/events; returns the problems (empty = valid). */
export function validateEvent(event: EventEnvelope): string[] {
  const v = load().get(event.type);
  if (!v) return [`no schema for event type ${event.type}`];
  const type = event.type;
  if (v(event as unknown)) return [];
  return (v.errors ?? []).map((e) => `${type}${e.instancePath}: ${e.message ?? 'invalid'}`);
}

export function knownEventTypes(): string[] {
  return [...load().keys()].sort();
}
