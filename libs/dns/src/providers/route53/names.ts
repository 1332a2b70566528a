// Between our names (lowercase FQDN, no trailing dot) and Route53's (trailing dot, characters
// outside a-z 0-9 - _ answered as octal escapes such as `\052` for `*`).
import { normalizeName } from '../../model.js';

export function toRoute53Name(name: string): string {
  return `${normalizeName(name)}.`;
}

export function fromRoute53Name(name: string): string {
  return normalizeName(name.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
