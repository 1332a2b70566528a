// The Terraform side of the loop: pool files, stacks and modules, read with HashiCorp's own HCL
// parser (@cdktf/hcl2json, WebAssembly).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  filesUnder,
  INFRA,
  parseHcl,
  parseModule,
  read,
  rel,
  ROOT,
  TEMPLATE,
  templatefileCall,
  templateVariables,
  variablesOf,
  which,
  type HclDoc,
} from './helpers.js';

const POOL_DIR = join(INFRA, 'node-pool');
const pools = readdirSync(POOL_DIR).filter((n) => n.endsWith('.tfvars')).sort();
const stacks = readdirSync(join(INFRA, 'stacks')).sort();

/** The compute resource of each module: its type and the attribute carrying the node's name. */
const INSTANCE = {
  aws: { type: 'aws_instance', nameIn: 'tags' },
  alicloud: { type: 'alicloud_instance', nameIn: 'instance_name' },
} as const;
const NODE_NAME = /^\$\{var\.region\}-\$\{count\.index\}$/;
const NODE_NAME_IN_EXPRESSION = /"\$\{var\.region\}-\$\{count\.index\}"/;

function instanceResource(module: HclDoc, type: string): Record<string, any> {
  const resources = module.resource?.[type] as Record<string, any[]> | undefined;
  expect(resources, `resource ${type}`).toBeDefined();
  const all = Object.values(resources!).flat();
  expect(all).toHaveLength(1);
  return all[0];
}

describe('every .tf and .tfvars file', () => {
  const files = filesUnder(INFRA, ['.tf', '.tfvars', '.tftest.hcl']);

  it('exists for both bundled regions and both clouds', () => {
    expect(pools).toEqual(expect.arrayContaining(['jp.tfvars', 'sg.tfvars']));
    expect(stacks).toEqual(expect.arrayContaining(['aws', 'alicloud']));
    expect(files.length).toBeGreaterThanOrEqual(2 + 2 * 4 + 2 * 4);
  });

  it.each(files.map((f) => [rel(f), f]))('%s parses as HCL', async (_name, file) => {
    const doc = await parseHcl(file);
    expect(Object.keys(doc).length).toBeGreaterThan(0);
  });

  it('rejects invalid HCL (the parser really checks)', async () => {
    const { parse } = await import('@cdktf/hcl2json');
    await expect(parse('broken.tf', 'variable "x" {\n  type = \n')).rejects.toThrow(/broken\.tf:2/);
  });

  it('hold no secrets', () => {
    for (const file of filesUnder(INFRA, ['.tf', '.tfvars', '.tftpl', '.sh', '.hcl'])) {
      const text = read(file);
      expect(text, rel(file)).not.toMatch(/AKIA[0-9A-Z]{16}/);
      expect(text, rel(file)).not.toMatch(/LTAI[0-9A-Za-z]{12,}/);
      expect(text, rel(file)).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, rel(file)).not.toMatch(/^\s*(access_key|secret_key|bootstrap_token|token|password)\s*=\s*"[^"]+"/m);
    }
  });
});

describe.each(pools)('node pool %s', (poolFile) => {
  const path = join(POOL_DIR, poolFile);
  const pool = basename(poolFile, '.tfvars');

  it('has node_count as a whole number >= 0, on its own line as the autoscaler writes it', async () => {
    const vars = await parseHcl(path);
    expect(Number.isInteger(vars.node_count), 'node_count is an integer').toBe(true);
    expect(vars.node_count).toBeGreaterThanOrEqual(0);
    const lines = read(path).split('\n').filter((l) => /^\s*node_count\b/.test(l));
    expect(lines).toEqual([`node_count = ${vars.node_count}`]);
  });

  it('names its own region and a cloud with a stack', async () => {
    const vars = await parseHcl(path);
    expect(vars.region).toBe(pool);
    expect(stacks).toContain(vars.cloud);
  });

  it('sets only variables its stack declares, and every one it requires', async () => {
    const vars = await parseHcl(path);
    const declared = variablesOf(await parseModule(join(INFRA, 'stacks', vars.cloud)));
    for (const key of Object.keys(vars)) {
      expect(declared.has(key), `${poolFile}: "${key}" is not a variable of infra/stacks/${vars.cloud}`).toBe(true);
    }
    for (const v of declared.values()) {
      if (!v.hasDefault) expect(Object.keys(vars), `${poolFile} must set ${v.name}`).toContain(v.name);
    }
  });

  it('matches platform-config/regions/<region>.yaml', async () => {
    const vars = await parseHcl(path);
    const regionFile = join(ROOT, 'platform-config', 'regions', `${pool}.yaml`);
    if (!existsSync(regionFile)) return; // a pool without a declared region (minimal layout)
    const region = parseYaml(read(regionFile)) as Record<string, unknown>;
    expect(vars.cloud).toBe(region.provider);
    expect(vars.location).toBe(region.location);
    expect(vars.instance_type).toBe(region.instance_type);
    expect(vars.node_mode).toBe(region.node_mode ?? 'containerd-only');
    expect(vars.labels ?? {}).toEqual(region.labels ?? {});
    if (region.node_pool) expect(region.node_pool).toBe(`infra/node-pool/${poolFile}`);
  });
});

