// Leader election on a KV bucket with a bucket-wide TTL (2.9 has no per-key TTL): the holder
// renews its key well within the TTL; when it dies the key ages out and another candidate's
// create() succeeds. A lease is coordination, not a projection: it is never rebuilt.
import type { KV } from '@nats-io/kv';

export interface Lease {
  readonly role: string;
  readonly id: string;
  isHolder(): boolean;
  /** True once the first attempt to take the lease has finished (before it, a candidate cannot tell whether it will lead). */
  settled(): boolean;
  /** Resolves when this candidate holds the lease. */
  acquired(): Promise<void>;
  onChange(listener: (holder: boolean) => void): void;
  /** Gives the lease up (deletes the key when held) and stops trying. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** The bucket's TTL: renewals come every third of it. */
  ttlMs: number;
}

const encoder = new TextEncoder();

export function acquireLease(kv: KV, role: string, id: string, opts: LeaseOptions): Lease {
  let holder = false;
  let revision = 0;
  let stopped = false;
  const listeners: ((h: boolean) => void)[] = [];
  let resolveAcquired!: () => void;
  const acquiredP = new Promise<void>((r) => (resolveAcquired = r));
  const set = (h: boolean) => {
    if (h === holder) return;
    holder = h;
    if (h) resolveAcquired();
    for (const l of listeners) l(h);
  };
  const value = () => encoder.encode(JSON.stringify({ holder: id, renewed_at: new Date().toISOString() }));
  let renewedAt = 0;
  let tried = false;
  const tick = async () => {
    try {
      if (holder) revision = await kv.update(role, value(), revision);
      else {
        revision = await kv.create(role, value());
        set(true);
      }
      renewedAt = Date.now();
    } catch (err) {
      // Someone else holds it (create failed) or took it (update's revision is stale): not ours.
      // A transient failure (a NATS server going away, a stream electing a new leader) keeps the
      // lease while our last renewal is still within the TTL: nobody else can have it before then.
      const taken = /wrong last sequence|key exists/i.test(String((err as Error)?.message ?? err));
      if (!holder || taken || Date.now() - renewedAt >= opts.ttlMs) set(false);
    } finally {
      tried = true;
    }
  };
  const every = Math.max(100, Math.floor(opts.ttlMs / 3));
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, every);
  void tick();
  return {
    role,
    id,
    isHolder: () => holder,
    settled: () => tried,
    acquired: () => acquiredP,
    onChange: (l) => listeners.push(l),
    async release() {
      stopped = true;
      clearInterval(timer);
      if (holder) {
        await kv.delete(role, { previousSeq: revision }).catch(() => undefined);
        set(false);
      }
    },
  };
}
