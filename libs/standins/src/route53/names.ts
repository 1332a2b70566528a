// Route53's name presentation: lowercase, trailing dot, and every character other than a-z, 0-9,
// '-' and '_' written as a three-digit octal escape (`*` -> `\052`). Listing order compares the
// names with their labels reversed (`www.example.com.` sorts as `com.example.www`).

const PLAIN = /[a-z0-9_-]/;

function decodeEscapes(label: string): string {
  return label.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function encodeLabel(label: string): string {
  let out = '';
  for (const c of label) out += PLAIN.test(c) ? c : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`;
  return out;
}

/** The form Route53 stores and answers a name in. */
export function canonicalName(name: string): string {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '') return '.';
  return `${bare.split('.').map((l) => encodeLabel(decodeEscapes(l).toLowerCase())).join('.')}.`;
}

/** Sort key for listing: labels reversed. */
export function reversedName(canonical: string): string {
  return canonical.replace(/\.$/, '').split('.').reverse().join('.');
}

/** True when `canonical` is the zone apex or below it. */
export function isInZone(canonical: string, zoneCanonical: string): boolean {
  return canonical === zoneCanonical || canonical.endsWith(`.${zoneCanonical}`);
}
