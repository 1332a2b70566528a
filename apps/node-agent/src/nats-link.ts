// The agent's NATS connection, kept in the background: connect, and when the connection is lost
// (or never came), connect again with exponential backoff, forever. The agent never waits for it:
// while it is away heartbeats go over HTTP. Nothing is buffered across an outage (a stale
// heartbeat is worth nothing), so nats.js's own reconnect is off and this loop does it.
import { connect, headers, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@plane/runtime';
import { backoffDelayMs, sleep, type BackoffPolicy } from './backoff.js';
import { errorText } from './service-metrics.js';

export interface NatsLinkOptions {
  connection: ConnectionOptions;
  backoff: BackoffPolicy;
  log: Logger;
  onChange?: (connected: boolean) => void;
}

/** A connection that stayed up this long was healthy: the next failure starts the backoff over. */
const STABLE_MS = 10_000;
/** This many unconfirmed publishes in a row: the connection is treated as dead and replaced. */
const UNCONFIRMED_LIMIT = 2;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class NatsLink {
  private nc: NatsConnection | undefined;
  private readonly stopping = new AbortController();
  private drop: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private unconfirmed = 0;

  constructor(private readonly opts: NatsLinkOptions) {}

  start(): void {
    this.running ??= this.run();
  }

  get connected(): boolean {
    return this.nc !== undefined && !this.nc.isClosed();
  }

  private async run(): Promise<void> {
    const { log } = this.opts;
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      let connectedAt: number | undefined;
      try {
        const nc = await connect({ ...this.opts.connection, reconnect: false, waitOnFirstConnect: false });
        if (this.stopping.signal.aborted) {
          await nc.close().catch(() => undefined);
          break;
        }
        connectedAt = Date.now();
        this.nc = nc;
        this.unconfirmed = 0;
        log.info({ server: nc.getServer(), attempts: attempt + 1 }, 'NATS connected: heartbeats go over NATS');
        this.opts.onChange?.(true);
        const dropped = new Promise<Error>((resolve) => {
          this.drop = () => resolve(new Error('publishes stopped being confirmed'));
        });
        const reason = await Promise.race([nc.closed(), dropped]);
        this.drop = undefined;
        this.nc = undefined;
        void nc.close().catch(() => undefined);
        this.opts.onChange?.(false);
        if (!this.stopping.signal.aborted) log.warn({ err: reason ? errorText(reason) : 'closed' }, 'NATS connection lost: heartbeats go over HTTP until it is back');
      } catch (err) {
        const level = attempt === 0 ? 'warn' : 'debug';
        log[level]({ err: errorText(err), attempt: attempt + 1 }, 'NATS not reachable: heartbeats go over HTTP; connecting again in the background');
      }
      attempt = connectedAt !== undefined && Date.now() - connectedAt >= STABLE_MS ? 1 : attempt + 1;
      await sleep(backoffDelayMs(attempt, this.opts.backoff), this.stopping.signal);
    }
  }

  /**
   * Publishes plainly (no JetStream ack: fire-and-forget) with Nats-Msg-Id so the stream drops a
   * duplicate, then flushes: the server's PONG within confirmWithinMs says it got the message.
   * Returns true, or why it is not confirmed (the caller sends the same event another way; with
   * the same id, the stream keeps one).
   */
  async publish(subject: string, data: Uint8Array, msgId: string, confirmWithinMs: number): Promise<true | string> {
    const nc = this.nc;
    if (!nc || nc.isClosed()) return 'not connected';
    try {
      const h = headers();
      h.set('Nats-Msg-Id', msgId);
      nc.publish(subject, data, { headers: h });
      await withTimeout(nc.flush(), confirmWithinMs, 'NATS flush');
      this.unconfirmed = 0;
      return true;
    } catch (err) {
      this.unconfirmed++;
      if (this.unconfirmed >= UNCONFIRMED_LIMIT && this.nc === nc) this.drop?.();
      return errorText(err);
    }
  }

  /** Stops reconnecting and closes the connection (flushing what was published), within timeoutMs. */
  async close(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    const nc = this.nc;
    if (nc && !nc.isClosed()) await withTimeout(nc.drain(), timeoutMs, 'NATS drain').catch(() => nc.close().catch(() => undefined));
    this.drop?.();
    if (this.running) await withTimeout(this.running, timeoutMs, 'NATS loop').catch(() => undefined);
  }
}
