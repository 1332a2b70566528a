// Maps JSON pointers of the parsed YAML to source positions, so every
// diagnostic points at the exact node (or key) it is about.
import type { LineCounter } from 'yaml';
import type { SourceLocation } from './types.js';

interface NodeOffsets {
  /** Start of the value node. */
  value: number;
  /** Start of the key, for mapping entries. */
  key?: number;
  isArray?: boolean;
}

export type Anchor = 'value' | 'key';

export class PositionIndex {
  private readonly offsets = new Map<string, NodeOffsets>();

  constructor(private readonly lineCounter: LineCounter | undefined) {}

  set(pointer: string, offsets: NodeOffsets): void {
    this.offsets.set(pointer, offsets);
  }

  isArray(pointer: string): boolean {
    return this.offsets.get(pointer)?.isArray === true;
  }

  /** Line/column of a pointer's key or value; falls back to the nearest recorded ancestor, then 1:1. */
  locate(pointer: string, anchor: Anchor = 'value'): SourceLocation {
    let p = pointer;
    for (;;) {
      const found = this.offsets.get(p);
      if (found !== undefined) {
        const offset = anchor === 'key' && found.key !== undefined ? found.key : found.value;
        return { path: pointer, ...this.lineColumn(offset) };
      }
      if (p === '') return { path: pointer, line: 1, column: 1 };
      p = parentPointer(p);
      anchor = 'value';
    }
  }

  lineColumn(offset: number): { line: number; column: number } {
    if (this.lineCounter === undefined) return { line: 1, column: 1 };
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${typeof token === 'number' ? String(token) : escapePointerToken(token)}`;
}

export function parentPointer(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return i <= 0 ? '' : pointer.slice(0, i);
}

/** `/domains/0/regions/1/weight` -> `domains[0].regions[1].weight` (for messages). */
export function dottedPath(pointer: string, index?: PositionIndex): string {
  if (pointer === '') return '';
  const tokens = pointer.slice(1).split('/').map(unescapePointerToken);
  let out = '';
  let sofar = '';
  for (const token of tokens) {
    const parentIsArray = index !== undefined ? index.isArray(sofar) : /^(0|[1-9][0-9]*)$/.test(token);
    out += parentIsArray ? `[${token}]` : out === '' ? token : `.${token}`;
    sofar = childPointer(sofar, token);
  }
  return out;
}
