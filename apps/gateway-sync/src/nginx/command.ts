// External commands (`nginx -t`, `nginx -s reload`) run without a shell: the flag value is split
// into argv here, so no shell expansion, globbing or injection can happen.
import { execFile } from 'node:child_process';

/**
 * Splits a command line into argv: whitespace separates words; single quotes keep everything
 * literally; double quotes keep spaces and allow `\"` and `\\`; a backslash outside quotes
 * escapes the next character. Throws on an unterminated quote.
 */
export function splitCommand(line: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in "${line}"`);
  if (inWord) argv.push(word);
  return argv;
}

export interface CommandResult {
  ok: boolean;
  /** Exit code, or null when killed (timeout) or not started. */
  code: number | null;
  /** The last part of stderr (or stdout when stderr is empty), or why it did not run. */
  output: string;
  ms: number;
}

const KEEP = 2000;

export function runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    if (argv.length === 0) {
      resolve({ ok: false, code: null, output: 'empty command', ms: 0 });
      return;
    }
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const text = (stderr.trim() || stdout.trim()).slice(-KEEP);
      const ms = Date.now() - started;
      if (!err) {
        resolve({ ok: true, code: 0, output: text, ms });
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const code = typeof e.code === 'number' ? e.code : null;
      const why = e.killed ? `timed out after ${timeoutMs} ms` : typeof e.code === 'string' ? `${e.code}: ${e.message}` : `exit code ${String(e.code)}`;
      resolve({ ok: false, code, output: text ? `${why}: ${text}` : why, ms });
    });
  });
}