describe.each(stacks)('stack %s', (cloud) => {
  const dir = join(INFRA, 'stacks', cloud);

  it('calls the module of its cloud with only variables that module declares', async () => {
    const stack = await parseModule(dir);
    const calls = Object.entries(stack.module ?? {});
    expect(calls).toHaveLength(1);
    const [, [call]] = calls[0] as [string, Record<string, any>[]];
    expect(call!.source).toBe(`../../modules/node-pool-${cloud}`);
    const moduleVars = variablesOf(await parseModule(join(INFRA, 'modules', `node-pool-${cloud}`)));
    const given = Object.keys(call!).filter((k) => !['source', 'providers', 'depends_on'].includes(k));
    for (const key of given) expect(moduleVars.has(key), `module has variable ${key}`).toBe(true);
    for (const v of moduleVars.values()) {
      if (!v.hasDefault) expect(given, `stack ${cloud} passes ${v.name}`).toContain(v.name);
    }
    expect(call!.node_count).toBe('${var.node_count}');
  });

  it('pins its provider and leaves the backend to -backend-config', async () => {
    const stack = await parseModule(dir);
    const terraform = stack.terraform as any[];
    const providers = Object.assign({}, ...terraform.flatMap((t) => t.required_providers ?? []));
    const provider = providers[cloud];
    expect(provider, `required_providers.${cloud}`).toBeDefined();
    expect(provider.version).toMatch(/^\d+\.\d+\.\d+$/);
    const backends = terraform.map((t) => t.backend).filter(Boolean);
    expect(backends).toHaveLength(1);
    const [[, [settings]]] = Object.entries(backends[0]) as [string, Record<string, unknown>[]][];
    for (const key of ['bucket', 'key', 'region', 'prefix', 'access_key', 'secret_key']) {
      expect(settings, `backend sets no ${key}`).not.toHaveProperty(key);
    }
    expect(stack.provider?.[cloud]).toBeDefined();
  });

  it('declares typed, described variables and validates node_count >= 0 and its cloud', async () => {
    const vars = variablesOf(await parseModule(dir));
    for (const v of vars.values()) {
      expect(v.type, `${cloud}: ${v.name} has a type`).toMatch(/^\$\{.+\}$/);
      expect(v.description, `${cloud}: ${v.name} has a description`).toBeTruthy();
    }
    expect(vars.get('node_count')!.type).toBe('${number}');
    expect(vars.get('node_count')!.validations.map((x) => x.condition).join(' ')).toMatch(/var\.node_count >= 0/);
    expect(vars.get('cloud')!.validations.map((x) => x.condition).join(' ')).toContain(`"${cloud}"`);
  });

  it('outputs the nodes: names and addresses', async () => {
    const outputs = Object.keys((await parseModule(dir)).output ?? {});
    expect(outputs).toEqual(expect.arrayContaining(['node_names', 'public_ips', 'private_ips', 'nodes']));
  });

  it('passes the token only as a sensitive value', async () => {
    const vars = variablesOf(await parseModule(dir));
    for (const v of vars.values()) {
      if (v.name === 'bootstrap_token') expect(v.sensitive).toBe(true);
    }
  });
});

