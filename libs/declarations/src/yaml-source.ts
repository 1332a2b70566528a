// Turns hostile bytes into plain data plus a position index, or into
// diagnostics. Declarations need none of YAML's exotic features, so they are
// refused outright rather than tamed:
// - anchors (&a), aliases (*a) and merge keys (<<): refused (no hidden
//   sharing). Aliases are never expanded: the walk below builds the data
//   itself instead of yaml's toJS, so an alias bomb is one error, not a
//   billion nodes (which is also why no maxAliasCount is needed);
// - tags of any kind (!!str, !!js/function, !foo) and directives (%YAML, %TAG);
// - more than one document, duplicate keys, non-string keys;
// - bytes that are not UTF-8, control characters, files over the size limit;
// - nesting deeper than MAX_NESTING (a real declaration nests 5 levels):
//   checked on the raw text and on the CST before the recursive composer runs,
//   so deep garbage costs a linear scan, never a stack overflow.
// The YAML 1.2 core schema is used: `yes`/`on` stay strings, no timestamps.
import { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq, type CST, type ParsedNode } from 'yaml';
import type { FileReport } from './diagnostics.js';
import { describeValue } from './diagnostics.js';
import { PositionIndex, childPointer } from './positions.js';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const MAX_NESTING = 20;

export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export interface ParsedYaml {
  /** The top-level mapping; present only when nothing fatal was found. */
  data?: { [key: string]: PlainValue };
  index: PositionIndex;
}

/** Size, encoding and YAML checks; every problem found goes to `report`. */
export function parseYamlSource(content: Uint8Array | string, maxFileBytes: number, report: FileReport): ParsedYaml {
  const empty: ParsedYaml = { index: new PositionIndex(undefined) };
  const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (size > maxFileBytes) {
    report.errorAt(1, 1, `file is over the size limit of ${maxFileBytes} bytes: a declaration is a few KiB`);
    return empty;
  }
  const text = decodeText(content, report);
  if (text === undefined) return empty;
  if (!checkCharacters(text, report)) return empty;
  if (!checkRawNesting(text, report)) return empty;

  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const index = new PositionIndex(lineCounter);
  report.index = index;
  if (!checkTokens(tokens, index, report)) return { index };

  const composer = new Composer({
    version: '1.2',
    schema: 'core',
    merge: false,
    uniqueKeys: false, // found by the walk below, in linear time and with the second key's position
    strict: true,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  const docs = Array.from(composer.compose(tokens));
  const doc = docs[0];
  if (doc === undefined) {
    report.errorAt(1, 1, 'file is empty: a declaration needs at least its required fields');
    return { index };
  }
  let fatal = false;
  for (const e of doc.errors) {
    const { line, column } = index.lineColumn(e.pos[0]);
    report.errorAt(line, column, `YAML syntax error: ${firstLine(e.message)}`);
    fatal = true;
  }
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') continue; // every tag is refused by the walk
    const { line, column } = index.lineColumn(w.pos[0]);
    report.warnAt(line, column, `YAML: ${firstLine(w.message)}`);
  }
  if (fatal) return { index };

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.tag === undefined)) {
    report.errorAt(1, 1, 'file is empty: a declaration needs at least its required fields');
    return { index };
  }
  const walk = new PlainWalk(text, index, report);
  const data = walk.toPlain(contents, '', 1);
  if (walk.fatal) return { index };
  if (!isMap(contents) || data === null || typeof data !== 'object' || Array.isArray(data)) {
    const { line, column } = index.lineColumn(contents.range[0]);
    report.errorAt(line, column, `the top level must be a mapping of fields (got ${describeValue(data)})`);
    return { index };
  }
  return { data, index };
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).replace(/ at line \d+, column \d+:?$/, '');
}

// ------------------------------------------------------------ bytes and text

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(content: Uint8Array | string, report: FileReport): string | undefined {
  if (typeof content === 'string') {
    const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
    if (lone !== null) {
      const { line, column } = textLineColumn(text, lone.index);
      report.errorAt(line, column, 'file is not valid UTF-8 (a lone surrogate)');
      return undefined;
    }
    return text;
  }
  try {
    return STRICT_UTF8.decode(content); // strips a BOM
  } catch {
    const offset = firstInvalidUtf8(content);
    const { line, column } = offset < 0 ? { line: 1, column: 1 } : byteLineColumn(content, offset);
    const shown = offset < 0 ? '' : ` (byte 0x${(content[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset})`;
    report.errorAt(line, column, `file is not valid UTF-8${shown}`);
    return undefined;
  }
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i + k;
    }
    i += need + 1;
  }
  return -1;
}

function byteLineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) if (((bytes[i] ?? 0) & 0xc0) !== 0x80) column++;
  return { line, column };
}

function textLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function checkCharacters(text: string, report: FileReport): boolean {
  if (text.trim() === '') {
    report.errorAt(1, 1, 'file is empty: a declaration needs at least its required fields');
    return false;
  }
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (control !== null) {
    const { line, column } = textLineColumn(text, control.index);
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    report.errorAt(line, column, `control character U+${code} is not allowed`);
    return false;
  }
  return true;
}

/**
 * Bounds what makes the YAML parser and composer work hard before they run:
 * flow brackets (`[[[[…`, counted everywhere, even inside strings, which
 * costs nothing real declarations need) and stacked block indicators on one
 * line (`- - - - …`).
 */
