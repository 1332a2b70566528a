// Applies a change set one host and type at a time. AliDNS has no batch and no transaction, so the
// order is what keeps a half-done apply safe and a re-run convergent:
//   1. adds (each immediately marked as ours), 2. TTL/value updates, 3. weights, 4. deletes.
// A failure anywhere leaves the host with at least the IPs it served before; the next plan, made
// from a fresh read, finishes the job.
import { DnsProviderError, type Change, type CurrentRecordSet, type RecordSet } from '../../model.js';
import { rrOf, slbSubDomain } from './names.js';
import type { AlidnsRpc } from './pop-client.js';
import { readOpenSlbHosts, readSubDomainRecords, slbKey } from './read.js';
import { DEFAULT_LINE, inWeightGroup, isOwned, OWNER_MARKER, WEIGHTED_TYPES } from './record-sets.js';
import { validateChanges } from './validate.js';
import { weightWrites } from './weights.js';
import { parseRecordId } from './wire.js';

interface HostChanges {
  name: string;
  type: string;
  creates: RecordSet[];
  updates: { before: CurrentRecordSet; after: RecordSet }[];
  deletes: CurrentRecordSet[];
}

export async function applyChanges(rpc: AlidnsRpc, zone: string, changes: Change[], pageSize: number): Promise<void> {
  validateChanges(zone, changes);
  for (const host of byHost(changes)) await applyHost(rpc, zone, host, pageSize);
}

function byHost(changes: Change[]): HostChanges[] {
  const hosts = new Map<string, HostChanges>();
  const hostOf = (r: RecordSet): HostChanges => {
    const key = `${r.name}|${r.type}`;
    const h = hosts.get(key) ?? { name: r.name, type: r.type, creates: [], updates: [], deletes: [] };
    hosts.set(key, h);
    return h;
  };
  for (const c of changes) {
    if (c.action === 'create') hostOf(c.after).creates.push(c.after);
    else if (c.action === 'update') hostOf(c.after).updates.push({ before: c.before, after: c.after });
    else hostOf(c.before).deletes.push(c.before);
  }
  return [...hosts.keys()].sort().map((k) => hosts.get(k)!);
}

async function applyHost(rpc: AlidnsRpc, zone: string, host: HostChanges, pageSize: number): Promise<void> {
  const rr = rrOf(host.name, zone);
  const intended = new Map<string, number>();
  const createdIds = new Set<string>();
  for (const after of host.creates) {
    const id = await addOwnedRecord(rpc, zone, rr, after);
    createdIds.add(id);
    if (after.weight !== undefined) intended.set(id, after.weight);
  }
  for (const { before, after } of host.updates) {
    const id = before.ids![0]!;
    // UpdateDomainRecord refuses an update that changes nothing (DomainRecordDuplicate): weight-only changes skip it.
    if (before.ttl !== after.ttl || before.values[0] !== after.values[0]) {
      await rpc.write('UpdateDomainRecord', { RecordId: id, RR: rr, Type: host.type, Value: after.values[0]!, TTL: after.ttl, Line: DEFAULT_LINE });
    }
    if (after.weight !== undefined) intended.set(id, after.weight);
  }
  const deletedIds = new Set(host.deletes.flatMap((d) => d.ids ?? []));
  const weightsMove = host.creates.length > 0 || host.updates.some(({ before, after }) => before.weight !== after.weight);
  if (WEIGHTED_TYPES.has(host.type) && weightsMove) await setWeights(rpc, zone, host, { createdIds, deletedIds, intended }, pageSize);
  for (const id of deletedIds) await rpc.write('DeleteDomainRecord', { RecordId: id });
}

/** AddDomainRecord takes no remark: mark the record right after; undo the add when marking fails. */
async function addOwnedRecord(rpc: AlidnsRpc, zone: string, rr: string, after: RecordSet): Promise<string> {
  const added = await rpc.write('AddDomainRecord', { DomainName: zone, RR: rr, Type: after.type, Value: after.values[0]!, TTL: after.ttl, Line: DEFAULT_LINE });
  const id = parseRecordId('AddDomainRecord', added);
  try {
    await rpc.write('UpdateDomainRecordRemark', { RecordId: id, Remark: OWNER_MARKER });
  } catch (err) {
    // Left unmarked, the record would look foreign and block the host for a human: take it back.
    const undo = await rpc.write('DeleteDomainRecord', { RecordId: id }).then(
      () => 'the record was deleted again',
      (e: unknown) => `deleting it again failed too (${e instanceof Error ? e.message : String(e)}): record ${id} is left without our marker`,
    );
    const e = err instanceof DnsProviderError ? err : new DnsProviderError(String(err));
    throw new DnsProviderError(`${e.message}; ${undo}`, e.status, e.code, e.retryAfterS);
  }
  return id;
}

/** Reads the host back (new record ids, stored weights, SLB switch) and writes what weights.ts asks. */
async function setWeights(
  rpc: AlidnsRpc,
  zone: string,
  host: HostChanges,
  done: { createdIds: Set<string>; deletedIds: Set<string>; intended: Map<string, number> },
  pageSize: number,
): Promise<void> {
  const rr = rrOf(host.name, zone);
  const members = (await readSubDomainRecords(rpc, zone, host.name, pageSize, host.type)).filter(
    (r) => r.RR.toLowerCase() === rr && r.Type.toUpperCase() === host.type && inWeightGroup(r),
  );
  if (members.filter((m) => !done.deletedIds.has(m.RecordId)).length < 2) return;
  const slbOpen = (await readOpenSlbHosts(rpc, zone, pageSize)).has(slbKey(host.name, host.type));
  const writes = weightWrites({
    members: members.map((m) => ({ id: m.RecordId, storedWeight: m.Weight, owned: isOwned(m) })),
    ...done,
    slbOpen,
  });
  if (!writes.openSlb && writes.weights.length === 0) return;
  // Weighting is per host: switching it on would change how someone else's records answer too.
  const foreign = members.filter((m) => !isOwned(m) && !done.deletedIds.has(m.RecordId));
  if (foreign.length > 0) {
    throw new DnsProviderError(`AliDNS: refusing to weight ${host.name} ${host.type}: records without our marker share it (${foreign.map((f) => f.Value).join(', ')})`, undefined, 'ForeignRecord');
  }
  if (writes.openSlb) {
    await rpc.write('SetDNSSLBStatus', { DomainName: zone, SubDomain: slbSubDomain(host.name, zone), Type: host.type, Line: DEFAULT_LINE, Open: true });
  }
  for (const w of writes.weights) await rpc.write('UpdateDNSSLBWeight', { RecordId: w.id, Weight: w.weight });
}