describe.each(Object.keys(INSTANCE) as (keyof typeof INSTANCE)[])('module node-pool-%s', (cloud) => {
  const dir = join(INFRA, 'modules', `node-pool-${cloud}`);

  it('creates count = var.node_count instances named <region>-<index>', async () => {
    const instance = instanceResource(await parseModule(dir), INSTANCE[cloud].type);
    expect(instance.count).toBe('${var.node_count}');
    const naming = instance[INSTANCE[cloud].nameIn] as string;
    if (INSTANCE[cloud].nameIn === 'tags') expect(naming).toMatch(/\bName\s*=\s*"\$\{var\.region\}-\$\{count\.index\}"/);
    else expect(naming).toMatch(NODE_NAME);
  });

  it('boots each instance with the cloud-init template, node id <region>-<index>', async () => {
    const instance = instanceResource(await parseModule(dir), INSTANCE[cloud].type);
    const call = templatefileCall(instance.user_data as string);
    expect(call, 'user_data = templatefile(...)').not.toBeNull();
    expect(call!.path).toBe('${path.module}/../../cloud-init/node.yaml.tftpl');
    const nodeId = /^\s*node_id\s*=\s*(.+)$/m.exec(call!.source)?.[1];
    expect(nodeId).toMatch(NODE_NAME_IN_EXPRESSION);
    // templatefile() fails on a variable the template uses but the call does not give.
    expect(new Set(call!.keys)).toEqual(templateVariables(read(TEMPLATE)));
  });

  it('declares typed, described variables, node_count >= 0 validated, the token sensitive', async () => {
    const vars = variablesOf(await parseModule(dir));
    for (const v of vars.values()) {
      expect(v.type, `${v.name} has a type`).toMatch(/^\$\{.+\}$/);
      expect(v.description, `${v.name} has a description`).toBeTruthy();
    }
    expect(vars.get('node_count')!.validations.map((x) => x.condition).join(' ')).toMatch(/var\.node_count >= 0/);
    expect(vars.get('region')!.validations).not.toHaveLength(0);
    if (vars.has('bootstrap_token')) expect(vars.get('bootstrap_token')!.sensitive).toBe(true);
  });

  it('pins its provider and outputs names and addresses', async () => {
    const module = await parseModule(dir);
    const providers = Object.assign({}, ...(module.terraform as any[]).flatMap((t) => t.required_providers ?? []));
    expect(providers[cloud].version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(module.output ?? {})).toEqual(expect.arrayContaining(['node_names', 'public_ips', 'private_ips']));
  });
});

describe('changed-pools.sh (the CI matrix)', () => {
  const script = join(INFRA, 'scripts', 'changed-pools.sh');
  const run = (input: string, ...args: string[]) => {
    const r = spawnSync('bash', [script, ...args], { cwd: ROOT, input, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { pool: string; cloud: string }[];
  };
  const everyPool = async () =>
    Promise.all(pools.map(async (p) => ({ pool: basename(p, '.tfvars'), cloud: (await parseHcl(join(POOL_DIR, p))).cloud as string })));

  it('picks the pool whose file changed, with its cloud', () => {
    expect(run('infra/node-pool/jp.tfvars\nREADME.md\n')).toEqual([{ pool: 'jp', cloud: 'aws' }]);
    expect(run('infra/node-pool/sg.tfvars\n')).toEqual([{ pool: 'sg', cloud: 'alicloud' }]);
  });

  it('picks every pool when shared code changed, or with --all', async () => {
    const all = await everyPool();
    expect(run('infra/modules/node-pool-aws/main.tf\n')).toEqual(all);
    expect(run('infra/cloud-init/node.yaml.tftpl\n')).toEqual(all);
    expect(run('', '--all')).toEqual(all);
  });

  it('picks nothing for other changes or a deleted pool file', () => {
    expect(run('apps/node-agent/src/main.ts\ninfra/README.md\n')).toEqual([]);
    expect(run('infra/node-pool/gone.tfvars\n')).toEqual([]);
    expect(run('')).toEqual([]);
  });
});

describe('terraform itself, where installed', () => {
  it.skipIf(!which('terraform'))('finds infra/ formatted (terraform fmt -check)', () => {
    const r = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', 'infra'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
