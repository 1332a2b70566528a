// The prober's inputs, kept current by watching the projections:
// - `desired`: the gtm declarations in force (re-read as one consistent snapshot on any change);
// - `nodes`: every node's NodeHealth (key `<service>.<region>.<node_id>`).
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { isNotFound, openBucket, readDesiredSnapshot, type Plane } from '@plane/backbone';
import type { GtmSpec } from '@plane/declarations';
import type { NodeHealth } from '@plane/health';
import type { Logger } from '@plane/runtime';
import type { GtmHealthDeclaration } from './targets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a bucket exists (its projection creates it), then opens it. */
export async function waitForBucket(nc: Plane['nc'], jsm: Plane['jsm'], name: string, stopped: () => boolean, onWaiting: (why: string) => void): Promise<KV | undefined> {
  let delay = 200;
  while (!stopped()) {
    try {
      await jsm.streams.info(`KV_${name}`);
      return await openBucket(nc, name);
    } catch (err) {
      onWaiting(isNotFound(err) ? `bucket ${name} does not exist yet (its projection creates it)` : `bucket ${name}: ${String((err as Error).message ?? err)}`);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
  return undefined;
}

/**
 * Watches a bucket (last values first, then updates) until stopped, starting over when the
 * watch ends for any other reason.
 */
export class BucketWatch {
  #iterator: { stop(): void } | undefined;
  #stopped = false;
  readonly done: Promise<void>;

  constructor(
    kv: KV,
    name: string,
    key: string,
    onEntry: (entry: KvWatchEntry) => void,
    onStarted: () => void,
    log: Logger,
  ) {
    this.done = (async () => {
      while (!this.#stopped) {
        try {
          const it = await kv.watch({ key });
          this.#iterator = it;
          if (this.#stopped) it.stop();
          onStarted();
          for await (const entry of it) onEntry(entry);
        } catch (err) {
          if (!this.#stopped) log.warn({ bucket: name, err: String((err as Error).message ?? err) }, 'bucket watch failed; starting it again');
        }
        if (!this.#stopped) await sleep(1000);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#iterator?.stop();
    await this.done;
  }
}

/** A `nodes` bucket value, checked enough that a malformed one cannot break the prober. */
export function asNodeHealth(value: unknown): NodeHealth | undefined {
  const v = value as Partial<NodeHealth> | null;
  if (v === null || typeof v !== 'object') return undefined;
  if (typeof v.service !== 'string' || typeof v.region !== 'string' || typeof v.node_id !== 'string') return undefined;
  if (!Array.isArray(v.ips) || !v.ips.every((ip: unknown) => typeof ip === 'string')) return undefined;
  return { ...(v as NodeHealth), deregistered: v.deregistered === true };
}

/** The gtm declarations of a desired snapshot, as the prober needs them. */
export async function readGtmHealth(kv: KV): Promise<GtmHealthDeclaration[]> {
  const snapshot = await readDesiredSnapshot(kv);
  const out: GtmHealthDeclaration[] = [];
  for (const d of snapshot.declarations) {
    if (d.kind !== 'gtm') continue;
    const spec = d.spec as Partial<GtmSpec> | null;
    if (!spec || typeof spec !== 'object' || !spec.health || (spec.health.type !== 'http' && spec.health.type !== 'tcp')) continue;
    out.push({ name: d.name, spec: { service: spec.service ?? d.name, health: spec.health } });
  }
  return out;
}
