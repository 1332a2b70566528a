// The mission's scenario, played on the demo's world and checked from the outside: DNS answers by
// real queries, commits in the real Git remote, processes really started and killed. Events
// recorded by the control plane only explain what is seen.
import { readFileSync } from 'node:fs';
import { Fatal, seconds } from './display.js';
import { describeCounts } from './dns.js';
import { BOUNDS, DECLARED, LOAD, RESTART_GAP_MS } from './options.js';
import { commitsSince, DOMAIN, type Commit } from './platform.js';
import type { Vm } from './vms.js';
import { logTail, type AppName, type World } from './world.js';

export interface Observation {
  at: number;
  what: string;
}

export class StepRecord {
  readonly started = Date.now();
  ended: number | undefined;
  readonly observations: Observation[] = [];
  failed: string | undefined;

  constructor(
    readonly n: number,
    readonly title: string,
  ) {}
}

interface Shares {
  total: number;
  answered: number;
  byRegion: Map<string, number>;
  counts: Map<string, number>;
}

export class Scenario {
  readonly steps: StepRecord[] = [];
  private current: StepRecord | undefined;

  constructor(private readonly w: World) {}

  private get d() {
    return this.w.display;
  }

  private begin(n: number, title: string): StepRecord {
    const s = new StepRecord(n, title);
    this.steps.push(s);
    this.current = s;
    this.d.step = n === 0 ? 'setup' : `step ${n}/4`;
    this.d.header(n === 0 ? title : `Step ${n}/4  ${title}`);
    return s;
  }

  private observe(what: string, ms?: number): void {
    this.current?.observations.push({ at: Date.now(), what });
    this.d.ok(what, ms);
  }

  private end(): void {
    if (this.current) this.current.ended = Date.now();
  }

  /** Marks the running step failed (for the summary). */
  fail(message: string): void {
    if (this.current && this.current.ended === undefined) {
      this.current.failed = message;
      this.current.ended = Date.now();
    }
  }

  /** A probe's guard: the programs the step relies on are still running. */
  private alive(...apps: AppName[]): void {
    for (const a of apps) {
      const p = this.w.apps.get(a);
      if (p && !p.running) throw new Fatal(`${a} exited (${p.exit?.signal ?? `exit code ${p.exit?.code}`})`, [p]);
    }
  }

  private vm(id: string): Vm {
    const vm = this.w.fleet.get(id);
    if (!vm) throw new Fatal(`VM ${id} does not exist`);
    return vm;
  }

  private regionOfIp(ip: string): string {
    for (const vm of this.w.fleet.vms.values()) if (vm.ip === ip) return vm.region;
    return '?';
  }

  private async shares(n: number): Promise<Shares> {
    const { counts, answered } = await this.w.dns.sample(n);
    const byRegion = new Map<string, number>();
    let total = 0;
    for (const [ip, c] of counts) {
      const r = this.regionOfIp(ip);
      byRegion.set(r, (byRegion.get(r) ?? 0) + c);
      total += c;
    }
    return { total, answered, byRegion, counts };
  }

  private sharesText(s: Shares): string {
    const pct = (r: string) => (s.total === 0 ? 0 : (100 * (s.byRegion.get(r) ?? 0)) / s.total);
    const regions = [...s.byRegion.keys()].sort();
    return `${s.total} answers: ${regions.map((r) => `${r} ${pct(r).toFixed(1)}%`).join(', ')} (${describeCounts(s.counts)})`;
  }

  /** Seen at least once in `n` queries. */
  private async dnsHas(ip: string, n = 60): Promise<boolean> {
    const { counts } = await this.w.dns.sample(n);
    return counts.has(ip);
  }

  /** Answered (nearly) every time over `n` queries, and never with `ip`. */
  private async dnsLacks(ip: string, n = 60): Promise<boolean> {
    const { counts, answered } = await this.w.dns.sample(n);
    return answered >= n * 0.9 && !counts.has(ip);
  }

