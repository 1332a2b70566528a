// The push webhook: GitHub-style `X-Hub-Signature-256: sha256=<hex HMAC of the body>`. A missing or
// wrong signature is a 401 and triggers nothing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { parseListen, type Logger } from '@plane/runtime';

export const MAX_WEBHOOK_BODY = 1024 * 1024;

export function signatureOf(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const want = Buffer.from(signatureOf(secret, body));
  const got = Buffer.from(header.toLowerCase());
  return want.length === got.length && timingSafeEqual(want, got);
}

export interface WebhookOptions {
  listen: string;
  secret: string;
  branch: string;
  log: Logger;
  onPush: (reason: string) => void;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebhookServer(opts: WebhookOptions): Promise<Server> {
  const { host, port } = parseListen(opts.listen);
  const server = createServer((req, res) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return reply(200, { ok: true });
    if (req.method !== 'POST') return reply(405, { error: 'POST a push event here' });
    readBody(req, MAX_WEBHOOK_BODY).then(
      (body) => {
        if (body === 'too-large') return reply(413, { error: `body over ${MAX_WEBHOOK_BODY} bytes` });
        const sig = req.headers['x-hub-signature-256'];
        if (!verifySignature(opts.secret, body, Array.isArray(sig) ? sig[0] : sig)) {
          opts.log.warn({ remote: req.socket.remoteAddress }, 'webhook refused: missing or wrong X-Hub-Signature-256');
          return reply(401, { error: 'missing or wrong X-Hub-Signature-256' });
        }
        const kind = String(req.headers['x-github-event'] ?? 'push');
        if (kind === 'ping') return reply(200, { ok: true, pong: true });
        let ref: string | undefined;
        try {
          ref = (JSON.parse(body.toString('utf8')) as { ref?: unknown }).ref as string | undefined;
        } catch {
          ref = undefined;
        }
        if (typeof ref === 'string' && ref !== `refs/heads/${opts.branch}`) return reply(202, { ok: true, ignored: `push to ${ref}, not refs/heads/${opts.branch}` });
        opts.onPush(`webhook ${kind}`);
        return reply(202, { ok: true, sync: 'triggered' });
      },
      (err: unknown) => reply(400, { error: String(err) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
