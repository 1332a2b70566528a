// Real DNS queries against the demo's PowerDNS: every query is answered afresh (the server's
// caches are off), and a weighted LUA record answers one address per query, so the shares of
// many answers show the weights.
import { Resolver } from 'node:dns/promises';

export class DnsSampler {
  private readonly resolver = new Resolver({ timeout: 1000, tries: 1 });
  queries = 0;
  lastError: string | undefined;

  constructor(
    readonly port: number,
    readonly name: string,
  ) {
    this.resolver.setServers([`127.0.0.1:${port}`]);
  }

  get dig(): string {
    return `dig @127.0.0.1 -p ${this.port} ${this.name} +short`;
  }

  /** One query: the A records answered (empty on NXDOMAIN / no data / an error). */
  async once(): Promise<string[]> {
    this.queries++;
    try {
      const ips = await this.resolver.resolve4(this.name);
      this.lastError = undefined;
      return ips;
    } catch (err) {
      this.lastError = (err as { code?: string }).code ?? (err as Error).message;
      return [];
    }
  }

  /** `n` queries: how often each address was answered, and how many queries got an answer. */
  async sample(n: number): Promise<{ counts: Map<string, number>; answered: number }> {
    const counts = new Map<string, number>();
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const ips = await this.once();
      if (ips.length > 0) answered++;
      for (const ip of ips) counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    return { counts, answered };
  }
}

export function describeCounts(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([ip, n]) => `${ip} x${n}`)
    .join(', ');
}
