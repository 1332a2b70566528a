import { hostname } from 'node:os';
import { connectPlane, desiredProjection, ensureStream, natsSettingsFromFlags, runProjection, STREAMS } from '@plane/backbone';
import { repoToken, subjects } from '@plane/events';
import {
  COMMON_FLAGS,
  ConfigError,
  createLogger,
  createMetricsRegistry,
  helpText,
  isLogLevel,
  parseFlags,
  readSecretFile,
  runMain,
  startHealthServer,
  untilSignal,
  type FlagSpec,
} from '@plane/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';
import { GitSource, redactUrl } from '@plane/git';
import { formatSyncResult } from './report.js';
import { Syncer, type SyncResult } from './syncer.js';
import { startWebhookServer } from './webhook.js';

const FLAGS: FlagSpec[] = [
  { name: 'repo', type: 'string', required: true, description: 'Git repository: a path, file://, https:// or ssh URL' },
  { name: 'branch', type: 'string', default: 'main', description: 'branch to follow' },
  { name: 'path', type: 'string', default: 'platform-config', description: 'folder of the declarations in the repository' },
  { name: 'interval', type: 'duration', default: '30s', description: 'poll interval' },
  { name: 'once', type: 'bool', description: 'sync once, print what was recorded, exit (0 synced or unchanged, 1 rejected)' },
  { name: 'webhook-listen', type: 'string', description: 'HOST:PORT of the push webhook (POST, X-Hub-Signature-256)' },
  { name: 'webhook-secret-file', type: 'string', description: 'file holding the webhook HMAC secret (required with --webhook-listen)' },
  { name: 'git-token-file', type: 'string', description: 'file holding an https token (or set PLANE_GIT_TOKEN)' },
  { name: 'git-token', type: 'string', description: 'https token; only from the environment (PLANE_GIT_TOKEN), never as a flag' },
  { name: 'ssh-key-file', type: 'string', description: 'private key for ssh URLs' },
  { name: 'repo-name', type: 'string', description: 'name of the repository in subjects (default: from the URL)' },
  { name: 'cache-dir', type: 'string', description: 'where the bare Git cache lives (default: the temp folder)' },
  ...COMMON_FLAGS,
];

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--git-token') || argv.some((a) => a.startsWith('--git-token='))) {
    throw new ConfigError('--git-token is not accepted on the command line (it would show in the process list): set PLANE_GIT_TOKEN or use --git-token-file');
  }
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(helpText('gitops-sync', 'Git declarations -> validated events on NATS JetStream', FLAGS) + '\n');
    return 0;
  }
  const logLevel = String(f['log-level']);
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level: "${logLevel}" is not a level (fatal, error, warn, info, debug, trace, silent)`);
  if (f['webhook-listen'] && !f['webhook-secret-file']) throw new ConfigError('--webhook-listen needs --webhook-secret-file (the HMAC secret)');
  const intervalMs = f.interval as number;
  if (intervalMs < 1000) throw new ConfigError('--interval must be at least 1s');
  const webhookSecret = f['webhook-secret-file'] ? readSecretFile(String(f['webhook-secret-file'])) : undefined;
  const token = f['git-token-file'] ? readSecretFile(String(f['git-token-file'])) : (f['git-token'] as string | undefined);
  const repoUrl = String(f.repo);
  const repo = f['repo-name'] ? String(f['repo-name']) : repoToken(repoUrl);
  if (!/^[a-z0-9_-]{1,64}$/.test(repo)) throw new ConfigError(`--repo-name: "${repo}" must be [a-z0-9_-], 1..64 characters`);
  const path = String(f.path).replace(/^\/+|\/+$/g, '');
  const once = Boolean(f.once);

  const log = createLogger('gitops-sync', logLevel);
  const git = new GitSource({
    url: repoUrl,
    branch: String(f.branch),
    ...(token ? { token } : {}),
    ...(f['ssh-key-file'] ? { sshKeyFile: String(f['ssh-key-file']) } : {}),
    ...(f['cache-dir'] ? { cacheDir: String(f['cache-dir']) } : {}),
  });
  const plane = await connectPlane({ ...natsSettingsFromFlags(f, `gitops-sync ${hostname()}`), reconnectForever: !once });
  await ensureStream(plane.jsm, STREAMS.declarations);
  const projection = await runProjection(plane.nc, plane.js, plane.jsm, desiredProjection, {
    onError: (err) => log.error({ err: String(err) }, 'desired projection: event not applied'),
    onTrouble: (message) => log.warn(message),
  });
  const syncer = new Syncer({ plane, git, repo, path, log, recorder: `gitops-sync@${hostname()}` });

  if (once) {
    const result = await syncer.sync();
    if (result.seq !== undefined) await projection.waitFor(result.seq);
    process.stdout.write(formatSyncResult(result, repo));
    await projection.stop();
    await plane.close();
    return result.outcome === 'rejected' ? 1 : 0;
  }

  const registry = createMetricsRegistry('gitops-sync');
  const runs = new Counter({ name: 'gitops_sync_runs_total', help: 'Syncs by outcome', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({ name: 'gitops_sync_duration_seconds', help: 'Time of one sync', registers: [registry] });
  const declared = new Gauge({ name: 'gitops_sync_declarations', help: 'Declarations in force after the last sync', registers: [registry] });
  let lastError: string | undefined;
  let synced = false;
  const health = f['metrics-listen']
    ? await startHealthServer({
        listen: String(f['metrics-listen']),
        registry,
        ready: () => (plane.nc.isClosed() ? 'NATS connection closed' : !synced ? (lastError ?? 'first sync not done') : true),
      })
    : undefined;

  const trigger = async (reason: string): Promise<SyncResult | undefined> => {
    const end = duration.startTimer();
    try {
      const r = await syncer.sync();
      runs.inc({ outcome: r.outcome });
      if (r.inForce !== undefined) declared.set(r.inForce);
      synced = true;
      lastError = undefined;
      log.debug({ reason, outcome: r.outcome, commit: r.commit }, 'sync done');
      return r;
    } catch (err) {
      runs.inc({ outcome: 'error' });
      lastError = String((err as Error).message ?? err);
      log.error({ reason, err: lastError }, 'sync failed; the last good commit stays in force; retrying at the next trigger');
      return undefined;
    } finally {
      end();
    }
  };

  const sub = plane.nc.subscribe(`plane.ctl.sync`);
  const subOne = plane.nc.subscribe(subjects.syncRequest(repo));
  for (const s of [sub, subOne]) {
    void (async () => {
      for await (const m of s) {
        const r = await trigger('planectl sync');
        m.respond(new TextEncoder().encode(JSON.stringify(r ? { ok: true, repo, ...r } : { ok: false, repo, error: lastError })));
      }
    })();
  }
  const webhook = f['webhook-listen']
    ? await startWebhookServer({ listen: String(f['webhook-listen']), secret: webhookSecret!, branch: String(f.branch), log, onPush: (why) => void trigger(why) })
    : undefined;

  log.info({ repo, url: redactUrl(git.url), branch: git.branch, path, intervalMs, webhook: f['webhook-listen'] ?? null }, 'gitops-sync started');
  void trigger('start');
  const timer = setInterval(() => void trigger('poll'), intervalMs);
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  clearInterval(timer);
  webhook?.close();
  health?.close();
  sub.unsubscribe();
  subOne.unsubscribe();
  await projection.stop();
  await plane.close();
  return 0;
}

runMain('gitops-sync', main);
