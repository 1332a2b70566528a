// deploy/: Kubernetes manifests, systemd units, the Docker image and compose file, and the NATS
// cluster configuration, checked structurally against the apps as built: every command is a `bin`
// of an app's package.json, every flag and PLANE_* variable is one the app's `--help` prints.
// Build first (`npx tsc -b`): a missing app or flag fails here, naming it.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const rel = (p: string): string => relative(ROOT, p);
const read = (p: string): string => readFileSync(p, 'utf8');

/** The long-running apps the deploy files run (INTERFACES.md), and their systemd units. */
const APPS = ['gitops-sync', 'plane-api', 'prober', 'gtm-controller', 'autoscaler'] as const;
const CONTROLLERS = ['gtm-controller', 'autoscaler', 'gitops-sync'];
const UNITS: Record<string, string> = {
  'plane-gitops-sync.service': 'gitops-sync',
  'plane-api.service': 'plane-api',
  'plane-prober.service': 'prober',
  'plane-gtm-controller.service': 'gtm-controller',
  'plane-autoscaler.service': 'autoscaler',
};
/** Environment variable names that hold secrets: never with a literal value. */
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|KEY/i;
/** The one image of deploy/docker/Dockerfile, as the manifests name it (kustomize sets the registry). */
const PLANE_IMAGE = 'plane';

// ---------------------------------------------------------------------------------------------
// Files

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

const ALL_FILES = walk(DEPLOY).filter((f) => rel(f) !== 'deploy/docker/.env'); // a local .env is never committed
const YAML_FILES = ALL_FILES.filter((f) => /\.ya?ml$/.test(f));

/** One YAML document. Checked structurally (kubernetes-types is not installed), hence `any`. */
interface Doc {
  file: string;
  index: number;
  v: any;
}
const parseErrors: string[] = [];
const DOCS: Doc[] = [];
for (const file of YAML_FILES) {
  parseAllDocuments(read(file), { merge: true }).forEach((d, index) => {
    for (const e of d.errors) parseErrors.push(`${rel(file)} document ${index + 1}: ${e.message}`);
    const v: unknown = d.toJS();
    if (v !== null && v !== undefined) DOCS.push({ file, index, v });
  });
}
const K8S_DIR = join(DEPLOY, 'kubernetes');
const KUSTOMIZATION = join(K8S_DIR, 'kustomization.yaml');
const K8S = DOCS.filter((d) => d.file.startsWith(K8S_DIR) && d.file !== KUSTOMIZATION);
const where = (d: Doc): string => `${rel(d.file)} ${d.v?.kind ?? '?'}/${d.v?.metadata?.name ?? '?'}`;
const ofKind = (...kinds: string[]): Doc[] => K8S.filter((d) => kinds.includes(d.v.kind));
const named = (kind: string, name: string): Doc | undefined => K8S.find((d) => d.v.kind === kind && d.v.metadata?.name === name);
const WORKLOADS = (): Doc[] => ofKind('Deployment', 'StatefulSet');
const containersOf = (d: Doc): any[] => [...(d.v.spec?.template?.spec?.initContainers ?? []), ...(d.v.spec?.template?.spec?.containers ?? [])];
const isPlaneContainer = (c: any): boolean => String(c.image ?? '').split(':')[0] === PLANE_IMAGE;

// ---------------------------------------------------------------------------------------------
// Apps: bins from apps/*/package.json, flags from `--help`

interface AppBin {
  bin: string;
  /** Repository-relative path of the bin script, e.g. apps/api/bin/plane-api.js. */
  script: string;
}
function appBins(): Map<string, AppBin> {
  const out = new Map<string, AppBin>();
  for (const dir of readdirSync(join(ROOT, 'apps'))) {
    const pj = join(ROOT, 'apps', dir, 'package.json');
    if (!existsSync(pj)) continue;
    const bin = (JSON.parse(read(pj)) as { bin?: Record<string, string> | string }).bin;
    if (!bin || typeof bin === 'string') continue;
    for (const [name, script] of Object.entries(bin)) out.set(name, { bin: name, script: posix.join('apps', dir, posix.normalize(script)) });
  }
  return out;
}
const BINS = appBins();
const binOfScript = (script: string): string | undefined => [...BINS.values()].find((b) => b.script === script)?.bin;

interface Help {
  text: string;
  flags: Set<string>;
  required: Set<string>;
}
interface HelpResult {
  help?: Help;
  error?: string;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeout = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `node <bin script> --help`, with no PLANE_* of ours in the environment. */
async function helpOf(bin: string): Promise<HelpResult> {
  const app = BINS.get(bin);
  if (!app) return { error: `no apps/*/package.json declares a bin named "${bin}" (the deploy files run it)` };
  if (!existsSync(join(ROOT, app.script))) return { error: `${bin}: its bin script ${app.script} does not exist` };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PLANE_') && k !== 'NATS_URL') env[k] = v;
  // An app that checks its required flags before --help gets placeholders for them (help only).
  for (let attempt = 0; attempt < 6; attempt++) {
    const r = await run([app.script, '--help'], env);
    const out = r.stdout + r.stderr;
    const req = /--([a-z0-9-]+) is required \(or set (PLANE_[A-Z0-9_]+)\)/.exec(out);
    if (r.code !== 0 && req && env[req[2]!] === undefined) {
      env[req[2]!] = 'placeholder-for-help';
      continue;
    }
    if (r.code !== 0) {
      return { error: `${bin}: \`node ${app.script} --help\` exited ${r.code}: ${out.trim().split('\n').slice(-3).join(' | ')} (built? run \`npx tsc -b\`)` };
    }
    const flags = new Set<string>();
    const required = new Set<string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\s+--([a-z0-9][a-z0-9-]*)\b/.exec(line);
      if (!m) continue;
      flags.add(m[1]!);
      if (/\(required\)/.test(line)) required.add(m[1]!);
    }
    if (flags.size === 0) return { error: `${bin}: --help printed no flags: ${r.stdout.slice(0, 200)}` };
    return { help: { text: r.stdout, flags, required } };
  }
  return { error: `${bin}: --help kept asking for required flags` };
}

