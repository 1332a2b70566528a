// A real world for the autoscaler's tests: nats-server, a bare Git remote with node pool files,
// declarations in force, the `nodes` bucket fed with NodeHealth values, and the built binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KV } from '@nats-io/kv';
import { BUCKETS, connectPlane, ensureBucket, ensureStream, readStream, STREAMS, type Plane, type StoredEvent } from '@plane/backbone';
import type { NodeState } from '@plane/events';
import type { NodeHealth } from '@plane/health';
import { createTestRepo, declareWorld, freePort, git, startNatsServer, waitFor, type NatsServerHandle, type TestRepo } from '@plane/testkit';

export const BIN = fileURLToPath(new URL('../bin/autoscaler.js', import.meta.url));

/** A node pool file as Terraform users write them: comments and other variables around the count. */
export function tfvars(count: number | null, region = 'jp'): string {
  return [
    `# ${region} node pool (managed: node_count is written by the autoscaler)`,
    `region        = "${region}"`,
    `instance_type = "t3.medium"`,
    count === null ? '# node_count is set elsewhere' : `node_count    = ${count} # autoscaled`,
    'labels = {',
    '  cpu = "x86"',
    '}',
    '',
  ].join('\n');
}

export interface NodeSketch {
  cpu?: number;
  ram?: number;
  qps?: number;
  state?: NodeState;
  /** ms ago since when it is in `state` (default 1 h). */
  stateForMs?: number;
}

export function nodeHealth(service: string, region: string, node_id: string, s: NodeSketch = {}): NodeHealth {
  const now = Date.now();
  const state = s.state ?? 'ready';
  const since = now - (s.stateForMs ?? 3_600_000);
  return {
    service,
    region,
    node_id,
    ips: ['127.0.0.1'],
    labels: {},
    registered_at: now - 7_200_000,
    state,
    state_reason: 'test',
    state_since: since,
    ready_since: state === 'ready' ? since : null,
    last_heartbeat_at: now,
    last_heartbeat_seq: 1,
    exporter_ok: true,
    exporter_error: null,
    metrics: { cpu: s.cpu ?? 0.5, ram: s.ram ?? 0.5, qps: s.qps ?? 100, rtt_ms: 20, error_rate: 0, samples: 6 },
    probe: { seen: 0, passes: 0, fails: 0, by_ip: {}, last_ok: null, last_at: null, last_latency_ms: null, last_error: null },
    draining: state === 'draining',
    drain_reason: state === 'draining' ? 'test' : null,
    deregistered: false,
    last_seq: 1,
  };
}

export class World {
  nodes!: KV;
  private readonly children = new Set<Autoscaler>();
  readonly dir = mkdtempSync(join(tmpdir(), 'plane-autoscaler-test-'));

  constructor(
    readonly nats: NatsServerHandle,
    readonly plane: Plane,
    readonly repo: TestRepo,
  ) {}

  static async start(files: Record<string, string>): Promise<World> {
    const nats = await startNatsServer();
    const plane = await connectPlane({ url: nats.url, name: 'autoscaler-test' });
    for (const def of [STREAMS.declarations, STREAMS.nodes, STREAMS.decisions, STREAMS.commands, STREAMS.outcomes]) await ensureStream(plane.jsm, def);
    const repo = createTestRepo();
    repo.commit(files, 'infra: node pools');
    const w = new World(nats, plane, repo);
    w.nodes = await ensureBucket(plane.nc, BUCKETS.nodes);
    return w;
  }

  declare(files: Record<string, string>): Promise<number> {
    return declareWorld(this.plane, files);
  }

  /** The usual start: `policy` declared for svc-plus, and jp-0, jp-1 reporting cpu 0.5 (between the scale bounds). */
  async declareWithJpNodes(policy: string): Promise<void> {
    await this.declare({ 'autoscale/svc-plus.yaml': policy });
    for (const id of ['jp-0', 'jp-1']) await this.putNode('svc-plus', 'jp', id, { cpu: 0.5 });
  }

  async putNode(service: string, region: string, id: string, s: NodeSketch = {}): Promise<void> {
    await this.nodes.put(`${service}.${region}.${id}`, new TextEncoder().encode(JSON.stringify(nodeHealth(service, region, id, s))));
  }

