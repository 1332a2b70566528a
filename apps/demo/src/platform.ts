// The demo's Git remote: the repository's bundled platform-config/ and infra/, with the gtm
// declaration pointed at the demo's PowerDNS and the health/autoscale timings shortened (within
// DURATION_LIMITS of libs/declarations), as one commit on `main` of a local bare repository.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';

const run = promisify(execFile);

export const SERVICE = 'svc-plus';
export const DOMAIN = 'api.svc.plus';
export const ZONE = 'svc.plus';
export const BRANCH = 'main';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'plane demo',
  GIT_AUTHOR_EMAIL: 'demo@plane.invalid',
  GIT_COMMITTER_NAME: 'plane demo',
  GIT_COMMITTER_EMAIL: 'demo@plane.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function gitSync(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export async function gitAsync(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** The demo's timings, written into the declarations. */
export interface DeclaredTimings {
  health: { interval: string; timeout: string; heartbeat_timeout: string; window: string; rise: number; fall: number };
  autoscale: { window: string; cooldown: string; scale_down_stabilization: string; provision_timeout: string; warmup: string; drain: string };
  ttl: number;
}

export interface PlatformRepo {
  remote: string;
  head: string;
  /** node_count per region as committed. */
  counts: Record<string, number>;
  files: { gtm: string; autoscale: string };
}

/** Every `node_count = N` line of a tfvars text (the autoscaler rewrites only that number). */
export function nodeCountOf(text: string): number | undefined {
  const m = /^\s*node_count\s*=\s*(\d+)\b/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function createPlatformRepo(opts: {
  root: string;
  work: string;
  pdnsApiUrl: string;
  healthPort: number;
  timings: DeclaredTimings;
  counts: Record<string, number>;
}): PlatformRepo {
  const remote = join(opts.work, 'platform.git');
  const clone = join(opts.work, 'platform');
  for (const dir of ['platform-config', 'infra']) {
    if (!existsSync(join(opts.root, dir))) throw new Error(`${join(opts.root, dir)} is missing: the demo copies the repository's bundled ${dir}/`);
  }
  gitSync(opts.work, 'init', '-q', '--bare', '-b', BRANCH, remote);
  mkdirSync(clone, { recursive: true });
  gitSync(clone, 'init', '-q', '-b', BRANCH);
  cpSync(join(opts.root, 'platform-config'), join(clone, 'platform-config'), { recursive: true });
  cpSync(join(opts.root, 'infra'), join(clone, 'infra'), { recursive: true, filter: (src) => !/[\\/]\.terraform([\\/]|$)|\.tfstate/.test(src) });

  // gtm: the demo's PowerDNS, a 1 s TTL, the simulated VMs' health port, short timings.
  const gtmFile = join(clone, 'platform-config/gtm', `${SERVICE}.yaml`);
  if (!existsSync(gtmFile)) throw new Error(`platform-config/gtm/${SERVICE}.yaml is missing: the scenario plays ${SERVICE}`);
  const gtm = parseDocument(readFileSync(gtmFile, 'utf8'));
  gtm.setIn(['dns', 'provider'], 'powerdns');
  gtm.setIn(['dns', 'zone'], ZONE);
  gtm.setIn(['dns', 'api_url'], opts.pdnsApiUrl);
  gtm.setIn(['dns', 'server_id'], 'localhost');
  gtm.setIn(['dns', 'ttl'], opts.timings.ttl);
  gtm.setIn(['health', 'type'], 'http');
  gtm.setIn(['health', 'path'], '/healthz');
  gtm.setIn(['health', 'port'], opts.healthPort);
  for (const [k, v] of Object.entries(opts.timings.health)) gtm.setIn(['health', k], v);
  if (gtm.errors.length > 0) throw new Error(`${gtmFile}: ${gtm.errors[0]!.message}`);
  writeFileSync(gtmFile, `# plane demo: dns.api_url, ttl and the health settings were set by the demo.\n${String(gtm)}`);

  const asFile = join(clone, 'platform-config/autoscale', `${SERVICE}.yaml`);
  if (!existsSync(asFile)) throw new Error(`platform-config/autoscale/${SERVICE}.yaml is missing: the scenario plays ${SERVICE}`);
  const as = parseDocument(readFileSync(asFile, 'utf8'));
  for (const [k, v] of Object.entries(opts.timings.autoscale)) as.setIn([k], v);
  as.setIn(['git', 'mode'], 'push');
  as.setIn(['git', 'branch'], BRANCH);
  writeFileSync(asFile, `# plane demo: the timings were shortened by the demo.\n${String(as)}`);

  // The node pools start where the scenario starts.
  for (const [region, count] of Object.entries(opts.counts)) {
    const file = join(clone, 'infra/node-pool', `${region}.tfvars`);
    if (!existsSync(file)) throw new Error(`infra/node-pool/${region}.tfvars is missing`);
    const text = readFileSync(file, 'utf8');
    if (nodeCountOf(text) === undefined) throw new Error(`infra/node-pool/${region}.tfvars has no node_count line`);
    writeFileSync(file, text.replace(/^(\s*node_count\s*=\s*)\d+/m, `$1${count}`));
  }

  gitSync(clone, 'add', '-A');
  gitSync(clone, 'commit', '-q', '-m', 'platform: the bundled declarations and node pools (plane demo timings)');
  gitSync(clone, 'push', '-q', remote, `HEAD:refs/heads/${BRANCH}`);
  const head = gitSync(remote, 'rev-parse', `refs/heads/${BRANCH}`);
  return { remote, head, counts: { ...opts.counts }, files: { gtm: gtmFile, autoscale: asFile } };
}

export interface Commit {
  sha: string;
  subject: string;
  /** Committer time, ms. */
  at: number;
}

/** Commits on the remote's branch after `since` (exclusive), oldest first. */
export async function commitsSince(remote: string, since: string | undefined): Promise<Commit[]> {
  const range = since ? `${since}..refs/heads/${BRANCH}` : `refs/heads/${BRANCH}`;
  const out = await gitAsync(remote, 'log', '--reverse', '--format=%H%x09%ct%x09%s', range);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha, ct, ...rest] = l.split('\t');
      return { sha: sha!, at: Number(ct) * 1000, subject: rest.join('\t') };
    });
}
