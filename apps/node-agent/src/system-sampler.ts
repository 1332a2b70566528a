// The node's own CPU and RAM use. /proc on Linux; the os module elsewhere (same arithmetic).
import { readFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { cpuBusyShare, parseMeminfo, parseProcStat, ramUsedShare, type CpuTimes } from './proc.js';
import { ratio } from './round.js';

export interface SystemSample {
  cpu: number;
  ram: number;
}

function cpuTimesFromOs(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const { user, nice, sys, idle, irq } = c.times;
    total += user + nice + sys + idle + irq;
    busy += user + nice + sys + irq;
  }
  return { busy, total };
}

export class SystemSampler {
  private previous: CpuTimes;
  readonly source: 'proc' | 'os';

  constructor(private readonly procDir = '/proc') {
    let source: 'proc' | 'os' = 'proc';
    let first: CpuTimes;
    try {
      first = parseProcStat(readFileSync(`${procDir}/stat`, 'utf8'));
    } catch {
      source = 'os';
      first = cpuTimesFromOs();
    }
    this.source = source;
    this.previous = first;
  }

  private cpuTimes(): CpuTimes {
    return this.source === 'proc' ? parseProcStat(readFileSync(`${this.procDir}/stat`, 'utf8')) : cpuTimesFromOs();
  }

  private ram(): number {
    if (this.source === 'proc') return ramUsedShare(parseMeminfo(readFileSync(`${this.procDir}/meminfo`, 'utf8')));
    return ratio(1 - freemem() / totalmem());
  }

  /** CPU busy share since the previous sample (or since construction), and RAM in use now. */
  sample(): SystemSample {
    const now = this.cpuTimes();
    const cpu = cpuBusyShare(this.previous, now);
    this.previous = now;
    return { cpu, ram: this.ram() };
  }
}
