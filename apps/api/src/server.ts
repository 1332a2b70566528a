// The HTTP face of the nodes. Every accepted request becomes an event on the NODES stream; a
// rejected one records nothing.
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { lastEventOn, publishEvent, STREAMS, type DesiredWatcher, type Plane } from '@plane/backbone';
import { digestOf, envelope, nodeSubject, type NodeDeregistered, type NodeHeartbeat, type NodeRegistered } from '@plane/events';
import type { Logger } from '@plane/runtime';
import { Counter, type Registry } from 'prom-client';
import { checkPlacement } from './registry.js';
import { BadRequest, parseDeregister, parseHeartbeat, parseRegister } from './validate.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ApiOptions {
  plane: Plane;
  desired: DesiredWatcher;
  token: string;
  log: Logger;
  registry: Registry;
  source: string;
  tls?: { cert: Buffer; key: Buffer };
  ready: () => true | string;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new BadRequest('body: not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

export function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  // Hash both so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(a, b);
}

export function createApiServer(opts: ApiOptions): Server {
  const { plane, log } = opts;
  const requests = new Counter({ name: 'plane_api_requests_total', help: 'Requests by route and status', labelNames: ['route', 'status'], registers: [opts.registry] });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
  };

  const register = async (body: unknown) => {
    const r = parseRegister(body);
    checkPlacement(opts.desired.current(), r.service, r.region, r.ips);
    const previous = await lastEventOn(plane.jsm, STREAMS.nodes.name, nodeSubject(r, 'registered'));
    const prevIps = previous?.event.type === 'NodeRegistered' ? (previous.event as NodeRegistered).data.ips : null;
    const replaced = prevIps && prevIps.join(',') !== r.ips.join(',') ? prevIps : null;
    const now = new Date();
    const event: NodeRegistered = envelope('NodeRegistered', `reg:${r.service}.${r.region}.${r.node_id}:${digestOf({ ips: r.ips, labels: r.labels }, 12)}:${now.getTime()}`, { ...r, replaced_ips: replaced }, opts.source, now);
    const pub = await publishEvent(plane.js, nodeSubject(r, 'registered'), event);
    log.info({ event: event.id, seq: pub.seq, node: `${r.service}.${r.region}.${r.node_id}`, ips: r.ips, replaced_ips: replaced }, replaced ? 'node registered again with other IPs' : 'node registered');
    return { status: 200, body: { node_id: r.node_id, registered_at: now.toISOString() } };
  };

  const heartbeat = async (body: unknown) => {
    const h = parseHeartbeat(body);
    checkPlacement(opts.desired.current(), h.service, h.region, null);
    const { service, region, node_id, seq, boot, cpu, ram, qps, rtt_ms, error_rate, exporter_ok } = h;
    const data = { service, region, node_id, seq, boot, cpu, ram, qps, rtt_ms, error_rate, exporter_ok, via: 'http' as const, ...(h.exporter_error ? { exporter_error: h.exporter_error } : {}) };
    const event: NodeHeartbeat = envelope('NodeHeartbeat', `hb:${service}.${region}.${node_id}:${boot}:${seq}`, data, opts.source);
    await publishEvent(plane.js, nodeSubject(h, 'heartbeat'), event);
    return { status: 202, body: { accepted: true } };
  };

  const deregister = async (body: unknown) => {
    const d = parseDeregister(body);
    const now = new Date();
    const event: NodeDeregistered = envelope('NodeDeregistered', `dereg:${d.service}.${d.region}.${d.node_id}:${now.getTime()}`, { ...d, reason: 'the node deregistered itself' }, opts.source, now);
    const pub = await publishEvent(plane.js, nodeSubject(d, 'deregistered'), event);
    log.info({ event: event.id, seq: pub.seq, node: `${d.service}.${d.region}.${d.node_id}` }, 'node deregistered');
    return { status: 200, body: { node_id: d.node_id, deregistered: true } };
  };

  const routes: Record<string, (body: unknown) => Promise<{ status: number; body: unknown }>> = {
    '/nodes/register': register,
    '/nodes/heartbeat': heartbeat,
    '/nodes/deregister': deregister,
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') {
      const r = opts.ready();
      return send(res, r === true ? 200 : 503, r === true ? { ready: true } : { ready: false, reason: r });
    }
    if (req.method === 'GET' && path === '/metrics') {
      void opts.registry.metrics().then((text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text));
      return;
    }
    const route = routes[path];
    if (!route) return send(res, 404, { error: `no route ${req.method} ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: `${path} takes POST` });
    if (!tokenMatches(opts.token, req.headers.authorization)) {
      requests.inc({ route: path, status: 401 });
      req.resume();
      return send(res, 401, { error: 'missing or wrong bearer token' });
    }
    readJson(req)
      .then((body) => route(body))
      .then(
        (r) => {
          requests.inc({ route: path, status: r.status });
          send(res, r.status, r.body);
        },
        (err: unknown) => {
          const status = err instanceof HttpError ? err.status : err instanceof BadRequest ? 400 : 503;
          requests.inc({ route: path, status });
          if (status === 503) log.error({ route: path, err: String(err) }, 'could not record the event');
          send(res, status, { error: status === 503 ? 'the event store is unavailable; retry' : (err as Error).message });
        },
      );
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}