function checkRawNesting(text: string, report: FileReport): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING) return refuseDeep(text, i, report);
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  let lineStart = 0;
  while (lineStart < text.length) {
    let i = lineStart;
    let stacked = 0;
    while (text[i] === ' ') i++;
    while ((text[i] === '-' || text[i] === '?' || text[i] === ':') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
      if (++stacked > MAX_NESTING) return refuseDeep(text, i, report);
      i += 2;
      while (text[i] === ' ' || text[i] === '\t') i++;
    }
    const next = text.indexOf('\n', i);
    if (next < 0) break;
    lineStart = next + 1;
  }
  return true;
}

function refuseDeep(text: string, offset: number, report: FileReport): false {
  const { line, column } = textLineColumn(text, offset);
  report.errorAt(line, column, `nesting deeper than ${MAX_NESTING} levels: a declaration nests at most 5`);
  return false;
}

// ------------------------------------------------------------ CST checks

/** One document, no directives, bounded nesting; iterative, so it cannot overflow. */
function checkTokens(tokens: CST.Token[], index: PositionIndex, report: FileReport): boolean {
  let documents = 0;
  for (const token of tokens) {
    if (token.type === 'directive') {
      const { line, column } = index.lineColumn(token.offset);
      report.errorAt(line, column, 'YAML directives (%YAML, %TAG) are not allowed');
      return false;
    }
    if (token.type !== 'document') continue;
    documents++;
    if (documents > 1) {
      const { line, column } = index.lineColumn(token.offset);
      report.errorAt(line, column, 'a file holds one declaration: found a second YAML document (---)');
      return false;
    }
  }
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token; depth: number };
    if (token.type === 'document') {
      if (token.value !== undefined) stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > MAX_NESTING) {
      const { line, column } = index.lineColumn(token.offset);
      report.errorAt(line, column, `nesting deeper than ${MAX_NESTING} levels: a declaration nests at most 5`);
      return false;
    }
    for (const item of token.items) {
      if ('key' in item && item.key) stack.push({ token: item.key, depth: depth + 1 });
      if ('value' in item && item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return true;
}

// ------------------------------------------------------------ AST -> plain data

function showTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

class PlainWalk {
  fatal = false;

  constructor(
    private readonly text: string,
    private readonly index: PositionIndex,
    private readonly report: FileReport,
  ) {}

  /** Where a node's property (`&anchor`, `!tag`) was written: just before the node. */
  private propertyOffset(nodeOffset: number, written: string): number {
    const at = this.text.lastIndexOf(written, nodeOffset);
    return at >= 0 && nodeOffset - at <= 1024 ? at : nodeOffset;
  }

  toPlain(node: ParsedNode, pointer: string, depth: number, keyOffset?: number): PlainValue {
    const offset = node.range[0];
    this.index.set(pointer, { value: offset, key: keyOffset, isArray: isSeq(node) });
    if (isAlias(node)) return this.refuse(offset, `aliases (*${node.source}) are not allowed: write the value out in full`, pointer);
    // Anchors and tags are refused, yet the node is still walked so every
    // alias inside it is reported in the same pass.
    if (node.anchor !== undefined) {
      const at = this.propertyOffset(offset, `&${node.anchor}`);
      this.refuse(at, `anchors (&${node.anchor}) are not allowed: write values out in full`, pointer);
    }
    if (node.tag !== undefined) {
      const at = this.propertyOffset(offset, showTag(node.tag));
      this.refuse(at, `tags (${showTag(node.tag)}) are not allowed: declarations are plain YAML (quote a value to make it a string)`, pointer);
    }
    if (depth > MAX_NESTING) return this.refuse(offset, `nesting deeper than ${MAX_NESTING} levels`, pointer);
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) return this.refuse(offset, `${String(v)} is not allowed: numbers must be finite`, pointer);
        return v;
      }
      return this.refuse(offset, 'unsupported scalar value', pointer);
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => this.toPlain(item, childPointer(pointer, i), depth + 1));
    }
    if (isMap(node)) {
      const out: { [key: string]: PlainValue } = {};
      const firstSeen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || key.value === null || key.anchor !== undefined || key.tag !== undefined) {
          const at = key !== null && typeof key === 'object' && 'range' in key ? key.range[0] : offset;
          this.refuse(at, 'mapping keys must be plain strings', pointer);
          continue;
        }
        const name = typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
        const keyAt = key.range[0];
        if (name === '<<' && key.type === 'PLAIN') {
          this.refuse(keyAt, 'merge keys (<<) are not allowed: write the fields out in full', childPointer(pointer, name));
          continue;
        }
        const child = childPointer(pointer, name);
        const seen = firstSeen.get(name);
        if (seen !== undefined) {
          const first = this.index.lineColumn(seen);
          const { line, column } = this.index.lineColumn(keyAt);
          this.report.errorAt(line, column, `duplicate key "${name}" (first written at line ${first.line})`, child);
          continue; // the first one stands, so the rest of the file is still checked
        }
        firstSeen.set(name, keyAt);
        const value = pair.value === null ? null : this.toPlain(pair.value as ParsedNode, child, depth + 1, keyAt);
        if (pair.value === null) this.index.set(child, { value: keyAt, key: keyAt });
        // defineProperty: a key named __proto__ stays an ordinary (and then unknown) field
        Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return this.refuse(offset, 'unsupported YAML node', pointer);
  }

  private refuse(offset: number, message: string, pointer = ''): null {
    const { line, column } = this.index.lineColumn(offset);
    this.report.errorAt(line, column, message, pointer);
    this.fatal = true;
    return null;
  }
}
