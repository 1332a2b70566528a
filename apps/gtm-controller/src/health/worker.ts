// The health projection: folds the NODES stream into the `nodes` bucket (single writer: run it
// only while holding the lease), and records each node state change as an event on NODES.
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ensureBucket, BUCKETS, POSITION_KEY, readBucket, STREAMS, type Plane } from '@plane/backbone';
import { decodeEvent, encodeEvent, nodeKey, nodeSubject, type NodeStreamEvent, type NodeStateEvent } from '@plane/events';
import { addSample, decideNodeState, evolveNode, nodeEventProblem, newNodeRecord, DEFAULT_HEALTH, type HealthSettings, type NodeHealth, type NodeRecord } from '@plane/health';
import type { Logger } from '@plane/runtime';

export interface HealthWorkerOptions {
  plane: Plane;
  log: Logger;
  settings: () => Map<string, HealthSettings>;
  source: string;
  /** How often dirty nodes are written to the bucket (writes are coalesced per node). */
  flushMs?: number;
  /**
   * A node whose state did not change is written at most this often (its metrics and heartbeat
   * time may lag the stream by up to this much; a state change is written at the next flush).
   */
  minWriteIntervalMs?: number;
  /** How often time-driven transitions (heartbeat timeout) are checked. */
  tickMs?: number;
  /** Clock for time-driven transitions (tests inject one). */
  now?: () => number;
  /** Record state events (false: fold only, for a follower or a dry run). */
  decide?: boolean;
  onStateEvent?: (e: NodeStateEvent) => void;
}

const encoder = new TextEncoder();

export class HealthWorker {
  readonly nodes = new Map<string, NodeRecord>();
  private kv!: KV;
  private position = 0;
  private caughtUpAt = 0;
  private live = false;
  private dirty = new Set<string>();
  /** Nodes whose state changed since they were last written: written at the next flush. */
  private urgent = new Set<string>();
  private readonly writtenAt = new Map<string, number>();
  /** Ids of state events this worker recorded and has not yet seen come back on the stream. */
  private readonly ownPending = new Set<string>();
  /** Nodes whose state event is being published (not acknowledged nor refused yet). */
  private readonly recording = new Set<string>();
  private messages: ConsumerMessages | undefined;
  private timers: NodeJS.Timeout[] = [];
  private loop: Promise<void> | undefined;
  private lastMessageAt = 0;
  private resubscribing = false;
  private stopping = false;
  private flushing: Promise<void> | undefined;
  private lastWrittenPosition = -1;
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  stats = { folded: 0, skipped: 0, stateEvents: 0, stateEventsFailed: 0, writes: 0 };

  constructor(private readonly opts: HealthWorkerOptions) {}

  private settingsFor(service: string): HealthSettings {
    return this.opts.settings().get(service) ?? DEFAULT_HEALTH;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Loads the bucket, refills metric windows from retained heartbeats, then follows the stream. */
  async start(): Promise<void> {
    const { plane } = this.opts;
    this.kv = await ensureBucket(plane.nc, BUCKETS.nodes);
    const entries = await readBucket(this.kv);
    const pos = entries.get(POSITION_KEY);
    this.position = typeof pos === 'number' ? pos : 0;
    this.lastWrittenPosition = this.position;
    entries.delete(POSITION_KEY);
    for (const [key, value] of entries) this.nodes.set(key, { health: value as NodeHealth, samples: [] });
    if (this.position > 0) await this.refillWindows();

    const info = await plane.jsm.streams.info(STREAMS.nodes.name);
    this.caughtUpAt = info.state.last_seq;
    if (this.position >= this.caughtUpAt) this.goLive();
    await this.follow();
    // A consumer can die with the NATS server it lived on; when the stream moved on and nothing
    // arrived for a while, follow it again from our position.
    this.timers.push(setInterval(() => void this.watchdog(), 2000));
    this.timers.push(setInterval(() => void this.flush(), this.opts.flushMs ?? 250));
  }

  /** An ordered push consumer from our position: the server streams without pull round trips. */
  private async follow(): Promise<void> {
    const { plane } = this.opts;
    const consumer = await plane.js.consumers.getPushConsumer(STREAMS.nodes.name, {
      filter_subjects: 'node.>',
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.position + 1,
    });
    // A callback, not an async iterator: one function call per message, no promise per message.
    const messages = await consumer.consume({
      callback: (m) => {
        this.lastMessageAt = Date.now();
        const info = m.info;
        this.fold(m.data, info.streamSequence, Math.floor(info.timestampNanos / 1e6));
        if (!this.live && info.streamSequence >= this.caughtUpAt) this.goLive();
      },
    });
    this.messages = messages;
    this.lastMessageAt = Date.now();
    this.loop = messages.closed().then(() => undefined);
  }

  private async watchdog(): Promise<void> {
    if (this.stopping || this.resubscribing || Date.now() - this.lastMessageAt < 3000) return;
    this.resubscribing = true;
    try {
      const info = await this.opts.plane.jsm.streams.info(STREAMS.nodes.name);
      if (info.state.last_seq <= this.position) return;
      this.opts.log.warn({ position: this.position, stream_last_seq: info.state.last_seq }, 'NODES consumer stalled behind the stream; following it again');
      this.messages?.stop();
      await this.loop?.catch(() => undefined);
      if (!this.stopping) await this.follow();
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'NODES consumer check failed; retried');
    } finally {
      this.resubscribing = false;
    }
  }

