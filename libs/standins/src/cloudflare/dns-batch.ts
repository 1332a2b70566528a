// POST /zones/{zone_id}/dns_records/batch: one transaction, applied in the order deletes, patches,
// puts, posts. Any refused operation refuses the whole batch (nothing is applied), and the error
// points at the operation (`source.pointer`, e.g. `/posts/2`).
import { ERR } from './codes.js';
import { CfError } from './envelope.js';
import { objectBody, zoneOf, type HandlerResult, type RequestContext } from './context.js';
import { findRecord, mergeEdit, storeRecord } from './dns-records.js';
import { checkConflicts, toApiRecord, validateRecord } from './record-rules.js';
import type { StandInDnsRecord } from './state.js';

const SECTIONS = ['deletes', 'patches', 'puts', 'posts'] as const;
type Section = (typeof SECTIONS)[number];

function itemsOf(body: Record<string, unknown>, section: Section): Record<string, unknown>[] {
  const items = body[section] ?? [];
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'object' || i === null || Array.isArray(i))) {
    throw new CfError(400, [{ code: ERR.invalidRequest, message: `${section} must be an array of objects.` }]);
  }
  return items as Record<string, unknown>[];
}

export function batchRecords(ctx: RequestContext): HandlerResult {
  const zone = zoneOf(ctx);
  const body = objectBody(ctx);
  const unknown = Object.keys(body).filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new CfError(400, [{ code: ERR.invalidRequest, message: `Unknown batch fields: ${unknown.join(', ')}` }]);
  const ops = Object.fromEntries(SECTIONS.map((s) => [s, itemsOf(body, s)])) as Record<Section, Record<string, unknown>[]>;
  const total = SECTIONS.reduce((n, s) => n + ops[s].length, 0);
  if (total > ctx.config.batchLimit) {
    throw new CfError(400, [{ code: ERR.invalidRequest, message: `A batch may contain at most ${ctx.config.batchLimit} record operations on this plan; got ${total}.` }]);
  }

  // Work on a copy; it replaces the live records only if every operation succeeded.
  const draft = new Map(ctx.state.records);
  const out: Record<Section, StandInDnsRecord[]> = { deletes: [], patches: [], puts: [], posts: [] };
  const zoneRecords = () => [...draft.values()].filter((r) => r.zoneId === zone.id);
  for (const section of SECTIONS) {
    ops[section].forEach((item, i) => {
      try {
        if (section === 'deletes') {
          const existing = findRecord(draft, zone, item.id);
          draft.delete(existing.id);
          out.deletes.push(existing);
          return;
        }
        if (section === 'posts') {
          const fields = validateRecord(zone, item, ctx.config.rules);
          checkConflicts(fields, undefined, zoneRecords());
          out.posts.push(storeRecord(draft, zone, fields));
          return;
        }
        const existing = findRecord(draft, zone, item.id);
        const { id: _id, ...rest } = item;
        const fields = validateRecord(zone, section === 'patches' ? mergeEdit(existing, rest) : rest, ctx.config.rules);
        checkConflicts(fields, existing.id, zoneRecords());
        out[section].push(storeRecord(draft, zone, fields, existing.id));
      } catch (e) {
        throw e instanceof CfError ? e.at(`/${section}/${i}`) : e;
      }
    });
  }
  ctx.state.records = draft;
  ctx.summary = `batch ${SECTIONS.map((s) => `${s}=${ops[s].length}`).join(' ')}`;
  return { result: Object.fromEntries(SECTIONS.map((s) => [s, out[s].map((r) => toApiRecord(r, zone))])) };
}
