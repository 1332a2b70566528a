// Runs the `upstreams` projection on one replica at a time: every gateway host runs gateway-sync
// (each renders its own nginx file), but only the lease holder folds NODES into the bucket, so
// the bucket never steps back to an older state written by a replica that lags.
import type { KV } from '@nats-io/kv';
import { acquireLease, runProjection, type Lease, type Plane, type RunningProjection } from '@plane/backbone';
import type { Logger } from '@plane/runtime';
import { upstreamsProjection } from './projection.js';

export const LEASE_ROLE = 'gateway-sync-upstreams';

export interface ProjectionRunnerOptions {
  plane: Plane;
  leases: KV;
  id: string;
  leaseTtlMs: number;
  log: Logger;
  onLeader?: (holder: boolean) => void;
  onError?: (err: unknown) => void;
}

export class UpstreamsProjectionRunner {
  private lease: Lease | undefined;
  private running: RunningProjection | undefined;
  /** Start and stop in order, even when the lease flaps. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: ProjectionRunnerOptions) {}

  start(): void {
    const lease = acquireLease(this.opts.leases, LEASE_ROLE, this.opts.id, { ttlMs: this.opts.leaseTtlMs });
    this.lease = lease;
    lease.onChange((holder) => {
      this.opts.onLeader?.(holder);
      this.sync();
    });
    // A projection that failed to start while the lease is held is tried again.
    this.timer = setInterval(() => this.sync(), Math.max(1000, this.opts.leaseTtlMs));
  }

  /** Runs the projection exactly while the lease is held. */
  private sync(): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      const { log } = this.opts;
      const holder = this.lease?.isHolder() ?? false;
      if (holder && !this.running) {
        log.info('lease held: this replica folds NODES into the upstreams bucket');
        try {
          const p = await runProjection(this.opts.plane.nc, this.opts.plane.js, this.opts.plane.jsm, upstreamsProjection(), {
            onError: (err) => {
              log.error({ err: String(err) }, 'upstreams projection: an event could not be applied');
              this.opts.onError?.(err);
            },
            onTrouble: (message) => log.warn(message),
          });
          this.running = p;
          p.caughtUp.then(() => log.info({ position: p.position() }, 'upstreams projection caught up'), () => undefined);
        } catch (err) {
          log.error({ err: String(err) }, 'upstreams projection failed to start; trying again');
          this.opts.onError?.(err);
        }
      } else if (!holder && this.running) {
        log.warn('lease lost: no longer writing the upstreams bucket');
        const p = this.running;
        this.running = undefined;
        await p.stop();
      }
    });
  }

  isHolder(): boolean {
    return this.lease?.isHolder() ?? false;
  }

  position(): number {
    return this.running?.position() ?? 0;
  }

  /** Whether this replica is folding NODES now (it holds the lease and the projection started). */
  isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Stops writing first, then gives the lease up, so a successor never overlaps this writer. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
    const p = this.running;
    this.running = undefined;
    await p?.stop();
    await this.lease?.release();
  }
}
