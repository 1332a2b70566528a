// Operators' suspend overrides (`planectl suspend` / `resume`): the last ServiceOverride event per
// service on DECLARATIONS. Read straight from the stream (last per subject), so they work even
// when no gitops-sync runs.
import { DeliverPolicy } from '@nats-io/jetstream';
import { decodeEvent, type ServiceOverride, type ServiceOverrideData } from '@plane/events';
import type { Plane } from './connect.js';
import { STREAMS } from './topology.js';

export type Overrides = Map<string, ServiceOverrideData & { seq: number; time: string }>;

export class OverrideWatcher {
  private readonly overrides: Overrides = new Map();
  private stopFn: (() => void) | undefined;

  constructor(private readonly plane: Plane) {}

  /** Resolves once every override recorded so far is known; then keeps following new ones. */
  async start(): Promise<void> {
    const { js, jsm } = this.plane;
    const consumer = await js.consumers.get(STREAMS.declarations.name, { filter_subjects: 'decl.override.>', deliver_policy: DeliverPolicy.LastPerSubject });
    const pending = (await consumer.info(true)).num_pending;
    const messages = await consumer.consume({ max_messages: 256 });
    this.stopFn = () => messages.stop();
    let resolveCaught!: () => void;
    const caught = new Promise<void>((r) => (resolveCaught = r));
    if (pending === 0) resolveCaught();
    void (async () => {
      for await (const m of messages) {
        try {
          const e = decodeEvent(m.data) as ServiceOverride;
          if (e.type === 'ServiceOverride') this.overrides.set(e.data.service, { ...e.data, seq: m.info.streamSequence, time: e.time });
        } catch {
          // not an override event: ignored
        }
        if (m.info.pending === 0) resolveCaught();
      }
    })();
    void jsm;
    await caught;
  }

  current(): Overrides {
    return this.overrides;
  }

  /** The services suspended by an operator, with the reason to show. */
  suspended(): Map<string, { reason: string }> {
    return new Map([...this.overrides].filter(([, o]) => o.suspended).map(([svc, o]) => [svc, { reason: `suspended by ${o.by}: ${o.reason}` }]));
  }

  stop(): void {
    this.stopFn?.();
  }
}

/** Reads the overrides once (for the CLI). */
export async function readOverrides(plane: Plane): Promise<Overrides> {
  const w = new OverrideWatcher(plane);
  await w.start();
  w.stop();
  return w.current();
}
