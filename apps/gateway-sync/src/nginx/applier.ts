// Puts a rendered upstreams file in force: atomic write (temp file + rename), optional test
// (`nginx -t`; a failure restores the previous file), then reload (`nginx -s reload`). Nothing is
// written and nginx is not reloaded when the text is what nginx already runs.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@plane/runtime';
import { runCommand, type CommandResult } from './command.js';

export type ApplyOutcome =
  | { outcome: 'unchanged' }
  | { outcome: 'applied'; reloaded: boolean }
  /** The test command refused the new file: the previous file is back in place. */
  | { outcome: 'rejected'; error: string }
  | { outcome: 'write_failed'; error: string }
  /** The file passed its test and stays; nginx still runs the previous one until a reload works. */
  | { outcome: 'reload_failed'; error: string };

export interface ApplierOptions {
  file: string;
  /** argv, or null for no test. */
  testCommand: string[] | null;
  /** argv, or null to only write the file (something else reloads nginx). */
  reloadCommand: string[] | null;
  commandTimeoutMs: number;
  log: Logger;
  onCommand?: (which: 'test' | 'reload', result: CommandResult) => void;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes next to the target and renames over it, so nginx never reads half a file. The temp name
 * starts with a dot and ends in `.tmp`, so an `include conf.d/*.conf` never picks it up.
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export class NginxApplier {
  /** What the file holds (as last read or written; null: no file). */
  private onDisk: string | null = null;
  /** What nginx runs, as far as we know: the file as found at start, then each text reloaded. */
  private inForce: string | null = null;

  constructor(private readonly opts: ApplierOptions) {}

  /** Reads the file as it is: at start, nginx is taken to run it (no reload for the same text). */
  async load(): Promise<void> {
    this.onDisk = await readText(this.opts.file);
    this.inForce = this.onDisk;
  }

  current(): string | null {
    return this.inForce;
  }

  async apply(text: string): Promise<ApplyOutcome> {
    const { file, log } = this.opts;
    if (text === this.inForce && text === this.onDisk) return { outcome: 'unchanged' };
    if (text !== this.onDisk) {
      let previous: string | null;
      try {
        previous = await readText(file);
        await writeAtomically(file, text);
        this.onDisk = text;
      } catch (err) {
        const error = `could not write ${file}: ${(err as Error).message}`;
        log.error({ file, err: error }, 'upstreams file not written; nginx keeps the previous one');
        return { outcome: 'write_failed', error };
      }
      if (this.opts.testCommand) {
        const test = await runCommand(this.opts.testCommand, this.opts.commandTimeoutMs);
        this.opts.onCommand?.('test', test);
        if (!test.ok) {
          try {
            if (previous === null) await unlink(file);
            else await writeAtomically(file, previous);
            this.onDisk = previous;
          } catch (err) {
            log.error({ file, err: (err as Error).message }, 'could not restore the previous upstreams file');
            this.onDisk = text;
          }
          const error = `${this.opts.testCommand.join(' ')}: ${test.output}`;
          log.error({ file, command: this.opts.testCommand, err: error }, 'nginx refused the new upstreams: the previous file is back in force, nothing reloaded');
          return { outcome: 'rejected', error };
        }
      }
    }
    if (!this.opts.reloadCommand) {
      this.inForce = text;
      return { outcome: 'applied', reloaded: false };
    }
    const reload = await runCommand(this.opts.reloadCommand, this.opts.commandTimeoutMs);
    this.opts.onCommand?.('reload', reload);
    if (!reload.ok) {
      const error = `${this.opts.reloadCommand.join(' ')}: ${reload.output}`;
      log.error({ file, command: this.opts.reloadCommand, err: error }, 'nginx reload failed: the new file is in place, nginx still runs the previous upstreams');
      return { outcome: 'reload_failed', error };
    }
    this.inForce = text;
    return { outcome: 'applied', reloaded: true };
  }
}