  private async waitCommit(since: string, pattern: RegExp, label: string, bound: number, guard: () => Promise<void> | void = () => undefined): Promise<{ commit: Commit; ms: number }> {
    let others: Commit[] = [];
    const { value, ms } = await this.d.waitFor(
      label,
      async () => {
        await guard();
        const commits = await commitsSince(this.w.repo.remote, since);
        others = commits.filter((c) => !pattern.test(c.subject));
        return commits.find((c) => pattern.test(c.subject));
      },
      this.w.bound(bound),
      {
        everyMs: 200,
        detail: () => {
          const held = this.w.watch?.last((e) => e.subject.startsWith('autoscale.') && (e.data.region === 'jp' || String(e.subject).endsWith('.jp')));
          return [others.length ? `other commits: ${others.map((c) => `"${c.subject}"`).join(', ')}` : 'no commit on the remote since', held ? `the autoscaler's last word on jp: ${held.type}: ${String(held.data.reason ?? '')}` : 'no autoscaler event about jp seen'].join('; ');
        },
      },
    );
    return { commit: value, ms };
  }

  // ------------------------------------------------------------------ setup: the fleet

  async boot(): Promise<void> {
    this.begin(0, 'The fleet: CI applies infra/node-pool/*.tfvars (jp 2, sg 1)');
    const t = Date.now();
    const ids = ['jp-0', 'jp-1', 'sg-0'];
    await this.d.waitFor('CI runner: VMs jp-0, jp-1, sg-0 created', () => ids.every((id) => this.w.ci!.createdAt.has(id)), this.w.bound(BOUNDS.vmStart), {
      detail: () => this.w.ci?.lastError ?? `created: ${[...this.w.ci!.createdAt.keys()].join(', ') || 'none'}`,
    });
    this.observe(`VMs ${ids.map((id) => `${id} ${this.vm(id).ip}`).join(', ')} created: each a service answering /healthz on :${this.w.healthPort} and a node-agent`, Date.now() - t);
    const ips = ids.map((id) => this.vm(id).ip);
    let seen = new Map<string, number>();
    const { ms } = await this.d.waitFor(
      'registered, healthy, and in DNS',
      async () => {
        this.alive('api', 'gtm-controller', 'prober');
        seen = (await this.w.dns.sample(100)).counts;
        return ips.every((ip) => seen.has(ip));
      },
      this.w.bound(BOUNDS.initialDns),
      { detail: () => `DNS answered ${describeCounts(seen) || `nothing (${this.w.dns.lastError ?? 'no answer'})`}` },
    );
    this.observe(`jp-0, jp-1, sg-0 registered through plane-api, heartbeating over NATS, probed healthy: all three in DNS`, ms);
    this.end();
  }

  // ------------------------------------------------------------------ 1

  async step1(): Promise<void> {
    this.begin(1, `jp and sg serve ${DOMAIN}`);
    this.d.say(`real queries to the PowerDNS, as with:  ${this.d.bold(this.w.dns.dig)}  (one weighted answer per query)`);
    let last: Shares | undefined;
    const { value, ms } = await this.d.waitFor(
      'answers in shares near 100:10',
      async () => {
        const s = await this.shares(400);
        last = s;
        const jp = (s.byRegion.get('jp') ?? 0) / Math.max(1, s.total);
        return s.total >= 380 && (s.byRegion.get('sg') ?? 0) > 0 && jp >= 0.8 && jp <= 0.97 ? s : undefined;
      },
      this.w.bound(30_000),
      { everyMs: 500, detail: () => (last ? this.sharesText(last) : 'no answers') },
    );
    this.observe(`${this.sharesText(value)}: declared weights jp 100, sg 10 (expected 90.9% : 9.1%)`, ms);
    this.end();
  }

  // ------------------------------------------------------------------ 2

