// Collecting, formatting and ordering diagnostics.
import { dottedPath, type Anchor, type PositionIndex } from './positions.js';
import type { DeclarationError, DeclarationWarning } from './types.js';

export const MAX_ERRORS_PER_FILE = 100;

/** `FILE:LINE:COL: message`, the `planectl validate` line format. */
export function formatError(e: DeclarationError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

/** Orders by file, line, column, then message (stable output for humans and tests). */
export function compareDiagnostics(a: DeclarationError, b: DeclarationError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.message !== b.message) return a.message < b.message ? -1 : 1;
  return 0;
}

export function sortDiagnostics<T extends DeclarationError>(list: T[]): T[] {
  return list.sort(compareDiagnostics);
}

export interface Placement {
  /** Pointer whose position is used instead of the error's own. */
  at?: string;
  /** Pointer shown as the message prefix instead of the error's own. */
  prefix?: string;
}

/** The diagnostics of one file, placed through its position index. */
export class FileReport {
  readonly errors: DeclarationError[] = [];
  readonly warnings: DeclarationWarning[] = [];
  index: PositionIndex | undefined;
  /** Errors past the cap, counted but not kept (a hostile file may hold a million). */
  private dropped = 0;

  constructor(
    readonly file: string,
    private readonly maxErrors = MAX_ERRORS_PER_FILE,
  ) {}

  get errorCount(): number {
    return this.errors.length + this.dropped;
  }

  /** The errors, sorted, with one closing line when some were dropped. */
  finishErrors(): DeclarationError[] {
    const list = sortDiagnostics([...this.errors]);
    if (this.dropped > 0) {
      const last = list[list.length - 1];
      list.push({
        file: this.file,
        line: last?.line ?? 1,
        column: last?.column ?? 1,
        path: '',
        message: `too many errors: ${this.dropped} more not shown`,
      });
    }
    return list;
  }

  /**
   * An error about the node at `pointer`; the message gets the dotted path as
   * prefix. `placement` may place it elsewhere (`at`, e.g. the parent mapping
   * of a missing field) or prefix another path (`prefix`).
   */
  error(pointer: string, message: string, anchor: Anchor = 'value', placement?: Placement): void {
    this.keep(this.make(pointer, message, anchor, placement));
  }

  warn(pointer: string, message: string, anchor: Anchor = 'value', placement?: Placement): void {
    this.warnings.push(this.make(pointer, message, anchor, placement));
  }

  /** An error at a known position (before a position index exists). */
  errorAt(line: number, column: number, message: string, path = ''): void {
    this.keep({ file: this.file, line, column, path, message });
  }

  private keep(e: DeclarationError): void {
    if (this.errors.length < this.maxErrors) this.errors.push(e);
    else this.dropped++;
  }

  warnAt(line: number, column: number, message: string, path = ''): void {
    this.warnings.push({ file: this.file, line, column, path, message });
  }

  private make(pointer: string, message: string, anchor: Anchor, placement?: Placement): DeclarationError {
    const where = this.index?.locate(placement?.at ?? pointer, anchor) ?? { path: pointer, line: 1, column: 1 };
    const prefix = dottedPath(placement?.prefix ?? pointer, this.index);
    return {
      file: this.file,
      line: where.line,
      column: where.column,
      path: pointer,
      message: prefix === '' ? message : `${prefix}: ${message}`,
    };
  }
}

/** Short rendering of a value inside a message: `"abc"`, `2.5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return value.length > 40 ? `${JSON.stringify(shown)} (${value.length} characters)` : JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
