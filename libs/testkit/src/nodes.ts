// Simulated nodes for tests of the apps that read NODES: a registration, and heartbeats published
// on a timer the way a node agent sends them (plain events with ids, failures dropped).
import { publishEvent, type Plane, type Published } from '@plane/backbone';
import { envelope, nodeSubject, type NodeHeartbeatData, type NodeRef } from '@plane/events';

/** Records `ref` as registered with `ips` (id `reg:<node_id>`: registering it again records nothing). */
export function registerNode(plane: Plane, ref: NodeRef, ips: string[]): Promise<Published> {
  return publishEvent(plane.js, nodeSubject(ref, 'registered'), envelope('NodeRegistered', `reg:${ref.node_id}`, { ...ref, ips, labels: {}, replaced_ips: null }, 'test'));
}

export interface HeartbeatOptions {
  /** Default 200 ms. */
  everyMs?: number;
  /** What the heartbeats report; defaults cpu 0.3, ram 0.3, qps 10, rtt 20 ms, error rate 0. */
  metrics?: Partial<Pick<NodeHeartbeatData, 'cpu' | 'ram' | 'qps' | 'rtt_ms' | 'error_rate'>>;
  /** Called for each heartbeat the stream stored (not for one it already had). */
  onStored?: () => void;
  timeoutMs?: number;
}

let boots = 0;

/** Sends `ref`'s heartbeats now and every `everyMs`, as a freshly booted agent, until the returned function is called. */
export function heartbeatEvery(plane: Plane, ref: NodeRef, opts: HeartbeatOptions = {}): () => void {
  const boot = Date.now() + boots++;
  const m = { cpu: 0.3, ram: 0.3, qps: 10, rtt_ms: 20, error_rate: 0, ...opts.metrics };
  let seq = 0;
  const beat = (): void => {
    seq++;
    const event = envelope('NodeHeartbeat', `hb:${ref.node_id}:${boot}:${seq}`, { ...ref, seq, boot, ...m, exporter_ok: true, via: 'nats' as const }, 'test');
    publishEvent(plane.js, nodeSubject(ref, 'heartbeat'), event, opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}).then(
      (r) => {
        if (!r.duplicate) opts.onStored?.();
      },
      () => undefined, // lost, like an agent's heartbeat while NATS is away
    );
  };
  beat();
  const timer = setInterval(beat, opts.everyMs ?? 200);
  return () => clearInterval(timer);
}