  async step2(): Promise<void> {
    this.begin(2, 'jp load rises: the autoscaler scales out through Git and CI');
    const t0 = Date.now();
    const head = this.w.repo.head;
    const jp = [this.vm('jp-0'), this.vm('jp-1')];
    const hot = LOAD.hot;
    // New jp VMs take their share of the load spread over three nodes.
    this.w.fleet.profiles.set('jp', { ...LOAD.spread });
    this.d.say(`jp-0 and jp-1 report cpu ${hot.cpu} (policy: scale_up_cpu 0.7): their node-agents restart with --static-metrics cpu=${hot.cpu},... --no-deregister-on-exit`);
    const before = jp.map((v) => v.agent?.pid);
    await this.w.fleet.restartAgents(jp, hot, RESTART_GAP_MS);
    if (!jp.every((v) => v.agent?.running)) throw new Fatal('a jp node-agent did not start again', jp.map((v) => v.agent!).filter(Boolean));
    this.observe(`node-agents of jp-0, jp-1 restarted (pids ${before.join(', ')} -> ${jp.map((v) => v.agent?.pid).join(', ')}), same node ids`, Date.now() - t0);

    const { commit, ms } = await this.waitCommit(head, /^autoscale: svc-plus jp scale_out 2 -> 3\b/, 'the autoscaler commits jp node_count 2 -> 3', BOUNDS.scaleOutCommit, () => this.alive('autoscaler', 'gtm-controller'));
    this.observe(`commit ${commit.sha.slice(0, 7)} on the remote: "${commit.subject}"`, ms);
    if (commit.subject !== 'autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)') this.d.warn(`expected the message "autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)"; got "${commit.subject}"`);
    this.w.repo.head = commit.sha;
    const tc = Date.now();

    const created = await this.d.waitFor('CI runner: terraform apply starts jp-2', () => (this.w.ci!.createdAt.get('jp-2') ?? 0) >= t0 && this.w.fleet.get('jp-2')?.agent?.running, this.w.bound(BOUNDS.vmStart), {
      detail: () => this.w.ci?.lastError ?? 'no apply created jp-2',
    });
    const vm2 = this.vm('jp-2');
    this.observe(`CI runner started VM jp-2 at ${vm2.ip} (service pid ${vm2.service?.pid}, node-agent pid ${vm2.agent?.pid})`, created.ms);

    const reg = await this.d.waitFor('jp-2 registers', () => this.w.watch?.find((e) => e.type === 'NodeRegistered' && e.data.node_id === 'jp-2', tc), this.w.bound(BOUNDS.registered), {
      detail: () => logTail(vm2.agent!.logFile, 2).join(' | '),
    });
    this.observe(`jp-2 registered through plane-api (${((reg.value.data.ips as string[]) ?? []).join(', ')})`, reg.ms);

    const inDns = await this.d.waitFor('jp-2 in DNS', async () => {
      this.alive('gtm-controller');
      return this.dnsHas(vm2.ip, 80);
    }, this.w.bound(BOUNDS.inDns));
    this.observe(`${vm2.ip} (jp-2) answered by DNS, ${seconds(Date.now() - tc)} after the commit`, inDns.ms);
    const upstream = await this.d.waitFor('jp-2 enters the gateway upstream', () => {
      try {
        return readFileSync(this.w.upstreamsFile, 'utf8').includes(`server ${vm2.ip}:`);
      } catch {
        return false;
      }
    }, this.w.bound(BOUNDS.registered), { detail: () => `${this.w.upstreamsFile} has no server ${vm2.ip}` });
    this.observe(`gateway-sync rendered ${vm2.ip} (jp-2) into nginx upstream plane_svc-plus_jp (${this.w.upstreamsFile})`, upstream.ms);

    // The load spreads over the three nodes.
    const spread = LOAD.spread;
    const ts = Date.now();
    await this.w.fleet.restartAgents(jp, spread, RESTART_GAP_MS);
    this.d.say(`the load spreads over three nodes: jp-0, jp-1 report cpu ${spread.cpu} like jp-2 (agents restarted)`);
    const done = await this.d
      .waitFor('the autoscaler sees the scale-out complete', () => this.w.watch?.find((e) => e.type === 'ScaleActionCompleted' && e.data.region === 'jp', t0), this.w.bound(BOUNDS.completed))
      .catch(() => undefined);
    if (done) this.d.ok(`autoscaler: ${String(done.value.data.reason ?? 'completed')}`, Date.now() - ts);
    else this.d.warn('no ScaleActionCompleted for jp seen (the step itself was observed)');
    this.end();
  }

  // ------------------------------------------------------------------ 3

