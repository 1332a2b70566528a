// The demo's world: NATS, PowerDNS, the Git remote, the control plane's programs, the simulated
// VMs and the CI runner; started in order and stopped all together.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPlane, type Plane } from '@plane/backbone';
import { freePort, startNatsServer, startPdnsServer, type NatsServerHandle, type PdnsServerHandle } from '@plane/testkit';
import { CiRunner } from './ci-runner.js';
import { Display, Fatal, seconds } from './display.js';
import { DnsSampler } from './dns.js';
import { EventWatch } from './events.js';
import { BOUNDS, DECLARED, HEARTBEAT_INTERVAL, LOAD, type Options } from './options.js';
import { createPlatformRepo, DOMAIN, ZONE, type PlatformRepo } from './platform.js';
import { Supervisor, type Proc } from './processes.js';
import { canBind, ensureSystemDeps } from './system.js';
import { Fleet } from './vms.js';

/** A failure before the scenario could start (missing packages, a program that does not start). */
export class SetupError extends Fatal {}

export const APPS = {
  api: { dir: 'api', bin: 'plane-api' },
  'gitops-sync': { dir: 'gitops-sync', bin: 'gitops-sync' },
  'gtm-controller': { dir: 'gtm-controller', bin: 'gtm-controller' },
  prober: { dir: 'prober', bin: 'prober' },
  autoscaler: { dir: 'autoscaler', bin: 'autoscaler' },
  'gateway-sync': { dir: 'gateway-sync', bin: 'gateway-sync' },
  'node-agent': { dir: 'node-agent', bin: 'node-agent' },
  planectl: { dir: 'ctl', bin: 'planectl' },
} as const;

export type AppName = 'api' | 'gitops-sync' | 'gtm-controller' | 'prober' | 'autoscaler' | 'gateway-sync';

/** The last lines of a log file, for a failure message. */
export function logTail(file: string, lines = 12): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
  } catch {
    return [];
  }
}

