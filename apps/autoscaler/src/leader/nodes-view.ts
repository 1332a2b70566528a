// The `nodes` bucket (written by gtm-controller's health projection) kept in memory by a watch
// that recovers from a NATS server going away (followBucket), indexed by service so that one
// service's input does not scan the whole fleet.
import type { KV } from '@nats-io/kv';
import { followBucket } from '@plane/backbone';
import type { NodeHealthView } from '@plane/autoscale';
import type { NodeState } from '@plane/events';
import { Followed, type FollowedOptions } from './followed.js';

const decoder = new TextDecoder();
const STATES: ReadonlySet<string> = new Set<NodeState>(['ready', 'suspect', 'down', 'draining', 'deregistered']);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The fields the decider reads, checked; undefined for a value that is not a node. */
export function nodeViewOf(value: unknown): NodeHealthView | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.service !== 'string' || typeof v.region !== 'string' || typeof v.node_id !== 'string') return undefined;
  const state = typeof v.state === 'string' && STATES.has(v.state) ? (v.state as NodeState) : null;
  const m = v.metrics as Record<string, unknown> | null | undefined;
  const metrics =
    m && typeof m === 'object' && num(m.cpu) !== null && num(m.ram) !== null && num(m.qps) !== null && num(m.samples) !== null
      ? { cpu: num(m.cpu)!, ram: num(m.ram)!, qps: num(m.qps)!, rtt_ms: num(m.rtt_ms) ?? 0, error_rate: num(m.error_rate) ?? 0, samples: num(m.samples)! }
      : null;
  return {
    service: v.service,
    region: v.region,
    node_id: v.node_id,
    state,
    state_since: num(v.state_since) ?? 0,
    ready_since: num(v.ready_since),
    last_heartbeat_at: num(v.last_heartbeat_at),
    metrics,
    deregistered: v.deregistered === true,
  };
}

export type NodesViewOptions = FollowedOptions;

export class NodesView extends Followed {
  /** service -> bucket key -> node. */
  private readonly byService = new Map<string, Map<string, NodeHealthView>>();
  /** bucket key -> service (to find a deleted key's service). */
  private readonly serviceOfKey = new Map<string, string>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly kv: KV,
    opts: NodesViewOptions = {},
  ) {
    super(opts);
  }

  /** Follows the bucket (the current value of each key, then every change), again by itself after a NATS server goes away. */
  async start(): Promise<void> {
    await this.follow((options) =>
      followBucket(this.kv, {
        from: 'last_per_subject',
        maxMessages: 1024,
        onEntry: (e) => {
          if (!e.key.startsWith('_')) {
            if (e.operation === 'PUT' && e.value.length > 0) {
              let parsed: unknown;
              try {
                parsed = JSON.parse(decoder.decode(e.value));
              } catch {
                parsed = undefined;
              }
              const view = nodeViewOf(parsed);
              if (view) this.put(e.key, view);
              else this.remove(e.key);
            } else this.remove(e.key);
          }
          if (this.isLoaded()) for (const l of this.listeners) l();
        },
        ...options,
      }),
    );
  }

  private put(key: string, view: NodeHealthView): void {
    const before = this.serviceOfKey.get(key);
    if (before !== undefined && before !== view.service) this.byService.get(before)?.delete(key);
    let nodes = this.byService.get(view.service);
    if (!nodes) this.byService.set(view.service, (nodes = new Map()));
    nodes.set(key, view);
    this.serviceOfKey.set(key, view.service);
  }

  private remove(key: string): void {
    const service = this.serviceOfKey.get(key);
    if (service === undefined) return;
    this.serviceOfKey.delete(key);
    const nodes = this.byService.get(service);
    nodes?.delete(key);
    if (nodes && nodes.size === 0) this.byService.delete(service);
  }

  /** The service's nodes (every region; the input builder keeps the declared ones). */
  of(service: string): Iterable<NodeHealthView> {
    return this.byService.get(service)?.values() ?? [];
  }

  size(): number {
    return this.serviceOfKey.size;
  }

  /** Called after each change once loaded (heartbeats make this frequent: debounce). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}
