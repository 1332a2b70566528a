// What weight a record answers with, and which weight writes make a host answer as planned.
//
// AliDNS weights only act while weighted round robin ("SLB") is on for the host, type and line, and
// it can only be switched on for several records. So the weight we report is the effective one,
// on render.ts's scale where the heaviest IP has 100:
//   - a record alone in its group gets every answer: 100;
//   - with SLB off, records share answers evenly: 100 each;
//   - with SLB on, the stored weight.
// SLB stays on once we switched it on, also when the host is down to one record: switching it off
// buys nothing (one record answers alone either way), would cost a write on every 1 <-> 2 flap, and
// switching a single record's host may be refused like switching it on is.

export const FULL_WEIGHT = 100;

export function effectiveWeight(storedWeight: number, groupSize: number, slbOpen: boolean): number {
  return groupSize >= 2 && slbOpen ? storedWeight : FULL_WEIGHT;
}

/** A record of one weighting group (host, type, default line, enabled), as just read. */
export interface GroupMember {
  id: string;
  storedWeight: number;
  owned: boolean;
}

export interface WeightWrites {
  openSlb: boolean;
  weights: { id: string; weight: number }[];
}

/**
 * The writes that give the group's remaining records their intended weights.
 * @param members the group after our adds and before our deletes
 * @param intended weights the plan sets (created and updated records); other records keep the
 *   effective weight they had before the adds
 */
export function weightWrites(input: {
  members: GroupMember[];
  createdIds: ReadonlySet<string>;
  deletedIds: ReadonlySet<string>;
  intended: ReadonlyMap<string, number>;
  slbOpen: boolean;
}): WeightWrites {
  const { members, createdIds, deletedIds, intended, slbOpen } = input;
  const sizeBefore = members.filter((m) => !createdIds.has(m.id)).length;
  const remaining = members.filter((m) => !deletedIds.has(m.id));
  if (remaining.length < 2) return { openSlb: false, weights: [] };
  const target = (m: GroupMember) => intended.get(m.id) ?? effectiveWeight(m.storedWeight, sizeBefore, slbOpen);
  // Equal shares need no weighting at all while SLB is off.
  if (!slbOpen && remaining.every((m) => target(m) === FULL_WEIGHT)) return { openSlb: false, weights: [] };
  return {
    openSlb: !slbOpen,
    weights: remaining.filter((m) => m.storedWeight !== target(m)).map((m) => ({ id: m.id, weight: target(m) })),
  };
}
