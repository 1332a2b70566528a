// Push mode over HTTP(S) with a token: git's own smart-HTTP server (`git http-backend` behind
// node:http) checks that the token arrives as a Basic authorization header, and the test checks
// that it is never written to the cache's config nor shown in an error.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitCommandError } from '../src/push/git-cli.js';
import { command, JP, pushFixture, type PushFixture } from './push-fixture.js';

const TOKEN = 'ghs_s3cr3tT0kenValue';

interface GitHttpServer {
  url: string;
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/** Serves `<root>/<name>.git` through git http-backend (CGI); refuses requests without the token. */
async function startGitHttpServer(root: string): Promise<GitHttpServer> {
  const authorizations: Array<string | undefined> = [];
  const expected = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://git');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: 'x-access-token', // enables receive-pack (push)
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const headerText = out.subarray(0, split).toString('utf8');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of headerText.split('\r\n')) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        if (key === 'status') status = Number(value.split(' ')[0]);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.end(out.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('push mode over http with a token', () => {
  let f: PushFixture;
  let http: GitHttpServer;
  beforeEach(async () => {
    f = pushFixture();
    http = await startGitHttpServer(dirname(f.repo.remote));
  });
  afterEach(async () => {
    await http.close();
    f.dispose();
  });

  it('authenticates through the environment, and the token reaches no file in the cache', async () => {
    const outcome = await f.executor({ url: `${http.url}/remote.git`, token: TOKEN }).execute(command());
    expect(outcome.status).toBe('committed');
    expect(f.remoteFile(JP)).toContain('node_count    = 3');
    expect(http.authorizations.length).toBeGreaterThan(0);
    expect(http.authorizations.every((a) => a === `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`)).toBe(true);
    for (const file of filesUnder(f.caches)) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(TOKEN), file).toBe(false);
      expect(text.includes(Buffer.from(`x-access-token:${TOKEN}`).toString('base64')), file).toBe(false);
    }
  });

  it('a refused token is a GitCommandError that does not repeat the token', async () => {
    const err = await f
      .executor({ url: `${http.url}/remote.git`, token: 'wrong-token' })
      .execute(command())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as Error).message).toMatch(/git fetch failed/);
    expect((err as Error).message).not.toContain('wrong-token');
  });
});
