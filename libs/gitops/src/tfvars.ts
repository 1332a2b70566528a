// Rewrites the one number the autoscaler owns in a .tfvars file: the value of the top-level
// `node_count = N` assignment. Everything else (comments, order, spacing, line endings, a missing
// final newline) is kept byte for byte, because the edit is a splice of the digits and nothing more.

export type NodeCountErrorCode =
  /** No top-level `node_count = ...` line. */
  | 'missing'
  /** More than one top-level `node_count` line: which one Terraform uses is not ours to guess. */
  | 'duplicate'
  /** The file holds neither the count the command starts from nor its target. */
  | 'mismatch'
  /** The value is an expression, a string, a float, a variable... not a plain integer. */
  | 'not_integer'
  /** `from` or `to` is not a non-negative integer. */
  | 'invalid_count';

export class NodeCountError extends Error {
  override readonly name = 'NodeCountError';
  constructor(
    readonly code: NodeCountErrorCode,
    message: string,
    /** 1-based line of the offending assignment, when there is one. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Where the `node_count` literal sits in the text. */
export interface NodeCountLocation {
  value: number;
  /** 1-based line number. */
  line: number;
  /** Offsets of the digits in the text: [start, end). */
  start: number;
  end: number;
}

export type NodeCountEdit =
  | { changed: true; text: string; line: number; before: number; after: number }
  | { changed: false; text: string; line: number; value: number; reason: string };

const ASSIGNMENT = /^[ \t]*node_count[ \t]*=/;
const INTEGER_VALUE = /^[ \t]*([0-9]+)(?=[ \t]*(?:$|#|\/\/|\/\*))/;

/** Finds the top-level `node_count` literal; throws a NodeCountError when there is not exactly one integer. */
export function findNodeCount(text: string): NodeCountLocation {
  const found: Array<{ lineStart: number; line: number }> = [];
  for (const { offset, line } of topLevelLineStarts(text)) {
    const end = lineEnd(text, offset);
    if (ASSIGNMENT.test(text.slice(offset, end))) found.push({ lineStart: offset, line });
  }
  if (found.length === 0) throw new NodeCountError('missing', 'no top-level "node_count = N" assignment in the file');
  if (found.length > 1) {
    throw new NodeCountError('duplicate', `"node_count" is assigned ${found.length} times (lines ${found.map((f) => f.line).join(', ')}); refusing to guess which one counts`, found[1]!.line);
  }
  const { lineStart, line } = found[0]!;
  const content = text.slice(lineStart, lineEnd(text, lineStart)).replace(/\r$/, '');
  const afterEquals = content.indexOf('=') + 1;
  const rest = content.slice(afterEquals);
  const m = INTEGER_VALUE.exec(rest);
  if (!m) {
    const shown = rest.replace(/\s*(#|\/\/|\/\*).*$/, '').trim();
    throw new NodeCountError('not_integer', `node_count on line ${line} is ${shown === '' ? 'empty' : `"${shown}"`}, not an integer literal`, line);
  }
  const start = lineStart + afterEquals + m[0].length - m[1]!.length;
  return { value: Number(m[1]), line, start, end: start + m[1]!.length };
}

/** The current node count of a .tfvars text. */
export function readNodeCount(text: string): number {
  return findNodeCount(text).value;
}

/**
 * Moves `node_count` from `from` to `to`. A file already at `to` is a no-op (a redelivered or
 * already-applied command); any other value is a failed precondition. Throws NodeCountError.
 */
export function editNodeCount(text: string, from: number, to: number): NodeCountEdit {
  for (const [name, n] of [['from', from], ['to', to]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new NodeCountError('invalid_count', `"${name}" must be a non-negative integer, got ${String(n)}`);
  }
  const at = findNodeCount(text);
  if (at.value === to) return { changed: false, text, line: at.line, value: at.value, reason: `node_count already at ${to}` };
  if (at.value !== from) {
    throw new NodeCountError('mismatch', `node_count is ${at.value} on line ${at.line}, but the command expects ${from} (and targets ${to})`, at.line);
  }
  return { changed: true, text: text.slice(0, at.start) + String(to) + text.slice(at.end), line: at.line, before: from, after: to };
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl;
}

/**
 * Offsets of the lines that begin at the top level of the file: outside any block, object, list,
 * string, block comment or heredoc. A `node_count` inside `pools = { ... }` or a commented-out
 * one is not the variable.
 */
function topLevelLineStarts(text: string): Array<{ offset: number; line: number }> {
  const starts: Array<{ offset: number; line: number }> = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  let atLineStart = true;
  const n = text.length;
  while (i < n) {
    if (atLineStart) {
      if (depth === 0) starts.push({ offset: i, line });
      atLineStart = false;
    }
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      i = lineEnd(text, i);
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const stop = close === -1 ? n : close + 2;
      line += countNewlines(text, i, stop);
      i = stop;
    } else if (c === '"') {
      i = skipString(text, i + 1);
    } else if (c === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?(?=\n)/.exec(text.slice(i, lineEnd(text, i) + 1));
      if (!m) {
        i += 2;
        continue;
      }
      // A heredoc runs until a line that holds only its marker.
      let pos = lineEnd(text, i);
      let closed = false;
      while (pos < n) {
        const from = pos + 1;
        const to = lineEnd(text, from);
        line++;
        pos = to;
        if (text.slice(from, to).trim() === m[1]) {
          closed = true;
          break;
        }
      }
      i = closed ? pos : n;
    } else {
      if (c === '{' || c === '[' || c === '(') depth++;
      else if ((c === '}' || c === ']' || c === ')') && depth > 0) depth--;
      i++;
    }
  }
  return starts;
}

/** Skips a quoted string (escapes and `${...}` interpolations included); returns the offset after it. */
function skipString(text: string, i: number): number {
  let interpolation = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '$' && text[i + 1] === '{') {
      interpolation++;
      i += 2;
    } else if (c === '}' && interpolation > 0) {
      interpolation--;
      i++;
    } else if (c === '"' && interpolation === 0) return i + 1;
    else if (c === '\n' && interpolation === 0) return i; // an unterminated string ends at its line
    else i++;
  }
  return i;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}
