// The DNS planner: desired record sets against current ones -> the minimal change set. Pure.
// Records without our ownership marker are never changed; a name that holds any of them is a
// conflict and waits for a human.
import { recordKey, sameRecordSet, type Change, type CurrentRecordSet, type RecordSet } from './model.js';

export interface NameConflict {
  name: string;
  /** The foreign record sets found there. */
  foreign: { type: string; setId: string; values: string[] }[];
}

export interface DnsPlan {
  changes: Change[];
  conflicts: NameConflict[];
}

/** Types that answer address queries for a name: foreign ones there block us. */
const ADDRESS_TYPES = new Set(['A', 'AAAA', 'CNAME', 'LUA', 'ALIAS', 'POOL']);

/**
 * @param names every name this plan is responsible for (a name with no desired records is emptied
 *   of our records).
 */
export function planDnsChanges(names: string[], desired: RecordSet[], current: CurrentRecordSet[]): DnsPlan {
  const changes: Change[] = [];
  const conflicts: NameConflict[] = [];
  for (const name of [...new Set(names)].sort()) {
    const want = desired.filter((r) => r.name === name);
    const have = current.filter((r) => r.name === name);
    const foreign = have.filter((r) => !r.owned && ADDRESS_TYPES.has(r.type));
    if (foreign.length > 0) {
      conflicts.push({ name, foreign: foreign.map((r) => ({ type: r.type, setId: r.setId, values: r.values })) });
      continue;
    }
    const ours = new Map(have.filter((r) => r.owned).map((r) => [recordKey(r), r]));
    for (const w of want) {
      const h = ours.get(recordKey(w));
      if (!h) changes.push({ action: 'create', after: w });
      else if (!sameRecordSet(h, w)) changes.push({ action: 'update', before: h, after: w });
      ours.delete(recordKey(w));
    }
    for (const h of ours.values()) if (ADDRESS_TYPES.has(h.type)) changes.push({ action: 'delete', before: h });
  }
  return { changes, conflicts };
}

export function describeChange(c: Change): string {
  const r = c.action === 'delete' ? c.before : c.after;
  const what = `${r.name} ${r.type}${r.setId ? ` [${r.setId}]` : ''}`;
  const fmt = (x: RecordSet) => `${x.values.join(',')}${x.weight !== undefined ? ` w=${x.weight}` : ''} ttl=${x.ttl}`;
  switch (c.action) {
    case 'create':
      return `+ ${what} ${fmt(c.after)}`;
    case 'delete':
      return `- ${what} ${fmt(c.before)}`;
    case 'update':
      return `~ ${what} ${fmt(c.before)} -> ${fmt(c.after)}`;
  }
}
