// CPU and memory use from Linux /proc text. Pure: the reader in system-sampler.ts does the I/O.
import { ratio } from './round.js';

/** Cumulative CPU time counters (jiffies) of the `cpu` line of /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * The aggregate `cpu  user nice system idle iowait irq softirq steal guest guest_nice` line.
 * guest and guest_nice are already inside user and nice, so they are not added again; idle and
 * iowait are the not-busy part.
 */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('/proc/stat: no aggregate "cpu" line');
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`/proc/stat: unreadable cpu line "${line.slice(0, 120)}"`);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** The busy share of the CPU time that passed between two reads (0..1). */
export function cpuBusyShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return ratio((after.busy - before.busy) / total);
}

export interface MemInfo {
  totalKb: number;
  availableKb: number;
}

/** MemTotal and MemAvailable (kernels before 3.14 lack it: MemFree + Buffers + Cached then). */
export function parseMeminfo(text: string): MemInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const totalKb = kb.get('MemTotal');
  if (!totalKb) throw new Error('/proc/meminfo: no MemTotal');
  const availableKb = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { totalKb, availableKb };
}

/** 1 - available/total (0..1). */
export function ramUsedShare(mem: MemInfo): number {
  if (mem.totalKb <= 0) return 0;
  return ratio(1 - mem.availableKb / mem.totalKb);
}