// ---------------------------------------------------------------------------------------------
// Where the deploy files run an app: its flags and PLANE_* variables

interface Site {
  where: string;
  bin: string;
  kind: 'systemd' | 'kubernetes' | 'compose';
  /** flag -> value (undefined for a bool flag or a flag without value). */
  flags: Map<string, string | undefined>;
  /** environment variable -> literal value (or a description of its source). */
  env: Map<string, string>;
}

function flagsOf(tokens: string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith('--')) continue;
    const eq = t.indexOf('=');
    if (eq > 0) {
      out.set(t.slice(2, eq), t.slice(eq + 1));
      continue;
    }
    const next = tokens[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(t.slice(2), next);
      i++;
    } else out.set(t.slice(2), undefined);
  }
  return out;
}

// --- systemd

interface Unit {
  file: string;
  sections: Map<string, Array<[string, string]>>;
}
function parseUnit(file: string): Unit {
  const sections = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | undefined;
  const lines = read(file).split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1).trimEnd() + ' ' + lines[++i]!.trim();
    const sec = /^\[([A-Za-z]+)\]$/.exec(line);
    if (sec) {
      current = sections.get(sec[1]!) ?? [];
      sections.set(sec[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw new Error(`${rel(file)}:${i + 1}: not "Key=value" inside a [Section]: ${line}`);
    current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return { file, sections };
}
const unitValues = (u: Unit, section: string, key: string): string[] => (u.sections.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
const unitValue = (u: Unit, section: string, key: string): string | undefined => unitValues(u, section, key).at(-1);
/** `Environment=A=1 B=2` lines of a unit. */
function unitEnvironment(u: Unit): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of unitValues(u, 'Service', 'Environment')) {
    for (const pair of v.split(/\s+/).filter(Boolean)) {
      const eq = pair.indexOf('=');
      out.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  return out;
}
function parseEnvFile(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of read(file).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}
/** ExecStart= of an app unit: `/usr/bin/env node /opt/plane/<script> ...` (or /usr/bin/node). */
function unitCommand(u: Unit): { script?: string; tokens: string[]; problem?: string } {
  const exec = unitValue(u, 'Service', 'ExecStart');
  if (!exec) return { tokens: [], problem: 'no ExecStart=' };
  const tokens = exec.split(/\s+/).filter(Boolean);
  let i = 0;
  const first = tokens[i]!.replace(/^[-@+!:]+/, '');
  if (first === '/usr/bin/env' && tokens[i + 1] === 'node') i += 2;
  else if (/^\/usr(\/local)?\/bin\/node$/.test(first)) i += 1;
  else return { tokens, problem: `ExecStart runs ${first}, not node (\`/usr/bin/env node\` or /usr/bin/node)` };
  const m = /^\/opt\/plane\/(.+)$/.exec(tokens[i] ?? '');
  if (!m) return { tokens, problem: `ExecStart's script ${tokens[i]} is not under /opt/plane/` };
  return { script: m[1], tokens: tokens.slice(i + 1) };
}

const SYSTEMD_DIR = join(DEPLOY, 'systemd');
function systemdSites(): Site[] {
  const sites: Site[] = [];
  for (const [name, bin] of Object.entries(UNITS)) {
    const file = join(SYSTEMD_DIR, name);
    if (!existsSync(file)) continue;
    const u = parseUnit(file);
    const cmd = unitCommand(u);
    const env = new Map<string, string>(unitEnvironment(u));
    for (const ef of unitValues(u, 'Service', 'EnvironmentFile')) {
      const example = join(SYSTEMD_DIR, 'env', posix.basename(ef.replace(/^-/, '')));
      if (existsSync(example)) for (const [k, v] of parseEnvFile(example)) env.set(k, v);
    }
    sites.push({ where: `deploy/systemd/${name}`, bin: cmd.script ? (binOfScript(cmd.script) ?? bin) : bin, kind: 'systemd', flags: flagsOf(cmd.tokens), env });
  }
  return sites;
}

// --- Kubernetes

function commandBin(command: any[]): { bin?: string; rest: string[] } {
  const cmd = (command ?? []).map(String);
  if (cmd[0] === 'node' || cmd[0]?.endsWith('/node')) {
    const script = cmd[1]?.replace(/^\/app\//, '').replace(/^\.\//, '');
    return { bin: script ? binOfScript(script) : undefined, rest: cmd.slice(2) };
  }
  return { bin: cmd[0], rest: cmd.slice(1) };
}
function k8sSites(): Site[] {
  const sites: Site[] = [];
  for (const d of WORKLOADS()) {
    for (const c of containersOf(d)) {
      if (!isPlaneContainer(c)) continue;
      const { bin, rest } = commandBin(c.command);
      const env = new Map<string, string>();
      for (const e of c.env ?? []) env.set(e.name, 'value' in e ? String(e.value) : JSON.stringify(e.valueFrom));
      sites.push({ where: `${where(d)} container ${c.name}`, bin: bin ?? '(none)', kind: 'kubernetes', flags: flagsOf([...rest, ...(c.args ?? []).map(String)]), env });
    }
  }
  return sites;
}

// --- compose

const COMPOSE_FILE = join(DEPLOY, 'docker', 'docker-compose.yml');
const compose = (): any => DOCS.find((d) => d.file === COMPOSE_FILE)?.v;
function composeEnv(svc: any): Map<string, string> {
  const out = new Map<string, string>();
  const e = svc.environment ?? {};
  if (Array.isArray(e)) {
    for (const item of e) {
      const s = String(item);
      const eq = s.indexOf('=');
      out.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? '' : s.slice(eq + 1));
    }
  } else for (const [k, v] of Object.entries(e)) out.set(k, v === null ? '' : String(v));
  return out;
}
function composeSites(): Site[] {
  const sites: Site[] = [];
  const c = compose();
  for (const [name, svc] of Object.entries<Record<string, unknown>>(c?.services ?? {})) {
    const command = svc.command;
    if (!Array.isArray(command)) continue;
    const { bin, rest } = commandBin(command);
    if (!bin || bin.startsWith('-')) continue; // an image's own entrypoint (nats, pdns)
    sites.push({ where: `deploy/docker/docker-compose.yml service ${name}`, bin, kind: 'compose', flags: flagsOf(rest), env: composeEnv(svc) });
  }
  return sites;
}

const SITES = (): Site[] => [...systemdSites(), ...k8sSites(), ...composeSites()];

/** PLANE_FOO_BAR -> foo-bar. */
const flagOfEnv = (name: string): string => name.slice('PLANE_'.length).toLowerCase().replace(/_/g, '-');
/** The port of HOST:PORT / :PORT. */
const portOf = (listen: string | undefined): number | undefined => (listen ? Number(/:(\d+)$/.exec(listen)?.[1]) : undefined);

// ---------------------------------------------------------------------------------------------
// nats-server

function findNatsServer(): string | undefined {
  if (process.env.PLANE_NATS_SERVER_BIN) return process.env.PLANE_NATS_SERVER_BIN;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'nats-server'), constants.X_OK);
      return join(dir, 'nats-server');
    } catch {
      // not here
    }
  }
  return undefined;
}
const ACCOUNTS = join(DEPLOY, 'nats', 'accounts.conf');
/** The $PLANE_NATS_<ROLE>_PASSWORD variables accounts.conf reads. */
const ACCOUNT_PASSWORD_VARS = (): string[] => [...new Set([...read(ACCOUNTS).matchAll(/\$(PLANE_NATS_[A-Z_]+_PASSWORD)\b/g)].map((m) => m[1]!))].sort();

