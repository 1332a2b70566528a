// Builds the XML Route53 answers with (restXml, namespace https://route53.amazonaws.com/doc/2013-04-01/).

export const ROUTE53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An element holding escaped text; omitted entirely when the value is undefined. */
export function textElement(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An element wrapping already-built XML children. */
export function element(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

/** A whole response document whose root carries the Route53 namespace. */
export function document(root: string, ...children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${ROUTE53_XMLNS}">${children.join('')}</${root}>`;
}
