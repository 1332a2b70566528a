// A real nginx for the tests: unprivileged-friendly, in a temporary prefix, on a loopback port,
// plus wrapper scripts that count reloads and can simulate a failing `nginx -t`.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { join } from 'node:path';
import { requireBinary, waitFor } from '@plane/testkit';

export interface NginxHandle {
  dir: string;
  port: number;
  conf: string;
  upstreamsFile: string;
  /** argv-ready command lines for gateway-sync. */
  reloadCommand: string;
  testCommand: string;
  /** Reload commands run so far (lines in the wrapper's log). */
  reloads(): number;
  /** Makes the test command fail (a bad render) until cleared. */
  failTests(fail: boolean): void;
  masterPid(): number;
  workerPids(): number[];
  log: string[];
  stop(): Promise<void>;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startNginx(dir: string, port: number, initialUpstreams: string): Promise<NginxHandle> {
  const bin = requireBinary('nginx', 'nginx-light');
  const conf = join(dir, 'nginx.conf');
  const upstreamsFile = join(dir, 'conf.d', 'plane-upstreams.conf');
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(upstreamsFile, initialUpstreams);
  const isRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    [
      'worker_processes 1;',
      // As root, workers would drop to nobody, who cannot enter the temporary prefix.
      ...(isRoot ? ['user root;'] : []),
      `pid ${join(dir, 'nginx.pid')};`,
      'error_log stderr notice;',
      'events { worker_connections 128; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, 'tmp', t)};`),
      `  include ${join(dir, 'conf.d', '*.conf')};`,
      `  server { listen 127.0.0.1:${port}; location / { proxy_pass http://plane_svc_jp; proxy_next_upstream off; } }`,
      '}',
      '',
    ].join('\n'),
  );
  const base = `${sh(bin)} -e stderr -c ${sh(conf)} -p ${sh(dir + '/')}`;
  const reloadLog = join(dir, 'reloads.log');
  const failFlag = join(dir, 'fail-test');
  const reloadScript = join(dir, 'reload.sh');
  writeFileSync(reloadScript, `#!/bin/sh\necho reload >> ${sh(reloadLog)}\nexec ${base} -s reload\n`);
  const testScript = join(dir, 'test.sh');
  writeFileSync(testScript, `#!/bin/sh\nif [ -e ${sh(failFlag)} ]; then echo "simulated: the configuration file test failed" >&2; exit 1; fi\nexec ${base} -t -q\n`);
  chmodSync(reloadScript, 0o755);
  chmodSync(testScript, 0o755);

  const log: string[] = [];
  const child: ChildProcess = spawn(bin, ['-e', 'stderr', '-c', conf, '-p', dir + '/', '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    log.push(...b.toString().split('\n').filter(Boolean));
    if (log.length > 500) log.splice(0, log.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const workerPids = () => {
    const master = child.pid!;
    const out: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === master) out.push(Number(name));
      } catch {
        // gone meanwhile
      }
    }
    return out.sort((x, y) => x - y);
  };
  await waitFor(`nginx on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${log.slice(-5).join(' | ')}`);
    return (await request(port).then(() => true, () => false)) && workerPids().length > 0;
  }, 10_000);
  return {
    dir,
    port,
    conf,
    upstreamsFile,
    reloadCommand: reloadScript,
    testCommand: testScript,
    reloads: () => {
      try {
        return readFileSync(reloadLog, 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
    failTests: (fail) => {
      if (fail) writeFileSync(failFlag, 'x');
      else rmSync(failFlag, { force: true });
    },
    masterPid: () => child.pid!,
    workerPids,
    log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** One request through nginx on a fresh connection: status and body. */
export function request(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Which backends answer n requests through nginx (name -> count; `<status>` for errors). */
export async function spread(port: number, n = 12): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await request(port);
    const who = r.status === 200 ? r.body : `<${r.status}>`;
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  return seen;
}

export interface Backends {
  port: number;
  servers: Server[];
  close(): Promise<void>;
}

/** HTTP servers that answer their own name, one per loopback IP, all on the same port. */
export async function startBackends(named: Record<string, string>, freePort: (host: string) => Promise<number>): Promise<Backends> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ips = Object.values(named);
    const port = await freePort(ips[0]!);
    const servers: Server[] = [];
    try {
      for (const [name, ip] of Object.entries(named)) {
        const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(name));
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(port, ip, () => resolve());
        });
        servers.push(s);
      }
      return { port, servers, close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined) };
    } catch {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  }
  throw new Error('no port free on every backend IP');
}
