import { isIP } from 'node:net';

function toBigInt(ip: string): { value: bigint; bits: number } {
  if (isIP(ip) === 4) {
    return { value: ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n), bits: 32 };
  }
  // Expand :: and an embedded IPv4 tail.
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = toBigInt(v4[1]!).value;
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

/** Whether an IP lies inside a CIDR (v4 in v4, v6 in v6). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, lenText] = cidr.split('/') as [string, string | undefined];
  if (isIP(ip) !== isIP(net)) return false;
  const a = toBigInt(ip);
  const b = toBigInt(net);
  const len = lenText === undefined ? a.bits : Number(lenText);
  const shift = BigInt(a.bits - len);
  return a.value >> shift === b.value >> shift;
}
