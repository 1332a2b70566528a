// A small reader of the Prometheus text exposition format (version 0.0.4): enough for what a
// blackbox exporter's /probe answers. Comments (# HELP, # TYPE) are skipped; samples are
// `name{label="value",...} value [timestamp]`.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class PromTextError extends Error {
  override readonly name = 'PromTextError';
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

function parseValue(text: string, line: number): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new PromTextError(`line ${line}: "${text}" is not a sample value`);
  return n;
}

function parseLine(text: string, line: number): PromSample {
  let i = 0;
  NAME.lastIndex = 0;
  const name = NAME.exec(text)?.[0];
  if (!name) throw new PromTextError(`line ${line}: no metric name`);
  i = name.length;
  const labels: Record<string, string> = {};
  const skipSpaces = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  skipSpaces();
  if (text[i] === '{') {
    i++;
    for (;;) {
      skipSpaces();
      if (text[i] === '}') {
        i++;
        break;
      }
      LABEL_NAME.lastIndex = i;
      const labelName = LABEL_NAME.exec(text)?.[0];
      if (!labelName) throw new PromTextError(`line ${line}: bad label name at column ${i + 1}`);
      i += labelName.length;
      skipSpaces();
      if (text[i] !== '=') throw new PromTextError(`line ${line}: expected = after label ${labelName}`);
      i++;
      skipSpaces();
      if (text[i] !== '"') throw new PromTextError(`line ${line}: expected a quoted value for label ${labelName}`);
      i++;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new PromTextError(`line ${line}: unterminated value of label ${labelName}`);
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = text[i++];
          value += e === 'n' ? '\n' : e === '"' ? '"' : e === '\\' ? '\\' : `\\${e ?? ''}`;
        } else value += c;
      }
      labels[labelName] = value;
      skipSpaces();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new PromTextError(`line ${line}: expected , or } after label ${labelName}`);
    }
  }
  const rest = text.slice(i).trim().split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new PromTextError(`line ${line}: expected a value after ${name}`);
  return { name, labels, value: parseValue(rest[0]!, line) };
}

export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    samples.push(parseLine(line, n + 1));
  }
  return samples;
}

/** The value of the first sample with this name (and these labels, when given). */
export function sampleValue(samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  return samples.find((s) => s.name === name && wanted.every(([k, v]) => s.labels[k] === v))?.value;
}