  async step3(): Promise<void> {
    this.begin(3, 'a jp node dies: it leaves DNS, jp keeps serving');
    const victim = this.vm('jp-1');
    this.d.say(`SIGKILL to jp-1's node-agent (pid ${victim.agent?.pid}) and its service (pid ${victim.service?.pid})`);
    const t0 = Date.now();
    const how = await this.w.fleet.crash(victim);
    if (victim.agent?.running || victim.service?.running) throw new Fatal('jp-1 is still running after SIGKILL');
    this.observe(`jp-1 killed: node-agent ${how.agent}, service ${how.service}`, Date.now() - t0);

    const gone = await this.d.waitFor(`${victim.ip} (jp-1) out of DNS`, async () => {
      this.alive('gtm-controller', 'prober');
      return this.dnsLacks(victim.ip, 80);
    }, this.w.bound(BOUNDS.outOfDns), { everyMs: 100 });
    const down = this.w.watch?.find((e) => e.type === 'NodeDown' && e.data.node_id === 'jp-1', t0);
    this.observe(`${victim.ip} no longer answered, ${seconds(Date.now() - t0)} after the kill (heartbeat_timeout ${DECLARED.health.heartbeat_timeout}; fall ${DECLARED.health.fall} x interval ${DECLARED.health.interval})${down ? `: ${String(down.data.reason)}` : ''}`, gone.ms);

    const decided = this.w.watch?.last((e) => e.type === 'GtmDecided' && Array.isArray(e.data.regions), t0);
    const regions = (decided?.data.regions as { name: string; weight: number; ready: number; total: number; min_ready_nodes: number; reason: string }[] | undefined) ?? [];
    const r = regions.find((x) => x.name === 'jp');
    const s = await this.shares(300);
    const jpAnswered = (s.byRegion.get('jp') ?? 0) > 0;
    if (r) {
      const follows = r.ready >= r.min_ready_nodes ? r.weight > 0 : r.weight === 0;
      if (!follows) throw new Fatal(`jp weight ${r.weight} with ${r.ready} of ${r.total} ready does not follow min_ready_nodes ${r.min_ready_nodes}`);
      if ((r.weight > 0) !== jpAnswered) throw new Fatal(`gtm decided jp weight ${r.weight} but DNS ${jpAnswered ? 'answers' : 'does not answer'} jp (${this.sharesText(s)})`);
      this.observe(`jp: ${r.ready} of ${r.total} nodes ready >= min_ready_nodes ${r.min_ready_nodes}: weight ${r.weight}; ${this.sharesText(s)}`);
    } else {
      if (!jpAnswered) throw new Fatal(`jp is no longer answered: ${this.sharesText(s)}`);
      this.observe(`jp still answered with 2 of 3 nodes ready (min_ready_nodes 1): ${this.sharesText(s)}`);
    }
    this.end();
  }

  // ------------------------------------------------------------------ 4

