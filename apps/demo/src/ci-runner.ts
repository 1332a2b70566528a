// A local "CI runner": it watches the remote's branch head (as a push-triggered workflow would),
// and for each new head that touches infra/node-pool/*.tfvars does what `terraform apply` of that
// pool would: VMs <region>-0 .. <region>-(N-1) exist; higher indexes are destroyed (highest first).
// A VM that crashed is not recreated (Terraform still sees the instance).
import { BRANCH, gitAsync, nodeCountOf } from './platform.js';
import type { Fleet, Vm } from './vms.js';

export interface ApplyRecord {
  commit: string;
  subject: string;
  region: string;
  from: number | null;
  to: number;
  created: string[];
  destroyed: string[];
  at: number;
}

export interface CiRunnerEvents {
  onCommit?: (commit: string, subject: string, pools: string[]) => void;
  onCreated?: (vm: Vm, record: ApplyRecord) => void;
  onDestroyed?: (vm: Vm, how: string, record: ApplyRecord) => void;
  onError?: (message: string) => void;
}

export class CiRunner {
  private head: string | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  readonly applies: ApplyRecord[] = [];
  /** node_count per region as last applied. */
  readonly applied = new Map<string, number>();
  /** When each VM was created / destroyed by an apply (ms). */
  readonly createdAt = new Map<string, number>();
  readonly destroyedAt = new Map<string, number>();
  lastError: string | undefined;

  constructor(
    private readonly remote: string,
    private readonly fleet: Fleet,
    private readonly events: CiRunnerEvents = {},
    private readonly pollMs = 300,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.poll();
        } catch (err) {
          const msg = (err as Error).message;
          if (msg !== this.lastError) this.events.onError?.(msg);
          this.lastError = msg;
        }
        await new Promise((r) => setTimeout(r, this.pollMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async poll(): Promise<void> {
    const head = await gitAsync(this.remote, 'rev-parse', `refs/heads/${BRANCH}`);
    if (head === this.head) return;
    const previous = this.head;
    const subject = await gitAsync(this.remote, 'log', '-1', '--format=%s', head);
    const changed = previous
      ? (await gitAsync(this.remote, 'diff', '--name-only', previous, head, '--', 'infra/node-pool')).split('\n').filter(Boolean)
      : (await gitAsync(this.remote, 'ls-tree', '--name-only', head, 'infra/node-pool/')).split('\n').filter(Boolean);
    const pools = changed.filter((f) => /^infra\/node-pool\/[a-z0-9-]+\.tfvars$/.test(f)).sort();
    this.head = head;
    if (pools.length === 0) return;
    this.events.onCommit?.(head, subject, pools);
    for (const file of pools) {
      const region = /([a-z0-9-]+)\.tfvars$/.exec(file)![1]!;
      let text: string;
      try {
        text = await gitAsync(this.remote, 'show', `${head}:${file}`);
      } catch {
        text = ''; // deleted: no VMs
      }
      const count = text === '' ? 0 : nodeCountOf(text);
      if (count === undefined) {
        this.events.onError?.(`${file} at ${head.slice(0, 7)} has no node_count: nothing applied`);
        continue;
      }
      await this.apply(head, subject, region, count);
    }
  }

  private async apply(commit: string, subject: string, region: string, count: number): Promise<void> {
    const record: ApplyRecord = { commit, subject, region, from: this.applied.get(region) ?? null, to: count, created: [], destroyed: [], at: Date.now() };
    this.applies.push(record);
    this.applied.set(region, count);
    const existing = new Map(this.fleet.inRegion(region).map((v) => [v.index, v]));
    for (const vm of [...existing.values()].filter((v) => v.index >= count).sort((a, b) => b.index - a.index)) {
      const how = await this.fleet.destroy(vm);
      this.destroyedAt.set(vm.id, Date.now());
      record.destroyed.push(vm.id);
      this.events.onDestroyed?.(vm, how, record);
    }
    for (let i = 0; i < count; i++) {
      if (existing.has(i)) continue;
      const vm = await this.fleet.create(region, i);
      this.createdAt.set(vm.id, Date.now());
      record.created.push(vm.id);
      this.events.onCreated?.(vm, record);
    }
  }
}