function natsTest(configFile: string, extraEnv: Record<string, string>): Promise<{ code: number; out: string }> {
  const bin = findNatsServer();
  if (!bin) return Promise.resolve({ code: -1, out: 'nats-server not found: apt-get install -y nats-server, or set PLANE_NATS_SERVER_BIN' });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...extraEnv };
  for (const v of ACCOUNT_PASSWORD_VARS()) env[v] = `test-${v.toLowerCase()}`;
  return new Promise((resolve) => {
    execFile(bin, ['-t', '-c', configFile], { env, timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}`.trim() });
    });
  });
}

/** The text of the first `name { ... }` block of a NATS configuration. */
function natsBlock(conf: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*${name}\\s*[:=]?\\s*\\{`, 'm').exec(conf);
  if (!m) return undefined;
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    else if (conf[i] === '}' && --depth === 0) return conf.slice(m.index + m[0].length, i);
  }
  return undefined;
}
const natsSetting = (conf: string, key: string): string | undefined => new RegExp(`^\\s*${key}\\s*[:=]\\s*"?([^"\\s]+)"?`, 'm').exec(conf)?.[1];
const natsIncludes = (conf: string): string[] => [...conf.matchAll(/^\s*include\s+"?([^"\s]+)"?/gm)].map((m) => m[1]!);
const natsRoutes = (cluster: string): string[] => [...cluster.matchAll(/nats(?:-route)?:\/\/([^\s,\]"]+)/g)].map((m) => m[1]!);

// ---------------------------------------------------------------------------------------------

const HELP = new Map<string, HelpResult>();
beforeAll(async () => {
  const bins = new Set<string>([...APPS, ...SITES().map((s) => s.bin)]);
  await Promise.all([...bins].map(async (b) => HELP.set(b, await helpOf(b))));
}, 30_000);

describe('deploy/: YAML', () => {
  it('parses every YAML file under deploy/, every document', () => {
    expect(YAML_FILES.length).toBeGreaterThan(5);
    expect(parseErrors).toEqual([]);
  });

  it('gives every Kubernetes object apiVersion, kind, metadata.name and the plane namespace', () => {
    const bad: string[] = [];
    for (const d of K8S) {
      if (typeof d.v.apiVersion !== 'string' || typeof d.v.kind !== 'string' || typeof d.v.metadata?.name !== 'string') bad.push(`${rel(d.file)} document ${d.index + 1}: apiVersion/kind/metadata.name`);
      else if (d.v.kind !== 'Namespace' && d.v.metadata.namespace !== 'plane') bad.push(`${where(d)}: metadata.namespace is not plane`);
    }
    expect(K8S.length).toBeGreaterThan(10);
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('lists every manifest in kustomization.yaml, and only files that exist (secrets.example.yaml is not applied)', () => {
    const k = DOCS.find((d) => d.file === KUSTOMIZATION)?.v;
    expect(k, 'deploy/kubernetes/kustomization.yaml').toBeDefined();
    expect(k.kind).toBe('Kustomization');
    expect(k.namespace).toBe('plane');
    const listed: string[] = k.resources ?? [];
    for (const r of listed) expect(existsSync(join(K8S_DIR, r)), `kustomization resource ${r}`).toBe(true);
    const manifests = readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && f !== 'secrets.example.yaml');
    expect([...listed].sort()).toEqual(manifests.sort());
    expect(listed).not.toContain('secrets.example.yaml');
    expect((k.images ?? []).map((i: { name: string }) => i.name)).toContain(PLANE_IMAGE);
  });
});

describe('deploy/kubernetes: workloads', () => {
  it('gives every Deployment and StatefulSet apps/v1 and a selector matching its template labels', () => {
    const bad: string[] = [];
    for (const d of WORKLOADS()) {
      if (d.v.apiVersion !== 'apps/v1') bad.push(`${where(d)}: apiVersion ${d.v.apiVersion}`);
      const sel: Record<string, string> = d.v.spec?.selector?.matchLabels ?? {};
      const labels: Record<string, string> = d.v.spec?.template?.metadata?.labels ?? {};
      if (Object.keys(sel).length === 0) bad.push(`${where(d)}: no spec.selector.matchLabels`);
      for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) bad.push(`${where(d)}: selector ${k}=${v} not in the template labels`);
      if (containersOf(d).length === 0) bad.push(`${where(d)}: no containers`);
    }
    expect(WORKLOADS().length).toBeGreaterThanOrEqual(6);
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('runs the controllers with 2 replicas, plane-api with 2+ behind a Service, the prober with 1 or 2', () => {
    for (const name of CONTROLLERS) expect(named('Deployment', name)?.v.spec.replicas, `Deployment ${name} replicas`).toBe(2);
    const api = named('Deployment', 'plane-api');
    expect(api?.v.spec.replicas, 'Deployment plane-api replicas').toBeGreaterThanOrEqual(2);
    const apiLabels = api!.v.spec.template.metadata.labels;
    const svc = ofKind('Service').find((s) => s.v.metadata.name === 'plane-api');
    expect(svc, 'Service plane-api').toBeDefined();
    for (const [k, v] of Object.entries(svc!.v.spec.selector)) expect(apiLabels[k], `Service plane-api selector ${k}`).toBe(v);
    const prober = named('Deployment', 'prober');
    expect([1, 2], 'Deployment prober replicas').toContain(prober?.v.spec.replicas);
  });

  it('has a PodDisruptionBudget for each controller and plane-api, selecting its pods', () => {
    for (const name of [...CONTROLLERS, 'plane-api']) {
      const dep = named('Deployment', name)!;
      const labels = dep.v.spec.template.metadata.labels;
      const pdb = ofKind('PodDisruptionBudget').find((p) => {
        const sel: Record<string, string> = p.v.spec?.selector?.matchLabels ?? {};
        return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
      });
      expect(pdb, `a PodDisruptionBudget selecting Deployment ${name}`).toBeDefined();
      expect(pdb!.v.apiVersion).toBe('policy/v1');
      const allows = pdb!.v.spec.minAvailable === 1 || pdb!.v.spec.maxUnavailable === 1;
      expect(allows, `${where(pdb!)}: minAvailable 1 or maxUnavailable 1 (2 replicas, one may go)`).toBe(true);
    }
  });

  it('gives every Service a selector matching some pods and named target ports those pods have', () => {
    const bad: string[] = [];
    for (const s of ofKind('Service')) {
      const sel: Record<string, string> = s.v.spec?.selector ?? {};
      const pods = WORKLOADS().filter((w) => Object.entries(sel).every(([k, v]) => w.v.spec.template.metadata.labels[k] === v));
      if (Object.keys(sel).length === 0 || pods.length === 0) {
        bad.push(`${where(s)}: selects no workload`);
        continue;
      }
      const portNames = new Set(pods.flatMap((p) => containersOf(p).flatMap((c) => (c.ports ?? []).map((cp: { name?: string }) => cp.name))));
      for (const p of s.v.spec.ports ?? []) if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) bad.push(`${where(s)}: targetPort ${p.targetPort} is no container port`);
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('gives every container resources, a non-root read-only security context, and every app the probes on its metrics port', () => {
    const bad: string[] = [];
    for (const d of WORKLOADS()) {
      const pod = d.v.spec.template.spec;
      if (pod.securityContext?.runAsNonRoot !== true) bad.push(`${where(d)}: pod securityContext.runAsNonRoot`);
      for (const c of containersOf(d)) {
        const at = `${where(d)} container ${c.name}`;
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) bad.push(`${at}: resources.requests cpu+memory and limits.memory`);
        if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(`${at}: allowPrivilegeEscalation: false`);
        if (c.securityContext?.readOnlyRootFilesystem !== true) bad.push(`${at}: readOnlyRootFilesystem: true`);
        if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) bad.push(`${at}: capabilities.drop ALL`);
        if (!isPlaneContainer(c)) continue;
        const { bin, rest } = commandBin(c.command);
        const flags = flagsOf([...rest, ...(c.args ?? []).map(String)]);
        // plane-api serves /healthz and /readyz on its --listen port; the others on --metrics-listen.
        const listen = bin === 'plane-api' ? flags.get('listen') : flags.get('metrics-listen');
        const port = portOf(listen);
        if (!port) {
          bad.push(`${at}: no ${bin === 'plane-api' ? '--listen' : '--metrics-listen'} HOST:PORT`);
          continue;
        }
        const resolve = (p: unknown): number | undefined =>
          typeof p === 'number' ? p : (c.ports ?? []).find((cp: { name?: string }) => cp.name === p)?.containerPort;
        if (!(c.ports ?? []).some((cp: { containerPort: number }) => cp.containerPort === port)) bad.push(`${at}: port ${port} is not a containerPort`);
        for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz'], ['startupProbe', '/healthz']] as const) {
          const p = c[probe];
          if (!p) {
            if (probe !== 'startupProbe') bad.push(`${at}: no ${probe}`);
            continue;
          }
          if (p.httpGet?.path !== path) bad.push(`${at}: ${probe} path ${p.httpGet?.path}, want ${path}`);
          if (resolve(p.httpGet?.port) !== port) bad.push(`${at}: ${probe} port ${p.httpGet?.port} is not the metrics port ${port}`);
        }
      }
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('runs in every app container a bin of an app package.json', () => {
    const bad: string[] = [];
    for (const s of k8sSites()) if (!BINS.has(s.bin)) bad.push(`${s.where}: command ${s.bin} is no bin of apps/*/package.json (have: ${[...BINS.keys()].join(', ')})`);
    expect(bad, bad.join("\n")).toEqual([]);
    expect(new Set(k8sSites().map((s) => s.bin))).toEqual(new Set(APPS));
  });

  it('reads non-secret settings from the ConfigMap plane-config, and its keys exist', () => {
    const cm = named('ConfigMap', 'plane-config');
    expect(cm, 'ConfigMap plane-config').toBeDefined();
    const bad: string[] = [];
    for (const d of WORKLOADS()) {
      for (const c of containersOf(d)) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.configMapKeyRef;
          if (!ref) continue;
          const target = named('ConfigMap', ref.name);
          if (!target || !(ref.key in (target.v.data ?? {}))) bad.push(`${where(d)} ${e.name}: ConfigMap ${ref.name} key ${ref.key} missing`);
        }
      }
    }
    for (const key of Object.keys(cm!.v.data ?? {})) if (SECRET_NAME.test(key)) bad.push(`ConfigMap plane-config: key ${key} looks secret`);
    expect(bad, bad.join("\n")).toEqual([]);
  });
});

describe('deploy/kubernetes: NATS', () => {
  it('is a StatefulSet of 3 with PVCs, a headless Service, routes to all 3 pods and JetStream', () => {
    const sts = named('StatefulSet', 'nats');
    expect(sts, 'StatefulSet nats').toBeDefined();
    const spec = sts!.v.spec;
    expect(spec.replicas).toBe(3);
    const headless = named('Service', spec.serviceName);
    expect(headless, `headless Service ${spec.serviceName}`).toBeDefined();
    expect(headless!.v.spec.clusterIP).toBe('None');
    expect(headless!.v.spec.publishNotReadyAddresses).toBe(true);
    const claims: string[] = (spec.volumeClaimTemplates ?? []).map((v: { metadata: { name: string } }) => v.metadata.name);
    expect(claims.length).toBeGreaterThan(0);

    const c = containersOf(sts!).find((x) => x.name === 'nats');
    const args: string[] = (c.args ?? []).map(String);
    const configPath = flagsOf(args).get('config') ?? args[args.indexOf('-c') + 1];
    expect(configPath, 'nats --config').toBeDefined();
    const mounts: Array<{ name: string; mountPath: string }> = c.volumeMounts;
    const volumes: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } }> = spec.template.spec.volumes;
    const configMount = mounts.find((m) => configPath!.startsWith(m.mountPath + '/'))!;
    const cmName = volumes.find((v) => v.name === configMount.name)?.configMap?.name;
    const cm = named('ConfigMap', cmName ?? '');
    expect(cm, `ConfigMap of ${configPath}`).toBeDefined();
    const conf: string = cm!.v.data[posix.basename(configPath!)];

    const js = natsBlock(conf, 'jetstream');
    expect(js, 'jetstream {} in the NATS config').toBeDefined();
    const storeDir = natsSetting(js!, 'store_dir')!;
    const dataMount = mounts.find((m) => storeDir === m.mountPath || storeDir.startsWith(m.mountPath + '/'));
    expect(claims, `store_dir ${storeDir} on a PVC`).toContain(dataMount?.name);

    const cluster = natsBlock(conf, 'cluster');
    expect(cluster, 'cluster {} in the NATS config').toBeDefined();
    const routes = natsRoutes(cluster!);
    for (let i = 0; i < 3; i++) expect(routes.some((r) => r.startsWith(`${sts!.v.metadata.name}-${i}.${spec.serviceName}`)), `route to pod ${i}`).toBe(true);
    expect(natsSetting(conf, 'server_name')).toBe('$POD_NAME');
    expect(c.env.find((e: { name: string }) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');

    // accounts.conf: included from a Secret volume, its password variables from secretKeyRef.
    const includes = natsIncludes(conf);
    expect(includes.length).toBe(1);
    const included = posix.resolve(posix.dirname(configPath!), includes[0]!);
    const accMount = mounts.find((m) => included.startsWith(m.mountPath + '/'))!;
    const accVolume = volumes.find((v) => v.name === accMount?.name);
    expect(accVolume?.secret, `${included} comes from a Secret volume`).toBeDefined();
    const fileInVolume = posix.relative(accMount.mountPath, included);
    const key = accVolume!.secret!.items?.find((it) => it.path === fileInVolume)?.key ?? fileInVolume;
    expect(key).toBe('accounts.conf');
    for (const v of ACCOUNT_PASSWORD_VARS()) {
      const e = c.env.find((x: { name: string }) => x.name === v);
      expect(e?.valueFrom?.secretKeyRef, `nats env ${v} from a secretKeyRef`).toBeDefined();
    }
  });

  it('has a configuration nats-server accepts (nats-server -t), with deploy/nats/accounts.conf included', async () => {
    const sts = named('StatefulSet', 'nats')!;
    const cm = named('ConfigMap', 'nats-config')!;
    const tmp = mkdtempSync(join(tmpdir(), 'plane-deploy-nats-'));
    try {
      const conf: string = cm.v.data['nats.conf'];
      const mounts: Array<{ mountPath: string }> = containersOf(sts)[0].volumeMounts;
      // Lay the mounts out under tmp, as in the pod.
      for (const m of mounts) mkdirSync(join(tmp, m.mountPath), { recursive: true });
      const configFile = join(tmp, '/etc/nats/config/nats.conf');
      writeFileSync(configFile, conf);
      copyFileSync(ACCOUNTS, join(tmp, posix.resolve('/etc/nats/config', natsIncludes(conf)[0]!)));
      const r = await natsTest(configFile, { POD_NAME: 'nats-0' });
      expect(r.code, r.out).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('deploy/nats/cluster', () => {
  const CLUSTER = join(DEPLOY, 'nats', 'cluster');
  const nodes = ['n1.conf', 'n2.conf', 'n3.conf'];

  it('has three nodes: distinct server names, one cluster name, routes to the two others, JetStream, ../accounts.conf', () => {
    const names: string[] = [];
    const clusterNames = new Set<string>();
    const hostsOf = new Map<string, string[]>();
    for (const n of nodes) {
      const file = join(CLUSTER, n);
      expect(existsSync(file), rel(file)).toBe(true);
      const conf = read(file);
      names.push(natsSetting(conf, 'server_name')!);
      const js = natsBlock(conf, 'jetstream');
      expect(js && natsSetting(js, 'store_dir'), `${n}: jetstream { store_dir }`).toBeTruthy();
      const cluster = natsBlock(conf, 'cluster');
      expect(cluster, `${n}: cluster {}`).toBeDefined();
      clusterNames.add(natsSetting(cluster!, 'name')!);
      hostsOf.set(n, natsRoutes(cluster!).map((r) => r.replace(/:\d+$/, '')));
      expect(natsIncludes(conf), `${n}: include ../accounts.conf`).toEqual(['../accounts.conf']);
      expect(existsSync(join(CLUSTER, '../accounts.conf'))).toBe(true);
    }
    expect(new Set(names).size, `server_name: ${names.join(', ')}`).toBe(3);
    expect(clusterNames.size, 'one cluster name').toBe(1);
    // Together the routes name three hosts, and every node reaches at least the two others.
    const hosts = new Set([...hostsOf.values()].flat());
    expect(hosts.size).toBe(3);
    for (const [n, hs] of hostsOf) expect(new Set(hs).size, `${n}: routes`).toBeGreaterThanOrEqual(2);
  });

  it('is accepted by nats-server -t', async () => {
    for (const n of nodes) {
      const r = await natsTest(join(CLUSTER, n), {});
      expect(r.code, `${n}: ${r.out}`).toBe(0);
    }
  });

  it('README says the apps create R3 streams and buckets with --stream-replicas 3', () => {
    const readme = read(join(CLUSTER, 'README.md'));
    expect(readme).toMatch(/--stream-replicas 3/);
    expect(readme).toMatch(/3 replicas/);
  });
});

describe('deploy/: no secret values', () => {
  it('has no literal value for a secret-named environment variable in the Kubernetes manifests', () => {
    const bad: string[] = [];
    const visit = (node: unknown, path: string, d: Doc): void => {
      if (Array.isArray(node)) node.forEach((x, i) => visit(x, `${path}[${i}]`, d));
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.name === 'string' && SECRET_NAME.test(o.name) && 'value' in o) bad.push(`${where(d)} ${path}: ${o.name} has a value`);
        if (typeof o.name === 'string' && SECRET_NAME.test(o.name) && o.valueFrom && !(o.valueFrom as Record<string, unknown>).secretKeyRef) bad.push(`${where(d)} ${path}: ${o.name} not from a secretKeyRef`);
        for (const [k, v] of Object.entries(o)) visit(v, `${path}.${k}`, d);
      }
    };
    for (const d of K8S) visit(d.v, '', d);
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('has no Secret with a value: only secrets.example.yaml names Secrets, with empty values', () => {
    const bad: string[] = [];
    for (const d of DOCS.filter((x) => x.v?.kind === 'Secret')) {
      if (posix.basename(d.file) !== 'secrets.example.yaml') bad.push(`${where(d)}: a Secret outside secrets.example.yaml`);
      for (const [k, v] of Object.entries({ ...(d.v.data ?? {}), ...(d.v.stringData ?? {}) })) if (v !== '' && v !== null) bad.push(`${where(d)}: ${k} has a value`);
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('documents in secrets.example.yaml every Secret and key the manifests reference', () => {
    const example = new Map<string, Set<string>>();
    for (const d of DOCS.filter((x) => x.v?.kind === 'Secret' && posix.basename(x.file) === 'secrets.example.yaml')) {
      example.set(d.v.metadata.name, new Set(Object.keys({ ...(d.v.data ?? {}), ...(d.v.stringData ?? {}) })));
    }
    const refs: Array<[string, string | undefined, string]> = [];
    for (const d of WORKLOADS()) {
      const pod = d.v.spec.template.spec;
      for (const c of containersOf(d)) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.push([e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, where(d)]);
      for (const v of pod.volumes ?? []) {
        if (v.secret) {
          if (v.secret.items) for (const it of v.secret.items) refs.push([v.secret.secretName, it.key, where(d)]);
          else refs.push([v.secret.secretName, undefined, where(d)]);
        }
        for (const s of v.projected?.sources ?? []) {
          if (!s.secret) continue;
          if (s.secret.items) for (const it of s.secret.items) refs.push([s.secret.name, it.key, where(d)]);
          else refs.push([s.secret.name, undefined, where(d)]);
        }
      }
    }
    expect(refs.length).toBeGreaterThan(5);
    const missing = refs.filter(([name, key]) => !example.has(name) || (key !== undefined && !example.get(name)!.has(key))).map(([n, k, w]) => `${w}: Secret ${n}${k ? ` key ${k}` : ''}`);
    expect(missing, missing.join("\n")).toEqual([]);
  });

  it('has no credential-looking literal in any file, and example env files leave secrets empty', () => {
    const bad: string[] = [];
    const patterns: Array<[RegExp, string]> = [
      [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
      [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
      [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/, 'a GitHub token'],
      [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
    ];
    for (const f of ALL_FILES) {
      const text = read(f);
      for (const [re, what] of patterns) if (re.test(text)) bad.push(`${rel(f)}: ${what}`);
      if (f.endsWith('.conf')) {
        for (const m of text.matchAll(/^\s*(?:password|pass|token)\s*[:=]\s*(\S+)/gm)) if (!m[1]!.startsWith('$')) bad.push(`${rel(f)}: a literal NATS password ${m[0].trim()}`);
      }
      if (/\.env(\.example)?$/.test(f)) {
        for (const [k, v] of parseEnvFile(f)) if (SECRET_NAME.test(k) && v !== '') bad.push(`${rel(f)}: ${k} has a value`);
      }
      if (f.endsWith('.service')) {
        const u = parseUnit(f);
        if (unitValues(u, 'Service', 'SetCredential').length > 0) bad.push(`${rel(f)}: SetCredential= puts a secret in the unit`);
        for (const [k] of unitEnvironment(u)) if (SECRET_NAME.test(k)) bad.push(`${rel(f)}: Environment=${k}`);
        for (const v of unitValues(u, 'Service', 'ExecStart')) for (const [flag, value] of flagsOf(v.split(/\s+/))) if (SECRET_NAME.test(flag) && !flag.endsWith('-file')) bad.push(`${rel(f)}: --${flag} ${value}`);
      }
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('compose: environment entries are ${VAR} references, secret ones without a default, secrets from variables', () => {
    const c = compose();
    expect(c, 'deploy/docker/docker-compose.yml').toBeDefined();
    const bad: string[] = [];
    for (const [name, svc] of Object.entries<Record<string, unknown>>(c.services)) {
      for (const [k, v] of composeEnv(svc)) {
        if (!/^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?-|:?\?)[^}]*)?\}$/.test(v)) bad.push(`service ${name}: ${k}=${v} is not one \${VAR} reference`);
        else if (SECRET_NAME.test(k) && /:?-[^}]+\}$/.test(v)) bad.push(`service ${name}: ${k}=${v} has a default value`);
      }
      for (const arg of (Array.isArray(svc.command) ? svc.command : []).map(String)) {
        const [flag] = arg.split('=');
        if (flag!.startsWith('--') && SECRET_NAME.test(flag!) && !flag!.endsWith('-file')) bad.push(`service ${name}: ${flag} as a flag`);
      }
    }
    for (const [name, s] of Object.entries<Record<string, unknown>>(c.secrets ?? {})) {
      if (typeof s.environment !== 'string') bad.push(`secret ${name}: not from an environment variable`);
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });
});

describe('deploy/systemd', () => {
  it('has a unit per long-running app with the sections, keys and hardening it needs', () => {
    const bad: string[] = [];
    for (const [name, bin] of Object.entries(UNITS)) {
      const file = join(SYSTEMD_DIR, name);
      if (!existsSync(file)) {
        bad.push(`deploy/systemd/${name} is missing`);
        continue;
      }
      const u = parseUnit(file);
      const want = (section: string, key: string, ok: (v: string | undefined) => boolean, what: string): void => {
        if (!ok(unitValue(u, section, key))) bad.push(`${name}: [${section}] ${key}= ${what} (have ${unitValue(u, section, key)})`);
      };
      want('Unit', 'Description', (v) => !!v, 'set');
      want('Unit', 'After', (v) => !!v?.includes('network-online.target'), 'network-online.target');
      want('Service', 'Restart', (v) => v === 'always', 'always');
      want('Service', 'NoNewPrivileges', (v) => v === 'yes', 'yes');
      want('Service', 'ProtectSystem', (v) => v === 'strict', 'strict');
      want('Service', 'StateDirectory', (v) => !!v, 'set');
      if (unitValue(u, 'Service', 'DynamicUser') !== 'yes' && !unitValue(u, 'Service', 'User')) bad.push(`${name}: DynamicUser=yes or User=`);
      want('Install', 'WantedBy', (v) => v === 'multi-user.target', 'multi-user.target');
      const envFiles = unitValues(u, 'Service', 'EnvironmentFile');
      const appDir = bin === 'plane-api' ? 'plane-api' : bin;
      if (!envFiles.includes(`-/etc/plane/${appDir}.env`)) bad.push(`${name}: EnvironmentFile=-/etc/plane/${appDir}.env`);
      if (!existsSync(join(SYSTEMD_DIR, 'env', `${appDir}.env`))) bad.push(`${name}: no example deploy/systemd/env/${appDir}.env`);

      const cmd = unitCommand(u);
      if (cmd.problem) {
        bad.push(`${name}: ${cmd.problem}`);
        continue;
      }
      const runs = binOfScript(cmd.script!);
      if (!runs) bad.push(`${name}: ExecStart runs /opt/plane/${cmd.script}, which is no bin of apps/*/package.json (the ${bin} app missing?)`);
      else if (runs !== bin) bad.push(`${name}: runs ${runs}, want ${bin}`);
      else if (!existsSync(join(ROOT, cmd.script!))) bad.push(`${name}: ${cmd.script} does not exist`);

      // Secrets are credentials: every %d/<name> has its LoadCredential=<name>:<path>.
      const creds = new Set(unitValues(u, 'Service', 'LoadCredential').map((v) => v.split(':')[0]!));
      const exec = unitValue(u, 'Service', 'ExecStart')!;
      for (const m of exec.matchAll(/%d\/([A-Za-z0-9_.-]+)/g)) {
        const id = m[1]!;
        if (!creds.has(id) && !creds.has(id.split('_')[0]!)) bad.push(`${name}: %d/${id} without LoadCredential=${id}:...`);
      }
      for (const v of unitValues(u, 'Service', 'LoadCredential')) if (!/^[A-Za-z0-9_.-]+:\/etc\/plane\/credentials\//.test(v)) bad.push(`${name}: LoadCredential=${v} not from /etc/plane/credentials/`);
      const flags = flagsOf(cmd.tokens);
      if (flags.get('nats-password-file') !== '%d/nats-password') bad.push(`${name}: --nats-password-file %d/nats-password`);
      if (!flags.get('nats-user')) bad.push(`${name}: --nats-user`);
      if (bin === 'plane-api' ? !flags.get('listen') : !flags.get('metrics-listen')) bad.push(`${name}: ${bin === 'plane-api' ? '--listen' : '--metrics-listen'}`);
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it('has the NATS cluster unit with its passwords from a root-only environment file', () => {
    const u = parseUnit(join(SYSTEMD_DIR, 'plane-nats@.service'));
    expect(unitValue(u, 'Service', 'ExecStart')).toMatch(/nats-server -c \/etc\/plane\/nats\/cluster\/%i\.conf$/);
    expect(unitValue(u, 'Service', 'EnvironmentFile')).toBe('/etc/plane/nats.env');
    expect(unitValue(u, 'Service', 'StateDirectory')).toBe('plane-nats');
    expect(natsSetting(natsBlock(read(join(DEPLOY, 'nats/cluster/n1.conf')), 'jetstream')!, 'store_dir')).toBe('/var/lib/plane-nats');
    expect([...parseEnvFile(join(SYSTEMD_DIR, 'env', 'nats.env')).keys()].sort()).toEqual(ACCOUNT_PASSWORD_VARS());
  });

  it('README points at the node agent unit in infra/cloud-init', () => {
    const readme = read(join(SYSTEMD_DIR, 'README.md'));
    expect(readme).toMatch(/plane-node-agent\.service/);
    expect(readme).toMatch(/infra\/cloud-init\/node\.yaml\.tftpl/);
    expect(read(join(ROOT, 'infra/cloud-init/node.yaml.tftpl'))).toMatch(/plane-node-agent\.service/);
  });
});

describe('deploy/docker', () => {
  it('builds one image in stages: node:24-bookworm-slim, npm ci, npm run build, dev dependencies pruned', () => {
    const df = read(join(DEPLOY, 'docker', 'Dockerfile'));
    const froms = [...df.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1]!, stage: m[2] }));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f.image).toBe('node:24-bookworm-slim');
    const build = froms[0]!.stage;
    expect(build, 'the first stage is named').toBeDefined();
    expect(df).toMatch(/^RUN\b.*\bnpm ci\b/m);
    expect(df).toMatch(/^RUN\b.*\bnpm run build\b/m);
    expect(df).toMatch(/npm prune --omit=dev/);
    expect(df).toMatch(new RegExp(`^COPY --from=${build}\\b`, 'm'));
    const user = [...df.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user && user !== 'root' && user !== '0', 'runs as a non-root USER').toBe(true);
    expect(df, 'the apps are on PATH by their bin names').toMatch(/PATH=\/app\/node_modules\/\.bin/);
    expect(df, 'the JSON schemas the libraries read').toMatch(/COPY --from=\S+ \S*schemas/);
    const ignore = read(join(DEPLOY, 'docker', 'Dockerfile.dockerignore'));
    expect(ignore).toMatch(/node_modules/);
  });

  it('compose: NATS with JetStream from deploy/nats/nats.conf, pdns as a profile, every app', () => {
    const c = compose();
    const nats = c.services.nats;
    const volumes: string[] = nats.volumes.map(String);
    const mountOf = (file: string): string | undefined => volumes.map((v) => v.split(':')).find(([src]) => src === file)?.[1];
    const confIn = mountOf('../nats/nats.conf');
    const accIn = mountOf('../nats/accounts.conf');
    expect(confIn, 'nats mounts ../nats/nats.conf').toBeDefined();
    expect(accIn, 'nats mounts ../nats/accounts.conf').toBeDefined();
    const natsConf = read(join(DEPLOY, 'nats', 'nats.conf'));
    expect(natsBlock(natsConf, 'jetstream'), 'nats.conf enables JetStream').toBeDefined();
    expect(posix.resolve(posix.dirname(confIn!), natsIncludes(natsConf)[0]!)).toBe(accIn);
    expect(nats.command.map(String)).toContain(confIn);
    const storeDir = natsSetting(natsBlock(natsConf, 'jetstream')!, 'store_dir');
    expect(volumes.some((v) => v.split(':')[1] === storeDir), `a volume on ${storeDir}`).toBe(true);
    for (const v of ACCOUNT_PASSWORD_VARS()) expect(composeEnv(nats).get(v), `nats ${v}`).toMatch(new RegExp(`^\\$\\{${v}[:?}]`));
    expect(c.services.pdns?.profiles).toContain('pdns');
    expect(new Set(composeSites().map((s) => s.bin))).toEqual(new Set(APPS));
    for (const s of composeSites()) expect(s.flags.has('stream-replicas'), `${s.where}: one NATS server, no --stream-replicas`).toBe(false);
  });
});

describe('deploy/: every app, its bin and the flags the deploy files give it', () => {
  it.each([...APPS])('%s', (bin) => {
    const sites = SITES().filter((s) => s.bin === bin);
    const h = HELP.get(bin)!;
    expect(h.error, `${bin} is run by ${sites.map((s) => s.where).join(', ')}`).toBeUndefined();
    const help = h.help!;
    const problems: string[] = [];
    for (const kind of ['systemd', 'kubernetes', 'compose'] as const) if (!sites.some((s) => s.kind === kind)) problems.push(`${bin}: no ${kind} deployment`);
    for (const s of sites) {
      for (const flag of s.flags.keys()) {
        const base = help.flags.has(flag) ? flag : flag.replace(/^no-/, '');
        if (!help.flags.has(base)) problems.push(`${s.where}: --${flag} is not a flag of ${bin} (\`${bin} --help\`)`);
      }
      for (const name of s.env.keys()) {
        if (!name.startsWith('PLANE_') && name !== 'NATS_URL') continue;
        if (name === 'NATS_URL' || help.flags.has(flagOfEnv(name)) || help.text.includes(name)) continue;
        problems.push(`${s.where}: ${name} is no flag of ${bin} (--${flagOfEnv(name)} not in \`${bin} --help\`)`);
      }
      for (const req of help.required) {
        const envName = `PLANE_${req.toUpperCase().replace(/-/g, '_')}`;
        if (!s.flags.has(req) && !s.env.has(envName)) problems.push(`${s.where}: required --${req} (or ${envName}) not given`);
      }
      // The cluster deployments (systemd, Kubernetes) create R3 streams and buckets.
      if (s.kind !== 'compose' && s.flags.get('stream-replicas') !== '3') problems.push(`${s.where}: --stream-replicas 3 not given`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