  async step4(): Promise<void> {
    this.begin(4, 'the load drops: drain, then scale in through Git and CI');
    const t0 = Date.now();
    const head = this.w.repo.head;
    const live = this.w.fleet.inRegion('jp').filter((v) => v.state === 'running');
    const low = LOAD.low;
    this.d.say(
      `${live.map((v) => v.id).join(', ')} report cpu ${low.cpu}, ram ${low.ram}, qps ${low.qps}: every signal under its scale-down bound (0.3, 0.4, 200); ` +
        `after the stabilization window (${DECLARED.autoscale.scale_down_stabilization}) and the cooldown (${DECLARED.autoscale.cooldown}) jp scales in`,
    );
    await this.w.fleet.restartAgents(live, low, RESTART_GAP_MS);
    if (!live.every((v) => v.agent?.running)) throw new Fatal('a jp node-agent did not start again');
    this.observe(`node-agents of ${live.map((v) => v.id).join(', ')} restarted with cpu=${low.cpu}`, Date.now() - t0);

    // The highest index goes (the Terraform module's names): jp-2.
    const leaving = this.vm('jp-2');
    const pattern = /^autoscale: svc-plus jp scale_in 3 -> 2\b/;
    const out = await this.d.waitFor(
      `drain: ${leaving.ip} (jp-2) leaves DNS before any commit`,
      async () => {
        this.alive('autoscaler', 'gtm-controller');
        const lacks = await this.dnsLacks(leaving.ip, 60);
        const early = (await commitsSince(this.w.repo.remote, head)).find((c) => pattern.test(c.subject));
        if (early && !lacks) throw new Fatal(`"${early.subject}" was committed while ${leaving.ip} (jp-2) was still answered by DNS`);
        return lacks;
      },
      this.w.bound(BOUNDS.scaleInDrain),
      {
        everyMs: 100,
        detail: () => {
          const held = this.w.watch?.last((e) => e.subject.startsWith('autoscale.') && e.data.region === 'jp');
          return held ? `the autoscaler's last word on jp: ${held.type}: ${String(held.data.reason ?? '')}` : 'no autoscaler event about jp';
        },
      },
    );
    const drain = this.w.watch?.find((e) => e.type === 'NodeDrainChanged' && e.data.draining === true, t0);
    if (drain && drain.data.node_id !== 'jp-2') this.d.warn(`the autoscaler drained ${String(drain.data.node_id)}, not jp-2`);
    this.observe(`${leaving.ip} (jp-2) no longer answered${drain ? `: drained by ${String(drain.data.by)}` : ''}`, out.ms);
    const outAt = Date.now();

    const { commit, ms } = await this.waitCommit(head, pattern, 'the autoscaler commits jp node_count 3 -> 2', BOUNDS.scaleInCommit, () => this.alive('autoscaler'));
    this.observe(`commit ${commit.sha.slice(0, 7)} on the remote, ${seconds(Date.now() - outAt)} after jp-2 was seen out of DNS: "${commit.subject}"`, ms);
    this.w.repo.head = commit.sha;

    const stopped = await this.d.waitFor(
      'CI runner: terraform apply destroys jp-2',
      () => (this.w.ci!.destroyedAt.get('jp-2') ?? 0) >= t0 && !leaving.agent?.running && !leaving.service?.running,
      this.w.bound(BOUNDS.vmStop),
      { detail: () => this.w.ci?.lastError ?? 'no apply destroyed jp-2' },
    );
    this.observe(`CI runner destroyed VM jp-2: deregistered, node-agent ${leaving.agent?.exit?.signal ?? `exit ${leaving.agent?.exit?.code}`}, service ${leaving.service?.exit?.signal ?? `exit ${leaving.service?.exit?.code}`}`, stopped.ms);

    const done = await this.d
      .waitFor('the autoscaler sees the scale-in complete', () => this.w.watch?.find((e) => e.type === 'ScaleActionCompleted' && e.data.region === 'jp', outAt), this.w.bound(BOUNDS.completed))
      .catch(() => undefined);
    if (done) this.d.ok(`autoscaler: ${String(done.value.data.reason ?? 'completed')}`);
    else this.d.warn('no ScaleActionCompleted for the scale-in seen (the step itself was observed)');
    const s = await this.shares(300);
    this.d.say(`DNS now: ${this.sharesText(s)}`);
    this.end();
  }

  async run(): Promise<void> {
    await this.boot();
    await this.d.beat(1500);
    await this.step1();
    await this.d.beat(2000);
    await this.step2();
    await this.d.beat(2000);
    await this.step3();
    await this.d.beat(2000);
    await this.step4();
  }

  /** The summary: each step with its measured time and what was observed when. */
  summary(ok: boolean): string[] {
    const d = this.d;
    const lines: string[] = [];
    const first = this.steps[0]?.started ?? d.t0;
    lines.push('');
    lines.push(d.bold(ok ? 'Summary: every step observed for real' : 'Summary: the scenario did not complete'));
    for (const s of this.steps) {
      const took = s.ended === undefined ? 'running' : seconds(s.ended - s.started);
      const mark = s.failed ? d.red('✗') : s.ended === undefined ? d.yellow('…') : d.green('✓');
      lines.push(`  ${mark} ${s.n === 0 ? 'setup' : `step ${s.n}`}  ${s.title}  ${d.dim(took)}`);
      for (const o of s.observations) lines.push(`      ${d.dim(`+${seconds(o.at - s.started).padStart(6)}`)}  ${o.what}`);
      if (s.failed) lines.push(`      ${d.red(s.failed)}`);
    }
    lines.push(`  total ${seconds(Date.now() - first)} (since the demo started: ${seconds(Date.now() - d.t0)})`);
    return lines;
  }
}
