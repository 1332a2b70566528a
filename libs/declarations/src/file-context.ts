// What the per-kind checks share: the file being checked, its report, and
// small helpers over raw data addressed by JSON pointer.
import type { FileReport } from './diagnostics.js';
import { formatDuration, tryParseDuration } from './durations.js';
import { NAME_RULE, isValidName } from './names.js';
import { unescapePointerToken } from './positions.js';
import { asList, asMap, asString, field, type RawMap } from './raw.js';
import type { SourceLocation } from './types.js';
import type { PlainValue } from './yaml-source.js';

export interface FileContext {
  /** Relative path, e.g. `gtm/svc-plus.yaml`. */
  file: string;
  /** File name without .yaml/.yml: the default service or region name. */
  baseName: string;
  report: FileReport;
}

/** The raw value at a JSON pointer, or undefined. */
export function valueAt(raw: RawMap, pointer: string): PlainValue | undefined {
  let current: PlainValue | undefined = raw;
  if (pointer === '') return current;
  for (const token of pointer.slice(1).split('/').map(unescapePointerToken)) {
    const list = asList(current);
    current = list !== undefined ? list[Number(token)] : field(asMap(current), token);
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * `service` (or a region's `name`) defaults to the file's base name; when
 * given it must equal it. A base name that is not a valid name is an error
 * of its own when nothing else names the declaration.
 */
export function checkDeclaredName(raw: RawMap, key: 'service' | 'name', what: string, ctx: FileContext): void {
  const declared = field(raw, key);
  if (typeof declared === 'string') {
    if (isValidName(declared) && declared !== ctx.baseName) {
      ctx.report.error(`/${key}`, `${what} name "${declared}" does not match the file name ${ctx.file}, which names "${ctx.baseName}": rename one of them`);
    }
    return;
  }
  if (declared === undefined && !isValidName(ctx.baseName)) {
    ctx.report.errorAt(1, 1, `the file name ${ctx.file} does not make a valid ${what} name "${ctx.baseName}" (${NAME_RULE}): rename the file`);
  }
}

/** Durations within their bounds (their syntax is the schema's job). */
export function checkDurationLimits(raw: RawMap, limits: Readonly<Record<string, readonly [number, number]>>, ctx: FileContext): void {
  for (const [pointer, [min, max]] of Object.entries(limits)) {
    const text = asString(valueAt(raw, pointer));
    const ms = tryParseDuration(text);
    if (ms === undefined) continue;
    if (ms < min) ctx.report.error(pointer, `must be at least ${formatDuration(min)} (got "${text ?? ''}")`);
    else if (ms > max) ctx.report.error(pointer, `must be at most ${formatDuration(max)} (got "${text ?? ''}")`);
  }
}

/** Milliseconds of a duration field, or of its default. */
export function durationMs(value: PlainValue | undefined, fallback: string): number {
  return tryParseDuration(value) ?? tryParseDuration(fallback) ?? 0;
}

/** One of the allowed strings, else the fallback (types enum fields without casts). */
export function oneOf<T extends string>(value: PlainValue | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

/** Drops properties whose value is undefined, so optional fields are absent rather than undefined. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** Where crossCheck should point for a spec part: the raw pointer's position. */
export function locationOf(ctx: FileContext, rawPointer: string, anchor: 'key' | 'value' = 'value'): SourceLocation {
  return ctx.report.index?.locate(rawPointer, anchor) ?? { path: rawPointer, line: 1, column: 1 };
}

/** Position of the declaring field (`service`/`name`), else the file's start. */
export function nameLocation(raw: RawMap, key: 'service' | 'name', ctx: FileContext): SourceLocation {
  return field(raw, key) !== undefined ? locationOf(ctx, `/${key}`) : { path: '', line: 1, column: 1 };
}
