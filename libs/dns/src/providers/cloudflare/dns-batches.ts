// Changes -> batch operations (pure). Each record set becomes one record per value, marked with
// our comment. Operations are ordered as Cloudflare applies them inside a batch (deletes, then
// puts, then posts) and cut into batches of at most `batchSize` records, so a change set larger
// than one batch keeps that order across batches.
import type { Change, RecordSet } from '../../model.js';
import { RECORD_COMMENT } from './ownership.js';

export interface RecordBody {
  name: string;
  type: 'A' | 'AAAA';
  content: string;
  ttl: number;
  proxied: false;
  comment: string;
}

export interface BatchOps {
  deletes: { id: string }[];
  puts: (RecordBody & { id: string })[];
  posts: RecordBody[];
}

function bodies(set: RecordSet): RecordBody[] {
  // DNS-only (proxied: false): the answers must be the origins' own IPs, or GSLB weighting is moot.
  return set.values.map((content) => ({ name: set.name, type: set.type as 'A' | 'AAAA', content, ttl: set.ttl, proxied: false, comment: RECORD_COMMENT }));
}

export function toBatchOps(changes: Change[]): BatchOps {
  const ops: BatchOps = { deletes: [], puts: [], posts: [] };
  for (const c of changes) {
    if (c.action === 'create') ops.posts.push(...bodies(c.after));
    else if (c.action === 'delete') ops.deletes.push(...(c.before.ids ?? []).map((id) => ({ id })));
    else {
      // Overwrite the existing records in place (PUT keeps their ids); extra ones go, missing ones come.
      const ids = c.before.ids ?? [];
      const wanted = bodies(c.after);
      wanted.forEach((body, i) => (i < ids.length ? ops.puts.push({ ...body, id: ids[i]! }) : ops.posts.push(body)));
      ops.deletes.push(...ids.slice(wanted.length).map((id) => ({ id })));
    }
  }
  return ops;
}

export function splitBatches(ops: BatchOps, batchSize: number): BatchOps[] {
  const sequence = [
    ...ops.deletes.map((op) => ({ kind: 'deletes' as const, op })),
    ...ops.puts.map((op) => ({ kind: 'puts' as const, op })),
    ...ops.posts.map((op) => ({ kind: 'posts' as const, op })),
  ];
  const batches: BatchOps[] = [];
  for (let i = 0; i < sequence.length; i += batchSize) {
    const batch: BatchOps = { deletes: [], puts: [], posts: [] };
    for (const item of sequence.slice(i, i + batchSize)) {
      if (item.kind === 'deletes') batch.deletes.push(item.op);
      else if (item.kind === 'puts') batch.puts.push(item.op);
      else batch.posts.push(item.op);
    }
    batches.push(batch);
  }
  return batches;
}

