// Every process the demo starts, each the leader of its own process group (so a signal to the
// group also reaches whatever it started, e.g. the git children of gitops-sync), its output in a
// log file. stopAll() ends them all; an 'exit' hook SIGKILLs whatever is still there, so the demo
// leaves no orphans even when it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Proc {
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', () => {
        // spawn failed (e.g. ENOENT): 'exit' may never come.
        if (this.exit === undefined) {
          this.exit = { code: 127, signal: null };
          resolve(this.exit);
        }
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Signals the whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (!this.running || this.pid <= 0) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        // gone
      }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs = 6000): Promise<ExitInfo> {
    if (!this.running) return this.exit!;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    // Anything the process left in its group goes too.
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // the group is empty
    }
    return info;
  }

  /** SIGKILL to the group: a crash. */
  async kill(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    return this.exited;
  }
}

export class Supervisor {
  private readonly procs = new Set<Proc>();

  constructor(private readonly logDir: string) {
    process.once('exit', () => this.killAllNow());
  }

  /** Starts `node <script> args...` (or another command) in its own process group. */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logName = name): Proc {
    const logFile = join(this.logDir, `${logName}.log`);
    const fd = openSync(logFile, 'a');
    writeSync(fd, `\n--- ${new Date().toISOString()} ${name}: ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, { env, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const proc = new Proc(name, child, logFile);
    this.procs.add(proc);
    void proc.exited.then(() => this.procs.delete(proc));
    return proc;
  }

  running(): Proc[] {
    return [...this.procs].filter((p) => p.running);
  }

  /** Stops every process it started, all at once (SIGTERM, SIGKILL after the grace time). */
  async stopAll(graceMs = 6000): Promise<void> {
    await Promise.all(this.running().map((p) => p.stop(graceMs)));
  }

  /** Synchronous last resort (process 'exit'): SIGKILL every group still there. */
  killAllNow(): void {
    for (const p of this.procs) {
      if (p.pid <= 0) continue;
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