export class World {
  readonly supervisor: Supervisor;
  readonly work: string;
  readonly logs: string;
  nats: NatsServerHandle | undefined;
  pdns: PdnsServerHandle | undefined;
  plane: Plane | undefined;
  watch: EventWatch | undefined;
  repo!: PlatformRepo;
  dns!: DnsSampler;
  fleet!: Fleet;
  ci: CiRunner | undefined;
  readonly apps = new Map<AppName, Proc>();
  apiUrl = '';
  token = '';
  tokenFile = '';
  healthPort = 0;
  /** The nginx upstreams file gateway-sync renders. */
  get upstreamsFile(): string {
    return join(this.work, 'nginx-upstreams.conf');
  }
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly root: string,
    readonly opts: Options,
    readonly display: Display,
  ) {
    this.work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'plane-demo-'));
    mkdirSync(this.work, { recursive: true });
    this.logs = join(this.work, 'logs');
    mkdirSync(this.logs, { recursive: true });
    this.supervisor = new Supervisor(this.logs);
    // The children get no PLANE_* settings of the caller's shell: every setting is a flag here.
    this.env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLANE_') && k !== 'NATS_URL'));
  }

  bound(ms: number): number {
    return Math.round(ms * this.opts.timeoutFactor);
  }

  bin(app: keyof typeof APPS): string {
    return join(this.root, 'apps', APPS[app].dir, 'bin', `${APPS[app].bin}.js`);
  }

  get natsUrl(): string {
    return this.nats?.url ?? '';
  }

  async start(): Promise<void> {
    const d = this.display;
    d.say(`work dir ${this.work} (NATS store, Git remote, logs/)`);

    // 1. The machine.
    const deps = ensureSystemDeps(this.root, (l) => d.say(l));
    if (!deps.ok) throw new SetupError(deps.message);
    d.ok(`system packages: ${deps.versions.join(', ')}`);
    const unbuilt = [...Object.keys(APPS).map((a) => join(this.root, 'apps', APPS[a as keyof typeof APPS].dir, 'dist/main.js')), join(this.root, 'apps/demo/dist/vm-service.js')].filter((f) => !existsSync(f));
    if (unbuilt.length > 0) throw new SetupError(`not built: ${unbuilt.map((f) => f.slice(this.root.length)).join(', ')}: run npm run build (or npx tsc -b apps/demo) first`);
    this.healthPort = await freePort();
    for (const ip of ['127.0.0.11', '127.0.0.21']) {
      const err = await canBind(ip, this.healthPort);
      if (err) throw new SetupError(`cannot listen on ${ip}:${this.healthPort} (${err}): the simulated VMs need the 127.0.0.0/8 loopback range (Linux routes it to lo)`);
    }

    // 2. NATS and PowerDNS.
    let t = Date.now();
    const storeDir = join(this.work, 'nats');
    mkdirSync(storeDir, { recursive: true });
    [this.nats, this.pdns] = await Promise.all([startNatsServer({ storeDir, serverName: 'plane-demo' }), startPdnsServer()]);
    await this.pdns.createZone(ZONE);
    d.ok(`NATS with JetStream at ${this.nats.url}; PowerDNS (sqlite3) DNS 127.0.0.1:${this.pdns.dnsPort}, API ${this.pdns.apiUrl}, zone ${ZONE}`, Date.now() - t);
    this.plane = await connectPlane({ url: this.nats.url, name: 'plane-demo' });
    this.watch = new EventWatch(this.plane, d);
    this.watch.start();
    this.dns = new DnsSampler(this.pdns.dnsPort, DOMAIN);

    // 3. The Git remote.
    this.repo = createPlatformRepo({ root: this.root, work: this.work, pdnsApiUrl: this.pdns.apiUrl, healthPort: this.healthPort, timings: DECLARED, counts: { jp: 2, sg: 1 } });
    d.ok(`Git remote ${this.repo.remote}: platform-config/ + infra/ at ${this.repo.head.slice(0, 7)} (jp node_count 2, sg 1; health port ${this.healthPort}, heartbeat_timeout ${DECLARED.health.heartbeat_timeout}, ttl ${DECLARED.ttl}s)`);

    // 4. The control plane.
    t = Date.now();
    this.token = randomBytes(24).toString('hex');
    this.tokenFile = join(this.work, 'node-token');
    writeFileSync(this.tokenFile, `${this.token}\n`, { mode: 0o600 });
    const apiPort = await freePort();
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    const common = ['--nats-url', this.nats.url, '--log-level', 'info'];
    const ports = new Map<AppName, number>();
    for (const a of ['gitops-sync', 'gtm-controller', 'prober', 'autoscaler', 'gateway-sync'] as const) ports.set(a, await freePort());
    const metrics = (a: AppName) => ['--metrics-listen', `127.0.0.1:${ports.get(a)}`];
    const cache = (a: string) => join(this.work, 'cache', a);
    const args: Record<AppName, string[]> = {
      api: ['--listen', `127.0.0.1:${apiPort}`, '--token-file', this.tokenFile],
      'gitops-sync': ['--repo', this.repo.remote, '--repo-name', 'platform', '--branch', 'main', '--interval', '2s', '--cache-dir', cache('gitops-sync'), ...metrics('gitops-sync')],
      'gtm-controller': ['--reconcile-interval', '250ms', '--lease-ttl', '3s', '--instance-id', 'demo-gtm', ...metrics('gtm-controller')],
      prober: [...metrics('prober')],
      autoscaler: ['--repo', this.repo.remote, '--repo-name', 'platform', '--branch', 'main', '--evaluate-interval', '500ms', '--lease-ttl', '3s', '--instance-id', 'demo-autoscaler', '--cache-dir', cache('autoscaler'), ...metrics('autoscaler')],
      // The API gateway's end: nginx upstreams rendered from the ready nodes (no nginx runs here:
      // the file is what nginx would include).
      'gateway-sync': ['--nginx-upstreams-file', this.upstreamsFile, '--nginx-test-command', 'none', '--nginx-reload-command', 'none', '--upstream-port', String(this.healthPort), '--debounce', '200ms', '--lease-ttl', '3s', ...metrics('gateway-sync')],
    };
    const env = { ...this.env, PDNS_API_KEY: this.pdns.apiKey };
    for (const a of Object.keys(args) as AppName[]) {
      this.apps.set(a, this.supervisor.start(a, process.execPath, [this.bin(a), ...args[a], ...common], env));
    }
    const healthUrl = (a: AppName) => (a === 'api' ? `${this.apiUrl}/healthz` : `http://127.0.0.1:${ports.get(a)}/healthz`);
    const up = new Set<AppName>();
    await d
      .waitFor(
        'plane-api, gitops-sync, gtm-controller, prober, autoscaler, gateway-sync starting',
        async () => {
          await Promise.all(
            [...this.apps.entries()].map(async ([a, proc]) => {
              if (up.has(a)) return;
              if (!proc.running) throw new SetupError(`${a} exited at start (${proc.exit?.signal ?? `exit code ${proc.exit?.code}`})`, [proc]);
              const res = await fetch(healthUrl(a), { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
              if (res?.ok) up.add(a);
            }),
          );
          return up.size === this.apps.size;
        },
        this.bound(BOUNDS.appStart),
        { everyMs: 100, detail: () => `not answering /healthz: ${[...this.apps.keys()].filter((a) => !up.has(a)).join(', ')}` },
      )
      .catch((err: unknown) => {
        if (err instanceof SetupError) throw err;
        throw new SetupError((err as Error).message, [...this.apps.entries()].filter(([a]) => !up.has(a)).map(([, p]) => p));
      });
    d.ok(`plane-api ${this.apiUrl}, gitops-sync, gtm-controller, prober, autoscaler, gateway-sync running (pids ${[...this.apps.values()].map((p) => p.pid).join(', ')}; logs in ${this.logs})`, Date.now() - t);

    // 5. Declarations in force: plane-api is ready once it knows the declared world.
    t = Date.now();
    await d.waitFor('gitops-sync: the declarations in force', async () => (await fetch(`${this.apiUrl}/readyz`, { signal: AbortSignal.timeout(1000) })).ok, this.bound(BOUNDS.declarations), {
      detail: () => this.watch?.last((e) => e.type === 'SyncRejected') ? 'the commit was rejected (see above)' : 'no SyncCompleted yet',
    }).catch((err: unknown) => {
      throw new SetupError((err as Error).message, [this.apps.get('gitops-sync')!, this.apps.get('api')!]);
    });
    d.ok(`gitops-sync: platform-config at ${this.repo.head.slice(0, 7)} in force (gtm, autoscale and region declarations of svc-plus)`, Date.now() - t);
    d.say('no VM exists yet: gtm-controller has nothing to publish, and leaves DNS alone');

    // 6. The VMs: the CI runner applies the node pools of the first commit.
    this.fleet = new Fleet({
      supervisor: this.supervisor,
      root: this.root,
      apiUrl: this.apiUrl,
      tokenFile: this.tokenFile,
      token: this.token,
      natsUrl: this.nats.url,
      healthPort: this.healthPort,
      heartbeatInterval: HEARTBEAT_INTERVAL,
      regions: ['jp', 'sg'],
      env: this.env,
    });
    this.fleet.profiles.set('jp', { ...LOAD.normal });
    this.fleet.profiles.set('sg', { ...LOAD.normal });
    this.ci = new CiRunner(this.repo.remote, this.fleet, {
      onCommit: (sha, subject, pools) => d.event('CI', `push ${sha.slice(0, 7)} "${subject}" touches ${pools.join(', ')}: terraform apply`, true),
      onCreated: (vm, r) => d.event('CI', `${r.region} node_count ${r.from ?? '-'} -> ${r.to}: created VM ${vm.id} at ${vm.ip} (service pid ${vm.service?.pid}, node-agent pid ${vm.agent?.pid}, load ${vm.profile.cpu} cpu)`, true),
      onDestroyed: (vm, how, r) => d.event('CI', `${r.region} node_count ${r.from ?? '-'} -> ${r.to}: destroyed VM ${vm.id} (${how}; service and node-agent stopped)`, true),
      onError: (m) => d.warn(`CI runner: ${m}`),
    });
    this.ci.start();
  }

  /** Stops every process it started; the NATS store and the Git remote stay on disk. */
  async stop(): Promise<void> {
    await this.ci?.stop().catch(() => undefined);
    this.watch?.stop();
    await this.plane?.close().catch(() => undefined);
    await this.supervisor.stopAll();
    await Promise.all([this.nats?.stop(), this.pdns?.dispose()].map((p) => p?.catch(() => undefined)));
  }

  /** How long since `t`, as text. */
  since(t: number): string {
    return seconds(Date.now() - t);
  }
}
