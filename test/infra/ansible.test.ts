// config/ansible/node.yml: the bootstrap for nodes not built from cloud-init. It must pass
// ansible-playbook's syntax check and write exactly what the cloud-init template writes.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ANSIBLE, filesUnder, read, rel, ROOT, TEMPLATE, which } from './helpers.js';

const ROLE = join(ANSIBLE, 'roles', 'plane_node');
const cloudInit = parseYaml(read(TEMPLATE)) as { write_files: { path: string; content?: string }[] };
const cloudInitFile = (path: string) => cloudInit.write_files.find((f) => f.path === path)!.content!;

/** Both template languages reduced to one: Terraform ${name} / Jinja {{ plane_name }} -> «name». */
function normalize(text: string, language: 'tftpl' | 'j2'): string {
  if (language === 'tftpl') return text.replace(/(?<!\$)\$\{([a-z_]+)\}/g, '«$1»').replace(/\$\$\{/g, '${');
  return text.replace(/\{\{ plane_([a-z_]+) \}\}/g, '«$1»');
}

interface Task {
  name?: string;
  block?: Task[];
  no_log?: boolean;
  [key: string]: unknown;
}
const TASK_KEYWORDS = new Set([
  'name', 'when', 'block', 'rescue', 'always', 'loop', 'register', 'notify', 'no_log', 'changed_when',
  'failed_when', 'become', 'tags', 'vars', 'ignore_errors', 'listen', 'delegate_to', 'run_once',
]);

function tasksIn(list: Task[]): Task[] {
  return list.flatMap((t) => [t, ...tasksIn(t.block ?? []), ...tasksIn((t.rescue as Task[]) ?? []), ...tasksIn((t.always as Task[]) ?? [])]);
}

describe('the Ansible playbook', () => {
  it('passes ansible-playbook --syntax-check', () => {
    if (!which('ansible-playbook')) {
      throw new Error(
        "ansible-playbook is not installed: install Debian's ansible-core package " +
          '(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ansible-core)',
      );
    }
    const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', 'config/ansible/node.yml'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('playbook: config/ansible/node.yml');
  });

  it.each(filesUnder(ANSIBLE, ['.yml', '.yaml']).map((f) => [rel(f), f]))('%s is YAML', (_name, file) => {
    expect(() => parseYaml(read(file))).not.toThrow();
  });

  it('runs the plane_node role as root on the plane_nodes group', () => {
    const [play] = parseYaml(read(join(ANSIBLE, 'node.yml'))) as Record<string, any>[];
    expect(play!.hosts).toBe('plane_nodes');
    expect(play!.become).toBe(true);
    expect(play!.roles).toEqual([{ role: 'plane_node' }]);
  });

  it('uses only ansible-core modules (ansible.builtin), so plain ansible-core runs it', () => {
    for (const file of filesUnder(join(ROLE, 'tasks'), ['.yml']).concat(join(ROLE, 'handlers', 'main.yml'))) {
      for (const task of tasksIn(parseYaml(read(file)) as Task[])) {
        if (task.block) continue;
        const actions = Object.keys(task).filter((k) => !TASK_KEYWORDS.has(k) && !k.startsWith('with_'));
        expect(actions, `${rel(file)}: ${task.name}`).toHaveLength(1);
        expect(actions[0], `${rel(file)}: ${task.name}`).toMatch(/^ansible\.builtin\./);
      }
    }
  });

  it('installs the same packages as cloud-init', () => {
    const [install] = parseYaml(read(join(ROLE, 'tasks', 'packages.yml'))) as Record<string, any>[];
    const packages = (parseYaml(read(TEMPLATE)) as { packages: string[] }).packages;
    expect([...install!['ansible.builtin.apt'].name].sort()).toEqual([...packages].sort());
  });

  it.each([
    ['plane-node-agent.service', '/etc/systemd/system/plane-node-agent.service'],
    ['plane-service.service', '/etc/systemd/system/plane-service.service'],
    ['fetch-node-token', '/usr/local/lib/plane/fetch-node-token'],
    ['node-ip', '/usr/local/lib/plane/node-ip'],
  ])('installs the same %s as cloud-init', (name, path) => {
    expect(read(join(ROLE, 'files', name))).toBe(normalize(cloudInitFile(path), 'tftpl'));
  });

  it.each([
    ['node-agent.env.j2', '/etc/plane/node-agent.env'],
    ['service.env.j2', '/etc/plane/service.env'],
    ['plane.conf.j2', '/etc/nginx/conf.d/plane.conf'],
  ])('renders %s with the same lines as cloud-init', (name, path) => {
    expect(normalize(read(join(ROLE, 'templates', name)), 'j2')).toBe(normalize(cloudInitFile(path), 'tftpl'));
  });

  it('has a default for every variable its templates use', () => {
    const defaults = parseYaml(read(join(ROLE, 'defaults', 'main.yml'))) as Record<string, unknown>;
    for (const file of filesUnder(join(ROLE, 'templates'), ['.j2'])) {
      for (const m of read(file).matchAll(/\{\{ (plane_[a-z_]+) \}\}/g)) {
        expect(defaults, `${rel(file)} uses ${m[1]}`).toHaveProperty(m[1]!);
      }
    }
  });

  it('takes the token from the environment or a vault, writes it root-only, and never logs it', () => {
    const defaults = parseYaml(read(join(ROLE, 'defaults', 'main.yml'))) as Record<string, string>;
    expect(defaults.plane_node_token).toBe("{{ lookup('ansible.builtin.env', 'PLANE_NODE_TOKEN') }}");
    const tasks = tasksIn(parseYaml(read(join(ROLE, 'tasks', 'units.yml'))) as Task[]);
    const write = tasks.find((t) => (t['ansible.builtin.copy'] as any)?.dest === '/etc/plane/node-token')!;
    expect(write).toBeDefined();
    expect(write.no_log).toBe(true);
    expect(write['ansible.builtin.copy']).toMatchObject({ owner: 'root', group: 'root', mode: '0600' });
    for (const file of filesUnder(ANSIBLE, ['.yml', '.ini', '.j2', '.cfg'])) {
      expect(read(file), rel(file)).not.toMatch(/^\s*plane_node_token\s*[=:]\s*["']?[A-Za-z0-9_-]{8,}/m);
    }
  });
});
