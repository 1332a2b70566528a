// A small, tolerant XML reader for the request bodies the AWS SDK sends (no attributes kept,
// namespace prefixes dropped): enough to validate Route53 requests without a new dependency.

export interface XmlElement {
  /** Local name (any `prefix:` removed). */
  name: string;
  children: XmlElement[];
  /** Decoded text directly inside this element (not its children's). */
  text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** Index just past `needle` found at or after `from`; throws when it is missing. */
function indexAfter(src: string, needle: string, from: number): number {
  const at = src.indexOf(needle, from);
  if (at === -1) throw new XmlSyntaxError(`unterminated construct at offset ${from} (expected ${needle})`);
  return at + needle.length;
}

/** The `>` closing the tag opened at `lt`, skipping quoted attribute values. */
function tagEnd(src: string, lt: number): number {
  let quote: string | null = null;
  for (let i = lt + 1; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new XmlSyntaxError(`unterminated tag at offset ${lt}`);
}

/** Parses a document with exactly one root element. */
export function parseXml(src: string): XmlElement {
  const document: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [document];
  let i = 0;
  while (i < src.length) {
    const top = stack[stack.length - 1]!;
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? src.length : lt;
    if (textEnd > i) top.text += decodeEntities(src.slice(i, textEnd));
    if (lt === -1) break;
    if (src.startsWith('<?', lt)) i = indexAfter(src, '?>', lt);
    else if (src.startsWith('<!--', lt)) i = indexAfter(src, '-->', lt);
    else if (src.startsWith('<![CDATA[', lt)) {
      const end = indexAfter(src, ']]>', lt);
      top.text += src.slice(lt + 9, end - 3);
      i = end;
    } else if (src.startsWith('<!', lt)) i = tagEnd(src, lt) + 1;
    else {
      const gt = tagEnd(src, lt);
      const body = src.slice(lt + 1, gt);
      if (body.startsWith('/')) {
        const name = localName(body.slice(1).trim());
        if (stack.length === 1 || top.name !== name) throw new XmlSyntaxError(`unexpected closing tag </${name}> at offset ${lt}`);
        stack.pop();
      } else {
        const rawName = /^[^\s/>]+/.exec(body)?.[0];
        if (!rawName) throw new XmlSyntaxError(`empty tag at offset ${lt}`);
        const element: XmlElement = { name: localName(rawName), children: [], text: '' };
        top.children.push(element);
        if (!body.endsWith('/')) stack.push(element);
      }
      i = gt + 1;
    }
  }
  if (stack.length !== 1) throw new XmlSyntaxError(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (document.children.length !== 1) throw new XmlSyntaxError(`expected one root element, found ${document.children.length}`);
  if (document.text.trim() !== '') throw new XmlSyntaxError('text outside the root element');
  return document.children[0]!;
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Trimmed text of the first child with this name. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = childNamed(el, name);
  return c === undefined ? undefined : c.text.trim();
}
