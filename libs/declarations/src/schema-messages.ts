// Turns Ajv's errors into diagnostics a person can act on: at the exact node
// (the key for unknown or forbidden fields, the parent mapping for a missing
// one), in words, with the value found. A schema object may carry its own
// message as `"$comment": "error: …"`; it wins over the generic wording.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describeValue, type FileReport } from './diagnostics.js';
import { childPointer } from './positions.js';

const COMMENT_PREFIX = 'error: ';

export function reportSchemaErrors(errors: ErrorObject[], data: unknown, report: FileReport): void {
  const seen = new Set<string>();
  for (const e of withoutNoise(errors)) {
    const issue = translate(e, data);
    if (issue === undefined) continue;
    const id = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    report.error(issue.pointer, issue.message, issue.anchor, { at: issue.at, prefix: issue.prefix });
  }
}

interface Issue {
  pointer: string;
  message: string;
  anchor: 'key' | 'value';
  at?: string;
  prefix?: string;
}

/** Drops summaries (`if`, `propertyNames`) and the branches of an `anyOf`/`oneOf` already reported as one. */
function withoutNoise(errors: ErrorObject[]): ErrorObject[] {
  const grouped = errors.filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && commentOf(e.parentSchema) !== undefined);
  return errors.filter((e) => {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') return false;
    return !grouped.some((g) => g !== e && e.schemaPath.startsWith(`${g.schemaPath}/`) && e.instancePath.startsWith(g.instancePath));
  });
}

function translate(e: ErrorObject, data: unknown): Issue | undefined {
  const params = e.params as Record<string, unknown>;
  const comment = commentOf(e.parentSchema);
  // The value found, where it helps: scalars always, collections only for a wrong type.
  const scalar = e.data === null || typeof e.data !== 'object';
  const got = scalar || e.keyword === 'type' ? ` (got ${describeValue(e.data)})` : '';

  if (e.propertyName !== undefined) {
    // A mapping key failed `propertyNames` (e.g. an autoscale region name).
    const pointer = childPointer(e.instancePath, e.propertyName);
    return { pointer, anchor: 'key', message: `${comment ?? `invalid key: ${e.message ?? ''}`} (got ${describeValue(e.propertyName)})` };
  }
  switch (e.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      return {
        pointer: childPointer(e.instancePath, missing),
        anchor: 'value',
        at: e.instancePath,
        prefix: e.instancePath,
        message: comment ?? `missing required field "${missing}"`,
      };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      const allowed = allowedProperties(e.parentSchema);
      return { pointer: childPointer(e.instancePath, extra), anchor: 'key', message: `unknown field${suggest(extra, allowed)}` };
    }
    case 'dependentRequired': {
      const property = String(params['property']);
      const missing = String(params['missingProperty']);
      return {
        pointer: childPointer(e.instancePath, property),
        anchor: 'key',
        message: `needs "${missing}" as well`,
      };
    }
    case 'not': {
      // A forbidden combination: point at the later of the fields involved.
      const fields = requiredOf(e.schema);
      const pointer = fields.length > 0 ? laterField(e.instancePath, fields, data) : e.instancePath;
      return { pointer, anchor: 'key', message: comment ?? 'is not allowed here' };
    }
  }
  if (comment !== undefined) return { pointer: e.instancePath, anchor: 'value', message: `${comment}${got}` };
  return { pointer: e.instancePath, anchor: 'value', message: `${genericMessage(e, params)}${got}` };
}

function genericMessage(e: ErrorObject, params: Record<string, unknown>): string {
  switch (e.keyword) {
    case 'type':
      return `must be ${String(params['type'])
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ')}`;
    case 'enum':
      return `must be one of ${(Array.isArray(params['allowedValues']) ? params['allowedValues'] : []).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'minLength':
      return params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters`;
    case 'maxLength':
      return `must be at most ${String(params['limit'])} characters`;
    case 'minItems':
      return params['limit'] === 1 ? 'must not be empty' : `must have at least ${String(params['limit'])} items`;
    case 'maxItems':
      return `must have at most ${String(params['limit'])} items`;
    case 'minProperties':
      return params['limit'] === 1 ? 'must not be empty' : `must have at least ${String(params['limit'])} entries`;
    case 'maxProperties':
      return `must have at most ${String(params['limit'])} entries`;
    case 'uniqueItems':
      return `must not repeat items (items ${String(params['j'])} and ${String(params['i'])} are equal)`;
    case 'pattern':
      return `must match ${String(params['pattern'])}`;
    case 'format':
      return `must be a valid ${String(params['format'])}`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function commentOf(schema: unknown): string | undefined {
  if (!isRecord(schema)) return undefined;
  const c = schema['$comment'];
  return typeof c === 'string' && c.startsWith(COMMENT_PREFIX) ? c.slice(COMMENT_PREFIX.length) : undefined;
}

function allowedProperties(schema: unknown): string[] {
  if (!isRecord(schema) || !isRecord(schema['properties'])) return [];
  return Object.keys(schema['properties']);
}

function requiredOf(schema: unknown): string[] {
  if (!isRecord(schema) || !Array.isArray(schema['required'])) return [];
  return schema['required'].filter((x): x is string => typeof x === 'string');
}

/** The pointer of whichever of `fields` comes last in the mapping at `pointer` (insertion order = file order). */
function laterField(pointer: string, fields: string[], data: unknown): string {
  let target: unknown = data;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    target = Array.isArray(target) ? target[Number(key)] : isRecord(target) ? target[key] : undefined;
  }
  const keys = isRecord(target) ? Object.keys(target).filter((k) => fields.includes(k)) : [];
  const last = keys[keys.length - 1];
  return last === undefined ? pointer : childPointer(pointer, last);
}

/** ` (did you mean "weight"?)` for a near miss, else the allowed fields. */
function suggest(word: string, allowed: string[]): string {
  if (allowed.length === 0) return '';
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))) return ` (did you mean "${best}"?)`;
  return ` (allowed: ${allowed.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length] ?? Infinity;
}
