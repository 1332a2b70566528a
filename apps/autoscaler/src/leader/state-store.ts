// The decider's state per service. The `autoscale` bucket is a projection of the DECISIONS
// stream (`autoscale.>` folded with the decider's own `evolve`), run by the leader as its single
// writer: deleting the bucket and replaying the stream rebuilds it (DESIGN rule 1), and a leader
// that died between recording events and writing state loses nothing.
//
// The leader decides from its in-memory copy (exactly the fold of what it recorded) and takes the
// projection's copy when it starts leading, or after a failed publish left it unsure.
import { evolve, initialState, type AutoscaleEvent, type AutoscaleState } from '@plane/autoscale';
import { lastEventOn, runProjection, STREAMS, type BucketDefinition, type KvOp, type Plane, type ProjectionDefinition, type RunningProjection } from '@plane/backbone';

export const AUTOSCALE_BUCKET: BucketDefinition = {
  name: 'autoscale',
  description: 'Projection of DECISIONS autoscale.>: the scaling decider state per <service> (cooldown clocks, pending scale operations, recommendations)',
  history: 1,
};

const TYPES: ReadonlySet<string> = new Set([
  'ScaleDecided',
  'ScaleHeld',
  'ScaleSteady',
  'DrainRequested',
  'ScaleCommitRequested',
  'ScaleActionProgressed',
  'ScaleActionCompleted',
  'ScaleActionFailed',
  'ScaleActionCancelled',
]);

function isAutoscaleEvent(e: { type: string; data: unknown }): e is AutoscaleEvent {
  return TYPES.has(e.type) && typeof (e.data as { service?: unknown })?.service === 'string';
}

function isState(v: unknown): v is AutoscaleState {
  return typeof v === 'object' && v !== null && typeof (v as AutoscaleState).service === 'string' && typeof (v as AutoscaleState).regions === 'object';
}

/** The projection: service -> the fold of its events. */
export const autoscaleProjection: ProjectionDefinition<Map<string, AutoscaleState>> = {
  name: 'autoscale',
  stream: STREAMS.decisions.name,
  filter: 'autoscale.>',
  bucket: AUTOSCALE_BUCKET,
  init(entries) {
    const states = new Map<string, AutoscaleState>();
    for (const [key, value] of entries) if (isState(value)) states.set(key, value);
    return states;
  },
  apply(states, stored): KvOp[] {
    const event = stored.event;
    if (!isAutoscaleEvent(event)) return [];
    const service = event.data.service;
    const next = evolve(states.get(service) ?? initialState(service), event);
    states.set(service, next);
    return [{ op: 'put', key: service, value: next }];
  },
  safePosition: (_states, last) => last,
};

export class StateStore {
  private projection: RunningProjection | undefined;
  private stopped = false;
  private folded = new Map<string, AutoscaleState>();
  private readonly current = new Map<string, AutoscaleState>();
  /** Services whose in-memory state must be taken from the projection again. */
  private readonly stale = new Set<string>();

  constructor(private readonly plane: Plane) {}

  /** Starts the projection and waits until it reflects every autoscale event recorded so far. */
  async start(onError: (err: unknown) => void, onTrouble?: (message: string, err?: unknown) => void): Promise<void> {
    const folded = new Map<string, AutoscaleState>();
    const def: ProjectionDefinition<Map<string, AutoscaleState>> = {
      ...autoscaleProjection,
      init: (entries) => {
        const s = autoscaleProjection.init(entries);
        for (const [k, v] of s) folded.set(k, v);
        return folded;
      },
    };
    const projection = await runProjection(this.plane.nc, this.plane.js, this.plane.jsm, def, { onError, ...(onTrouble ? { onTrouble } : {}) });
    if (this.stopped) {
      // Stopped while starting (the lease went, or the start took too long): no second writer.
      await projection.stop();
      return;
    }
    this.projection = projection;
    this.folded = folded;
    await this.resync();
  }

  /** Waits for the projection to reach the last autoscale event recorded, then copies its states. */
  async resync(): Promise<void> {
    const last = await lastEventOn(this.plane.jsm, STREAMS.decisions.name, autoscaleProjection.filter);
    // (The stream's own last_seq may be a gtm event, which this filtered projection never sees.)
    if (last) await this.projection!.waitFor(last.seq, 60_000);
    this.current.clear();
    for (const [k, v] of this.folded) this.current.set(k, v);
    this.stale.clear();
  }

  isStale(): boolean {
    return this.stale.size > 0;
  }

  get(service: string): AutoscaleState {
    return this.current.get(service) ?? initialState(service);
  }

  /** After its events were recorded. */
  set(service: string, state: AutoscaleState): void {
    this.current.set(service, state);
  }

  /** A publish failed part way: the recorded events, not this copy, are the truth. */
  markStale(service: string): void {
    this.stale.add(service);
    this.current.delete(service);
  }

  services(): IterableIterator<[string, AutoscaleState]> {
    return this.current.entries();
  }

  position(): number {
    return this.projection?.position() ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.projection?.stop();
    this.projection = undefined;
  }
}
