// Our changes -> Route53 ChangeBatches. One batch per apply, split only when Route53's per-request
// limits demand it. A record change and its registry change form one unit that is never split,
// and units go deletes first, then updates, then creates, so every batch is valid on top of the
// ones before it (a withdrawn set frees its place before a new one takes a weighted slot).
import type { Change as Route53Change, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { DnsProviderError, type Change, type RecordSet } from '../../model.js';
import { toRoute53Name } from './names.js';
import { claimOwnership, releaseOwnership } from './registry.js';

export interface BatchLimits {
  /** ResourceRecord elements per request; an UPSERT counts twice. */
  maxValuesPerRequest: number;
  /** Characters of all Value elements per request; an UPSERT counts twice. */
  maxValueCharsPerRequest: number;
}

export const ROUTE53_BATCH_LIMITS: BatchLimits = { maxValuesPerRequest: 1000, maxValueCharsPerRequest: 32000 };

export function toResourceRecordSet(set: RecordSet): ResourceRecordSet {
  return {
    Name: toRoute53Name(set.name),
    Type: set.type as RRType,
    ...(set.setId !== '' ? { SetIdentifier: set.setId, Weight: set.weight } : {}),
    TTL: set.ttl,
    ResourceRecords: set.values.map((Value) => ({ Value })),
  };
}

interface ChangeUnit {
  changes: Route53Change[];
  values: number;
  chars: number;
  label: string;
}

const ACTION_ORDER: Record<Change['action'], number> = { delete: 0, update: 1, create: 2 };

function unitOf(c: Change): ChangeUnit {
  const changes: Route53Change[] =
    c.action === 'create'
      ? [{ Action: 'CREATE', ResourceRecordSet: toResourceRecordSet(c.after) }, claimOwnership(c.after)]
      : c.action === 'update'
        ? [{ Action: 'UPSERT', ResourceRecordSet: toResourceRecordSet(c.after) }]
        : // DELETE must repeat the set exactly as Route53 holds it: the `before` we read.
          [{ Action: 'DELETE', ResourceRecordSet: toResourceRecordSet(c.before) }, releaseOwnership(c.before)];
  let values = 0;
  let chars = 0;
  for (const ch of changes) {
    const factor = ch.Action === 'UPSERT' ? 2 : 1;
    const vs = (ch.ResourceRecordSet?.ResourceRecords ?? []).map((r) => r.Value ?? '');
    values += vs.length * factor;
    chars += vs.reduce((n, v) => n + v.length, 0) * factor;
  }
  const set = c.action === 'delete' ? c.before : c.after;
  return { changes, values, chars, label: `${c.action} ${set.name} ${set.type} [${set.setId}]` };
}

/** The ChangeBatches for these changes, in the order they must be sent. */
export function planBatches(changes: Change[], limits: BatchLimits = ROUTE53_BATCH_LIMITS): Route53Change[][] {
  const units = changes.map(unitOf).map((u, i) => ({ u, order: ACTION_ORDER[changes[i]!.action] }));
  units.sort((a, b) => a.order - b.order);
  const batches: Route53Change[][] = [];
  let current: Route53Change[] = [];
  let values = 0;
  let chars = 0;
  for (const { u } of units) {
    if (u.values > limits.maxValuesPerRequest || u.chars > limits.maxValueCharsPerRequest) {
      throw new DnsProviderError(`route53: ${u.label} alone exceeds a request's limits (${u.values} values, ${u.chars} characters)`, undefined, 'InvalidChangeBatch');
    }
    if (current.length > 0 && (values + u.values > limits.maxValuesPerRequest || chars + u.chars > limits.maxValueCharsPerRequest)) {
      batches.push(current);
      current = [];
      values = 0;
      chars = 0;
    }
    current.push(...u.changes);
    values += u.values;
    chars += u.chars;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
