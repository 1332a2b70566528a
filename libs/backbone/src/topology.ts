// Streams and buckets as code: created at start, updated when their definition changed.
import { RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

const NS = 1_000_000;

export interface StreamDefinition {
  name: string;
  subjects: string[];
  description: string;
  retention: 'limits' | 'workqueue';
  maxAgeMs?: number;
  maxMsgsPerSubject?: number;
  duplicateWindowMs?: number;
}

export interface BucketDefinition {
  name: string;
  description: string;
  history: number;
  /** Bucket-wide TTL (2.9 has no per-key TTL). */
  ttlMs?: number;
}

export const STREAMS = {
  declarations: {
    name: 'DECLARATIONS',
    subjects: ['decl.>'],
    description: 'Declarations applied/removed per commit, and each commit synced (the commit point) or rejected',
    retention: 'limits',
    duplicateWindowMs: 120_000,
  },
  nodes: {
    name: 'NODES',
    subjects: ['node.>'],
    description: 'Per node: registered, heartbeat, probe, drain, state, deregistered (one stream: one order for the health projection)',
    retention: 'limits',
    // The last 1,000 of each kind per node: at a 5 s interval, over an hour of heartbeats, far
    // more than any heartbeat_timeout, so node health is always rebuildable from the stream.
    maxMsgsPerSubject: 1000,
    duplicateWindowMs: 120_000,
  },
  decisions: {
    name: 'DECISIONS',
    subjects: ['gtm.>', 'autoscale.>'],
    description: 'Every weight, ejection and scale decision with its full inputs, and alerts',
    retention: 'limits',
    duplicateWindowMs: 120_000,
  },
  commands: {
    name: 'COMMANDS',
    subjects: ['cmd.>'],
    description: 'Work queue: DNS-apply and git-commit commands for the executors (Nats-Msg-Id = decision id)',
    retention: 'workqueue',
    duplicateWindowMs: 120_000,
  },
  outcomes: {
    name: 'OUTCOMES',
    subjects: ['dns.>', 'git.>'],
    description: 'What the executors did: applied, no-op, failed, retrying, conflict, superseded',
    retention: 'limits',
    duplicateWindowMs: 120_000,
  },
} satisfies Record<string, StreamDefinition>;

export const BUCKETS = {
  desired: {
    name: 'desired',
    description: 'Projection of DECLARATIONS: validated declarations in force, by <kind>.<name>, plus sync.<repo>',
    history: 5,
  },
  nodes: {
    name: 'nodes',
    description: 'Projection of NODES: latest health per <service>.<region>.<node_id>',
    history: 1,
  },
  dns: {
    name: 'dns',
    description: 'Last applied record sets per <zone>.<name> (tokens), with the decision that set them',
    history: 5,
  },
  gtm: {
    name: 'gtm',
    description: 'gtm decider state per domain (token): last answer, last good answer, ejections, freeze',
    history: 1,
  },
  leases: {
    name: 'leases',
    description: 'Leader leases (coordination, not a projection): <role>, bucket-wide TTL',
    history: 1,
    ttlMs: 10_000,
  },
} satisfies Record<string, BucketDefinition>;

let defaultReplicas = 1;

/**
 * How many replicas streams and buckets get when created (3 on a 3-node cluster). Set once at
 * start from `--stream-replicas`; an existing stream keeps the replicas it has.
 */
export function setDefaultReplicas(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new Error(`stream replicas must be 1..5, got ${n}`);
  defaultReplicas = n;
}

export function getDefaultReplicas(): number {
  return defaultReplicas;
}

function streamConfig(def: StreamDefinition, replicas: number): Partial<StreamConfig> & { name: string } {
  return {
    name: def.name,
    subjects: def.subjects,
    description: def.description,
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    max_age: (def.maxAgeMs ?? 0) * NS,
    max_msgs_per_subject: def.maxMsgsPerSubject ?? -1,
    duplicate_window: (def.duplicateWindowMs ?? 120_000) * NS,
  };
}

/** Creates the stream, or updates the fields that may change on an existing one. */
export async function ensureStream(jsm: JetStreamManager, def: StreamDefinition, replicas = defaultReplicas): Promise<void> {
  const want = streamConfig(def, replicas);
  try {
    const info = await jsm.streams.info(def.name);
    const have = info.config;
    const differs =
      JSON.stringify([...have.subjects].sort()) !== JSON.stringify([...def.subjects].sort()) ||
      have.description !== want.description ||
      have.max_age !== want.max_age ||
      have.max_msgs_per_subject !== want.max_msgs_per_subject ||
      have.duplicate_window !== want.duplicate_window;
    if (differs) {
      await jsm.streams.update(def.name, {
        subjects: def.subjects,
        description: want.description ?? '',
        max_age: want.max_age ?? 0,
        max_msgs_per_subject: want.max_msgs_per_subject ?? -1,
        duplicate_window: want.duplicate_window ?? 120_000 * NS,
      });
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(want);
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number; code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.api_error?.code === 404 || /not found/i.test(e?.message ?? '');
}

export async function ensureBucket(nc: NatsConnection, def: BucketDefinition, replicas = defaultReplicas): Promise<KV> {
  const opts: Partial<KvOptions> = { history: def.history, description: def.description, replicas };
  if (def.ttlMs) opts.ttl = def.ttlMs;
  return new Kvm(nc).create(def.name, opts);
}

export async function openBucket(nc: NatsConnection, name: string): Promise<KV> {
  return new Kvm(nc).open(name);
}

export async function deleteBucket(jsm: JetStreamManager, name: string): Promise<void> {
  try {
    await jsm.streams.delete(`KV_${name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