  /** After a restart the bucket has averages but not the samples behind them: re-read the window. */
  private async refillWindows(): Promise<void> {
    let widest = DEFAULT_HEALTH.window_ms;
    for (const s of this.opts.settings().values()) widest = Math.max(widest, s.window_ms);
    const from = new Date(this.now() - widest).toISOString();
    const { plane } = this.opts;
    const consumer = await plane.js.consumers.get(STREAMS.nodes.name, { filter_subjects: 'node.*.*.*.heartbeat', deliver_policy: DeliverPolicy.StartTime, opt_start_time: from });
    if ((await consumer.info(true)).num_pending === 0) return;
    const it = await consumer.consume({ max_messages: 4096 });
    for await (const m of it) {
      const seq = m.info.streamSequence;
      if (seq <= this.position) {
        let e: NodeStreamEvent | undefined;
        try {
          e = decodeEvent(m.data) as NodeStreamEvent;
          if (nodeEventProblem(e)) e = undefined;
        } catch {
          // Skipped here as the fold skipped it.
        }
        if (e?.type === 'NodeHeartbeat' && e.data.exporter_ok) {
          const rec = this.nodes.get(nodeKey(e.data));
          const at = Math.floor(m.info.timestampNanos / 1e6);
          if (rec) {
            addSample(rec, { at, cpu: e.data.cpu, ram: e.data.ram, qps: e.data.qps, rtt_ms: e.data.rtt_ms, error_rate: e.data.error_rate });
            // Writes are coalesced, so the bucket's heartbeat time may trail the stream a little.
            if (seq > rec.health.last_heartbeat_seq) {
              rec.health.last_heartbeat_at = at;
              rec.health.last_heartbeat_seq = seq;
            }
          }
        }
      }
      if (seq >= this.position || m.info.pending === 0) break;
    }
    it.stop();
    await consumer.delete().catch(() => undefined);
  }

  private goLive(): void {
    if (this.live) return;
    this.live = true;
    this.opts.log.info({ position: this.position, nodes: this.nodes.size }, 'health projection caught up');
    this.timers.push(setInterval(() => this.tick(), this.opts.tickMs ?? 500));
  }

  isLive(): boolean {
    return this.live;
  }

  fold(data: Uint8Array, seq: number, at: number): void {
    let event: NodeStreamEvent;
    try {
      event = decodeEvent(data) as NodeStreamEvent;
      const problem = nodeEventProblem(event);
      if (problem) throw new Error(problem);
    } catch (err) {
      this.opts.log.warn({ seq, err: String(err) }, 'NODES: skipped a message the health projection cannot fold');
      this.stats.skipped++;
      this.position = seq;
      this.settle();
      return;
    }
    const d = event.data;
    const key = nodeKey(d);
    let rec = this.nodes.get(key);
    if (!rec) {
      rec = newNodeRecord(d, at);
      this.nodes.set(key, rec);
    }
    const s = this.settingsFor(d.service);
    if (this.ownPending.delete(event.id)) {
      // Our own state event coming back: already applied when it was decided.
      rec.health.last_seq = seq;
    } else {
      const before = rec.health.state;
      evolveNode(rec, event, seq, at, s.window_ms);
      if (rec.health.state !== before || event.type === 'NodeRegistered' || event.type === 'NodeDeregistered' || event.type === 'NodeDrainChanged') this.urgent.add(key);
    }
    this.position = seq;
    this.stats.folded++;
    this.dirty.add(key);
    if (this.live && event.type !== 'NodeReady' && event.type !== 'NodeSuspect' && event.type !== 'NodeDown') this.decide(rec, s, Math.max(at, this.now()));
    this.settle();
  }

