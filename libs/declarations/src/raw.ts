// Tolerant readers over parsed YAML. Semantic checks run even when the
// schema found errors elsewhere in the file (so one pass reports all), hence
// every read checks the type it needs and yields undefined otherwise.
import type { PlainValue } from './yaml-source.js';

export type RawMap = { [key: string]: PlainValue };

export function asMap(value: PlainValue | undefined): RawMap | undefined {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function asList(value: PlainValue | undefined): PlainValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: PlainValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: PlainValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

export function asInteger(value: PlainValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function asBoolean(value: PlainValue | undefined): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Own field of a mapping (never the prototype chain). */
export function field(map: RawMap | undefined, key: string): PlainValue | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}