  async deleteNode(service: string, region: string, id: string): Promise<void> {
    await this.nodes.delete(`${service}.${region}.${id}`);
  }

  async events(stream: string, filter = '>'): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for await (const s of readStream(this.plane.js, this.plane.jsm, { stream, filter })) out.push(s);
    return out;
  }

  /** Commits on the remote's branch, newest first: sha and full message. */
  commits(branch = 'main'): { sha: string; message: string }[] {
    const out = git(this.repo.remote, 'log', '--format=%H%x00%B%x1e', branch);
    return out
      .split('\x1e')
      .map((e) => e.replace(/^\n/, ''))
      .filter((e) => e.includes('\0'))
      .map((e) => {
        const [sha, message] = e.split('\0');
        return { sha: sha!, message: message!.trim() };
      });
  }

  autoscaleCommits(): { sha: string; message: string }[] {
    return this.commits().filter((c) => c.message.startsWith('autoscale:'));
  }

  file(path: string, ref = 'main'): string {
    return git(this.repo.remote, 'show', `${ref}:${path}`);
  }

  async spawn(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<Autoscaler> {
    const metricsPort = await freePort();
    const a = new Autoscaler(name, this, metricsPort, args, env);
    this.children.add(a);
    return a;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.children].map((c) => c.stop()));
    await this.plane.close();
    await this.nats.dispose();
    this.repo.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Autoscaler {
  child: ChildProcess;
  readonly output: string[] = [];
  readonly cacheDir: string;

  constructor(
    readonly name: string,
    private readonly world: World,
    readonly metricsPort: number,
    private readonly args: string[],
    private readonly env: Record<string, string>,
  ) {
    this.cacheDir = join(world.dir, `cache-${name}`);
    this.child = this.launch();
  }

  private launch(): ChildProcess {
    const child = spawn(
      process.execPath,
      [BIN, '--repo', this.world.repo.remote, '--evaluate-interval', '500ms', '--lease-ttl', '2s', '--ack-wait', '2s', '--instance-id', this.name, '--cache-dir', this.cacheDir, '--metrics-listen', `127.0.0.1:${this.metricsPort}`, '--log-level', 'info', ...this.args],
      { env: { ...process.env, PLANE_NATS_URL: this.world.nats.url, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line.trim() !== '') this.output.push(line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }

  /** Started again with the same name and cache directory (after a crash). */
  restart(env: Record<string, string> = this.env): void {
    Object.assign(this, { env });
    this.child = this.launch();
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`)).ok;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs = 20_000): Promise<void> {
    await waitFor(`${this.name} ready`, async () => ((await this.ready()) ? true : undefined), timeoutMs, 100);
  }

  /** The value of a metric line (`autoscaler_leader`, `autoscaler_decisions_total{type="ScaleDecided"}`). */
  async metric(line: string): Promise<number | undefined> {
    const text = await this.metrics();
    for (const l of text.split('\n')) {
      const [name, value] = l.split(' ');
      if (name === line || name?.replace(/,?app="autoscaler"/, '').replace('{}', '') === line) return Number(value);
    }
    return undefined;
  }

  exited(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((r) => c.once('exit', () => r()));
  }

  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited();
    clearTimeout(t);
  }

  dump(): string {
    return this.output.join('\n');
  }
}

/** Waits for the remote branch to move off `from`. */
export function waitForHeadChange(repo: TestRepo, from: string, timeoutMs = 30_000): Promise<string> {
  return waitFor('a commit on the remote', async () => {
    const head = repo.head();
    return head !== from ? head : undefined;
  }, timeoutMs, 5);
}

/** A policy that waits for nothing (no cooldown, warmup or drain): jp between 1 and 5 nodes, on cpu 0.3 to 0.7. More YAML may follow it (another region under `regions`, a `git` section). */
export const QUICK_POLICY = `service: svc-plus
window: 10s
cooldown: 0s
provision_timeout: 60s
warmup: 0s
drain: 0s
regions:
  jp:
    min_nodes: 1
    max_nodes: 5
    scale_up_cpu: 0.7
    scale_down_cpu: 0.3
`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