  private decide(rec: NodeRecord, s: HealthSettings, now: number): void {
    if (this.opts.decide === false) return;
    const key = nodeKey(rec.health);
    // One state event per node in flight: the next is decided from what the first left behind.
    if (this.recording.has(key)) return;
    const event = decideNodeState(rec, s, now, this.opts.source);
    if (!event) return;
    // Apply at once (the stream copy, when it comes back, changes nothing) and record it. What the
    // change overwrites is kept so that a failed publish can put the node back exactly as it was.
    const h = rec.health;
    const before = { state: h.state, state_since: h.state_since, ready_since: h.ready_since, state_reason: h.state_reason };
    evolveNode(rec, event, h.last_seq, now, s.window_ms);
    this.dirty.add(key);
    this.urgent.add(key);
    this.stats.stateEvents++;
    this.ownPending.add(event.id);
    this.recording.add(key);
    this.opts.onStateEvent?.(event);
    this.opts.log.info({ event: event.id, node: key, from: event.data.from, to: event.data.to }, `${key}: ${event.data.from ?? 'new'} -> ${event.data.to}: ${event.data.reason}`);
    this.opts.plane.js.publish(nodeSubject(h, 'state'), encoder.encode(JSON.stringify(event)), { msgID: event.id }).then(
      () => {
        this.recording.delete(key);
      },
      (err: unknown) => {
        this.recording.delete(key);
        this.stats.stateEventsFailed++;
        this.opts.log.error({ event: event.id, err: String(err) }, 'could not record a node state event; it is decided again at the next tick');
        // Forget the local change so the next tick decides (and records) it again, unless the
        // stream moved the node on meanwhile (its own copy came back after all, say).
        this.ownPending.delete(event.id);
        if (h.state === event.data.to && h.state_since === event.data.at) {
          Object.assign(h, before);
          this.dirty.add(key);
          this.urgent.add(key);
        }
      },
    );
  }

  /** Time-driven transitions: a heartbeat that stops arriving changes nothing by itself. */
  tick(): void {
    const now = this.now();
    for (const rec of this.nodes.values()) {
      const h = rec.health;
      if (h.deregistered && h.state === 'deregistered') continue;
      const s = this.settingsFor(h.service);
      // A node heard from within two intervals has nothing the clock alone could change.
      if (h.state === 'ready' && h.last_heartbeat_at !== null && now - h.last_heartbeat_at <= 2 * s.interval_ms) continue;
      this.decide(rec, s, now);
    }
  }

  /**
   * Writes dirty nodes (coalesced per node) and the position they reflect. The node values go out
   * as plain publishes onto the bucket's stream; the position is then written with an acked
   * publish: JetStream stores one connection's messages in order, so its ack means every value
   * before it was processed too.
   */
  flush(force = false): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (force ? this.flush(true) : undefined));
    this.flushing = (async () => {
      const now = Date.now();
      const keys: string[] = [];
      for (const k of this.dirty) {
        if (force || this.urgent.has(k) || now - (this.writtenAt.get(k) ?? 0) >= this.spacingFor(k)) keys.push(k);
      }
      for (const k of keys) {
        this.dirty.delete(k);
        this.urgent.delete(k);
        this.writtenAt.set(k, now);
      }
      const position = this.position;
      if (keys.length === 0 && position === this.lastWrittenPosition) return;
      const { nc, js } = this.opts.plane;
      for (const k of keys) nc.publish(`$KV.${BUCKETS.nodes.name}.${k}`, encoder.encode(JSON.stringify(this.nodes.get(k)!.health)));
      this.stats.writes += keys.length;
      await js.publish(`$KV.${BUCKETS.nodes.name}.${POSITION_KEY}`, encoder.encode(JSON.stringify(position)));
      this.lastWrittenPosition = position;
    })()
      .catch((err: unknown) => this.opts.log.error({ err: String(err) }, 'nodes bucket write failed; retried at the next flush'))
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /**
   * How long an unchanged node may go unwritten: the configured spacing, but never more than a
   * third of its service's heartbeat_timeout, so a reader of the bucket (the autoscaler judges
   * metrics fresh by the heartbeat time it holds) never sees a live node's heartbeat as too old.
   */
  private spacingFor(key: string): number {
    const base = this.opts.minWriteIntervalMs ?? 5_000;
    const rec = this.nodes.get(key);
    if (!rec) return base;
    return Math.min(base, this.settingsFor(rec.health.service).heartbeat_timeout_ms / 3);
  }

  private settle(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.position >= this.waiters[i]!.seq) {
        this.waiters[i]!.resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** Resolves once the stream is folded up to seq (not yet necessarily written). */
  waitFor(seq: number): Promise<void> {
    if (this.position >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  getPosition(): number {
    return this.position;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
    await this.flush(true);
  }
}

export { encodeEvent };
