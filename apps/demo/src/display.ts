// Narration and progress. On a terminal (and not --ci) a status line at the bottom shows what is
// awaited, with a spinner and the time so far; narration lines scroll above it. Elsewhere plain
// lines only.

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms - m * 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

export class StepTimeout extends Error {
  constructor(
    readonly what: string,
    readonly afterMs: number,
    readonly detail: string,
  ) {
    super(`not observed within ${seconds(afterMs)}: ${what}${detail ? ` (${detail})` : ''}`);
  }
}

/** An error a probe throws to end the wait at once (a process died, an impossible state). */
export class Fatal extends Error {
  constructor(
    message: string,
    /** Processes whose logs explain it. */
    readonly logs: { name: string; logFile: string }[] = [],
  ) {
    super(message);
  }
}

export class Aborted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted (${signal})`);
  }
}

export interface DisplayOptions {
  ci: boolean;
  out?: NodeJS.WriteStream;
}

export class Display {
  readonly t0 = Date.now();
  private readonly out: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly color: boolean;
  private status: { label: string; since: number } | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  step = '';
  /** Rejects every wait: set by Ctrl-C. */
  abort: Aborted | undefined;

  constructor(readonly opts: DisplayOptions) {
    this.out = opts.out ?? process.stdout;
    this.live = Boolean(this.out.isTTY) && !opts.ci;
    this.color = Boolean(this.out.isTTY) && !process.env.NO_COLOR;
  }

  get verbose(): boolean {
    return !this.opts.ci;
  }

  bold(s: string): string {
    return this.color ? `\x1b[1m${s}\x1b[0m` : s;
  }
  dim(s: string): string {
    return this.color ? `\x1b[2m${s}\x1b[0m` : s;
  }
  green(s: string): string {
    return this.color ? `\x1b[32m${s}\x1b[0m` : s;
  }
  red(s: string): string {
    return this.color ? `\x1b[31m${s}\x1b[0m` : s;
  }
  yellow(s: string): string {
    return this.color ? `\x1b[33m${s}\x1b[0m` : s;
  }
  cyan(s: string): string {
    return this.color ? `\x1b[36m${s}\x1b[0m` : s;
  }

  private clock(): string {
    return this.dim(`+${seconds(Date.now() - this.t0).padStart(6)}`);
  }

  private write(text: string): void {
    if (this.live && this.status) this.out.write('\r\x1b[2K');
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    if (this.live && this.status) this.draw();
  }

  private draw(): void {
    if (!this.status) return;
    const s = this.status;
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const stepText = this.step ? ` [${this.step}, total ${seconds(Date.now() - this.t0)}]` : '';
    const took = seconds(Date.now() - s.since);
    // One terminal line, or the next redraw cannot erase it.
    const room = (this.out.columns || 100) - 6 - took.length;
    let label = s.label;
    let step = stepText;
    if (label.length + step.length > room) step = '';
    if (label.length > room) label = `${label.slice(0, Math.max(10, room - 1))}…`;
    this.out.write(`\r\x1b[2K  ${this.cyan(spin!)} ${label} ${this.dim(took)}${this.dim(step)}`);
  }

  /** A section heading. */
  header(text: string): void {
    this.write(`\n${this.bold(text)}`);
  }

  /** A narration line of the demo itself. */
  say(text: string): void {
    this.write(`${this.clock()}  ${text}`);
  }

  /** What another part did (an event, the CI runner). `always` lines show in --ci mode too. */
  event(tag: string, text: string, always = false): void {
    if (!always && !this.verbose) return;
    this.write(`${this.clock()}    ${this.dim(tag.padEnd(10))} ${text}`);
  }

  ok(text: string, ms?: number): void {
    this.write(`${this.clock()}  ${this.green('✓')} ${text}${ms === undefined ? '' : ` ${this.dim(`(${seconds(ms)})`)}`}`);
  }

  warn(text: string): void {
    this.write(`${this.clock()}  ${this.yellow('!')} ${text}`);
  }

  fail(text: string): void {
    this.write(`${this.clock()}  ${this.red('✗')} ${text}`);
  }

  /** Plain text, no clock (commands to copy, the summary). */
  raw(text: string): void {
    this.write(text);
  }

  private setStatus(label: string | undefined): void {
    if (!this.live) return;
    if (label === undefined) {
      if (this.status) this.out.write('\r\x1b[2K');
      this.status = undefined;
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.status = { label, since: Date.now() };
    if (!this.timer) this.timer = setInterval(() => this.draw(), 100);
    this.draw();
  }

  /**
   * Polls `probe` until it returns a value (not undefined/false), for at most `timeoutMs`.
   * `detail` says what was seen last, for the failure message. Returns the value and the time it took.
   */
  async waitFor<T>(label: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, opts: { everyMs?: number; detail?: () => string } = {}): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    if (!this.live && this.verbose) this.say(this.dim(`… ${label}`));
    this.setStatus(label);
    try {
      for (;;) {
        if (this.abort) throw this.abort;
        let v: T | undefined | false;
        try {
          v = await probe();
        } catch (err) {
          if (err instanceof StepTimeout || err instanceof Aborted || err instanceof Fatal) throw err;
          v = undefined;
        }
        if (v !== undefined && v !== false) return { value: v, ms: Date.now() - started };
        if (Date.now() - started > timeoutMs) throw new StepTimeout(label, timeoutMs, opts.detail?.() ?? '');
        await new Promise((r) => setTimeout(r, opts.everyMs ?? 200));
      }
    } finally {
      this.setStatus(undefined);
    }
  }

  /** A pause for the viewer (none in --ci mode). */
  async beat(ms: number): Promise<void> {
    if (!this.verbose) return;
    await new Promise((r) => setTimeout(r, ms));
  }

  close(): void {
    this.setStatus(undefined);
  }
}
