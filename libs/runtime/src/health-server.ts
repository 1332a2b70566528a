import { createServer, type Server } from 'node:http';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface HealthServerOptions {
  /** `host:port`, `:port` or a port number. */
  listen: string;
  registry: Registry;
  /** Ready means: connected and caught up; a reason string when not. */
  ready: () => true | string;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(listen.trim());
  if (!m) throw new Error(`"${listen}" is not a listen address (HOST:PORT or :PORT)`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`"${listen}": port out of range`);
  return { host: m[1] || '0.0.0.0', port };
}

export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A gauge read at each scrape: `read` gives its values (labels and value); nothing when there is
 * nothing to show. A read that fails (NATS away, say) shows no value rather than failing the scrape.
 */
export function scrapedGauge<L extends string = string>(registry: Registry, def: { name: string; help: string; labelNames?: L[] }, read: () => Promise<{ labels?: Partial<Record<L, string>>; value: number }[]>): Gauge<L> {
  return new Gauge<L>({
    ...def,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { labels, value } of await read().catch(() => [])) {
        if (labels) this.set(labels, value);
        else this.set(value);
      }
    },
  });
}

/** `/metrics` (Prometheus text), `/healthz` (process alive), `/readyz` (ready() === true). */
export async function startHealthServer(opts: HealthServerOptions): Promise<Server> {
  const { host, port } = parseListen(opts.listen);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const r = opts.ready();
      if (r === true) res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
      else res.writeHead(503, { 'content-type': 'text/plain' }).end(`not ready: ${r}\n`);
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
