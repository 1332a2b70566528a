// Simulated VMs. One VM = its service (a tiny HTTP server on the VM's own loopback address,
// 127.0.0.x, the gtm health check's port) + a real node-agent that registers it with plane-api
// and heartbeats the VM's load (--static-metrics) like a real node. Each is a process group of
// its own, so "killing the VM" is a SIGKILL of both.
import { join } from 'node:path';
import { SERVICE } from './platform.js';
import type { Proc, Supervisor } from './processes.js';

export interface Profile {
  cpu: number;
  ram: number;
  qps: number;
  rtt_ms: number;
  error_rate: number;
}

export function profileText(p: Profile): string {
  return `cpu=${p.cpu},ram=${p.ram},qps=${p.qps},rtt_ms=${p.rtt_ms},error_rate=${p.error_rate}`;
}

export type VmState = 'booting' | 'running' | 'crashed' | 'destroyed';

export class Vm {
  service: Proc | undefined;
  agent: Proc | undefined;
  state: VmState = 'booting';
  createdAt = Date.now();
  agentStarts = 0;

  constructor(
    readonly id: string,
    readonly region: string,
    readonly index: number,
    readonly ip: string,
    public profile: Profile,
  ) {}
}

export interface FleetSettings {
  supervisor: Supervisor;
  root: string;
  apiUrl: string;
  tokenFile: string;
  token: string;
  natsUrl: string;
  healthPort: number;
  heartbeatInterval: string;
  /** Regions in a fixed order: region i gets addresses 127.0.0.(10*(i+1)+1+index). */
  regions: string[];
  env: NodeJS.ProcessEnv;
}

export class Fleet {
  readonly vms = new Map<string, Vm>();
  /** The load each region's VMs report (new VMs start with it). */
  readonly profiles = new Map<string, Profile>();

  constructor(readonly s: FleetSettings) {}

  ipOf(region: string, index: number): string {
    const r = this.s.regions.indexOf(region);
    if (r < 0 || r > 20 || index > 8) throw new Error(`no loopback address planned for ${region}-${index}`);
    return `127.0.0.${10 * (r + 1) + 1 + index}`;
  }

  get(id: string): Vm | undefined {
    return this.vms.get(id);
  }

  /** VMs of a region that exist (not destroyed), by index. */
  inRegion(region: string): Vm[] {
    return [...this.vms.values()].filter((v) => v.region === region && v.state !== 'destroyed').sort((a, b) => a.index - b.index);
  }

  private startService(vm: Vm): Proc {
    const script = join(this.s.root, 'apps/demo/dist/vm-service.js');
    return this.s.supervisor.start(`${vm.id} service`, process.execPath, [script, vm.ip, String(this.s.healthPort), vm.id], this.s.env, `vm-${vm.id}-service`);
  }

  private startAgent(vm: Vm): Proc {
    vm.agentStarts++;
    const bin = join(this.s.root, 'apps/node-agent/bin/node-agent.js');
    return this.s.supervisor.start(
      `${vm.id} node-agent`,
      process.execPath,
      [
        bin,
        '--api-url', this.s.apiUrl,
        '--token-file', this.s.tokenFile,
        '--service', SERVICE,
        '--region', vm.region,
        '--node-id', vm.id,
        '--ip', vm.ip,
        '--interval', this.s.heartbeatInterval,
        '--static-metrics', profileText(vm.profile),
        // Kept registered across the demo's agent restarts (a load change); a destroyed VM is
        // deregistered by its shutdown (Fleet.destroy).
        '--no-deregister-on-exit',
        '--retry-max', '2s',
        '--rejected-retry', '2s',
        '--nats-url', this.s.natsUrl,
        '--log-level', 'info',
      ],
      this.s.env,
      `vm-${vm.id}-agent`,
    );
  }

  /** "terraform apply" created it: the VM boots its service, then cloud-init starts the agent. */
  async create(region: string, index: number): Promise<Vm> {
    const id = `${region}-${index}`;
    const vm = new Vm(id, region, index, this.ipOf(region, index), { ...(this.profiles.get(region) ?? { cpu: 0.5, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0 }) });
    this.vms.set(id, vm);
    vm.service = this.startService(vm);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (!vm.service.running) throw new Error(`${id}: its service exited (${vm.service.logFile})`);
      try {
        const res = await fetch(`http://${vm.ip}:${this.s.healthPort}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${id}: its service does not answer on http://${vm.ip}:${this.s.healthPort}/healthz`);
      await new Promise((r) => setTimeout(r, 50));
    }
    vm.agent = this.startAgent(vm);
    vm.state = 'running';
    return vm;
  }

  /**
   * The VM's load changes: its agent restarts with the new numbers (node id unchanged, not
   * deregistered). `gapMs` between stop and start lets the health window forget the old samples,
   * so the averages show the new load exactly.
   */
  async restartAgents(vms: Vm[], profile: Profile, gapMs: number): Promise<void> {
    await Promise.all(vms.map((vm) => vm.agent?.stop()));
    for (const vm of vms) vm.profile = { ...profile };
    await new Promise((r) => setTimeout(r, gapMs));
    for (const vm of vms) if (vm.state === 'running') vm.agent = this.startAgent(vm);
  }

  /** The VM dies: SIGKILL to its agent and its service. */
  async crash(vm: Vm): Promise<{ agent: string; service: string }> {
    vm.state = 'crashed';
    const [a, s] = await Promise.all([vm.agent?.kill(), vm.service?.kill()]);
    return { agent: a?.signal ?? `exit ${a?.code}`, service: s?.signal ?? `exit ${s?.code}` };
  }

  /** "terraform destroy": the VM shuts down (its node deregisters), then it is gone. */
  async destroy(vm: Vm): Promise<string> {
    let dereg = 'not deregistered (it was not running)';
    if (vm.state === 'running') {
      try {
        const res = await fetch(`${this.s.apiUrl}/nodes/deregister`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.s.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service: SERVICE, region: vm.region, node_id: vm.id }),
          signal: AbortSignal.timeout(5000),
        });
        dereg = res.ok ? 'deregistered' : `deregister answered ${res.status}`;
      } catch (err) {
        dereg = `deregister failed: ${(err as Error).message}`;
      }
    }
    await Promise.all([vm.agent?.stop(), vm.service?.stop()]);
    vm.state = 'destroyed';
    return dereg;
  }
}
