// Loads the JSON Schemas (schemas/declarations/*.schema.json) at run time and
// validates raw declarations against them. This file must stay directly in
// src/: the default directory is resolved relative to it, which works the
// same from libs/declarations/src/*.ts and libs/declarations/dist/*.js.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { DeclarationKind } from './types.js';

const DEFAULT_SCHEMAS_URL = new URL('../../../schemas/declarations/', import.meta.url);

export const SCHEMA_FILES: Record<DeclarationKind, string> = {
  gtm: 'gtm.schema.json',
  autoscale: 'autoscale.schema.json',
  region: 'region.schema.json',
};

export interface DeclarationSchemas {
  dir: string;
  validators: Record<DeclarationKind, ValidateFunction>;
}

/** The explicit directory, else env PLANE_SCHEMAS_DIR, else the repository's schemas/declarations/. */
export function resolveSchemasDir(dir?: string): string {
  if (dir !== undefined && dir !== '') return dir;
  const fromEnv = process.env['PLANE_SCHEMAS_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(DEFAULT_SCHEMAS_URL);
}

// ajv-formats is CommonJS; under NodeNext its default import may arrive wrapped.
type FormatsPlugin = (ajv: Ajv2020, formats: string[]) => Ajv2020;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const compiled = new Map<string, DeclarationSchemas>();

/** Reads and compiles the three schemas once per directory. Throws when a schema is missing or invalid. */
export function loadSchemas(dir?: string): DeclarationSchemas {
  const resolved = resolveSchemasDir(dir);
  const cached = compiled.get(resolved);
  if (cached !== undefined) return cached;
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
  addFormats(ajv, ['uri']);
  const compile = (kind: DeclarationKind): ValidateFunction => {
    const file = join(resolved, SCHEMA_FILES[kind]);
    const schema: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (schema === null || typeof schema !== 'object') throw new Error(`${file}: not a JSON Schema object`);
    return ajv.compile(schema);
  };
  const schemas: DeclarationSchemas = {
    dir: resolved,
    validators: { gtm: compile('gtm'), autoscale: compile('autoscale'), region: compile('region') },
  };
  compiled.set(resolved, schemas);
  return schemas;
}

/** Runs one kind's schema; returns Ajv's errors (empty when valid). */
export function schemaErrors(schemas: DeclarationSchemas, kind: DeclarationKind, data: unknown): ErrorObject[] {
  const validate = schemas.validators[kind];
  if (validate(data)) return [];
  return [...(validate.errors ?? [])];
}
