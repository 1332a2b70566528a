// The JSON Schemas: loadable under Ajv strict mode, closed (additionalProperties
// false on every object with listed fields), and replaceable by directory.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError, loadSchemas, parseDeclarationFile, resolveSchemasDir } from '../src/index.js';

const schemasDir = fileURLToPath(new URL('../../../schemas/declarations/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'plane-schemas-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function closedEverywhere(schema: unknown, where: string, problems: string[]): void {
  if (Array.isArray(schema)) {
    schema.forEach((s, i) => closedEverywhere(s, `${where}/${i}`, problems));
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  const record = schema as Record<string, unknown>;
  const isIfThen = /\/(if|then|not|anyOf\/\d+)$/.test(where);
  if (record['properties'] !== undefined && record['additionalProperties'] !== false && !isIfThen) problems.push(where);
  for (const [key, value] of Object.entries(record)) closedEverywhere(value, `${where}/${key}`, problems);
}

describe('schemas/declarations', () => {
  it('compile under Ajv strict mode', () => {
    const schemas = loadSchemas(schemasDir);
    expect(Object.keys(schemas.validators).sort()).toEqual(['autoscale', 'gtm', 'region']);
  });

  it.each(['gtm', 'autoscale', 'region'])('%s.schema.json lists every field (additionalProperties: false)', (kind) => {
    const schema: unknown = JSON.parse(readFileSync(join(schemasDir, `${kind}.schema.json`), 'utf8'));
    const problems: string[] = [];
    closedEverywhere(schema, '#', problems);
    expect(problems).toEqual([]);
  });

  it('resolve by default to the repository schemas', () => {
    const saved = process.env['PLANE_SCHEMAS_DIR'];
    delete process.env['PLANE_SCHEMAS_DIR'];
    try {
      expect(resolveSchemasDir()).toBe(schemasDir);
    } finally {
      if (saved !== undefined) process.env['PLANE_SCHEMAS_DIR'] = saved;
    }
  });

  it('can be replaced by a directory given as an option or in PLANE_SCHEMAS_DIR', () => {
    const dir = join(scratch, 'strict-region');
    cpSync(schemasDir, dir, { recursive: true });
    const region = JSON.parse(readFileSync(join(dir, 'region.schema.json'), 'utf8')) as { required: string[] };
    region.required = ['provider', 'location'];
    writeFileSync(join(dir, 'region.schema.json'), JSON.stringify(region));
    const file = { path: 'regions/jp.yaml', content: 'provider: aws\n' };
    expect(parseDeclarationFile(file).errors).toEqual([]);
    expect(parseDeclarationFile(file, { schemasDir: dir }).errors.map(formatError)).toEqual(['regions/jp.yaml:1:1: missing required field "location"']);
    process.env['PLANE_SCHEMAS_DIR'] = dir;
    try {
      expect(resolveSchemasDir()).toBe(dir);
      expect(parseDeclarationFile(file).errors.map(formatError)).toEqual(['regions/jp.yaml:1:1: missing required field "location"']);
    } finally {
      delete process.env['PLANE_SCHEMAS_DIR'];
    }
  });

  it('a missing schema directory is an error of the installation, thrown at once', () => {
    expect(() => loadSchemas(join(scratch, 'nowhere'))).toThrow(/ENOENT/);
  });
});
