// autoscaler: the lease holder decides (pure decider over declarations, node health, tfvars
// counts and outcomes) and emits drains and git-commit commands; every replica executes
// git-commit commands from the COMMANDS work queue.
import { join } from 'node:path';
import { acquireLease, BUCKETS, connectPlane, DesiredWatcher, ensureBucket, ensureStream, natsSettingsFromFlags, STREAMS } from '@plane/backbone';
import { createGitCommitExecutor } from '@plane/gitops';
import { createLogger, helpText, parseFlags, runMain, startHealthServer, untilSignal } from '@plane/runtime';
import { claimCacheDir } from './cache-dir.js';
import { GitCommitWorker } from './executor/git-commit-worker.js';
import { Leader } from './leader/leader.js';
import { NodePoolReader } from './leader/node-pools.js';
import { createAutoscalerMetrics } from './metrics.js';
import { FLAGS, refuseSecretFlags, settingsOf } from './settings.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  refuseSecretFlags(argv);
  // Help before the checks: `--help` alone must not fail on the missing --repo.
  if (argv.includes('--help')) {
    process.stdout.write(helpText('autoscaler', 'scale decisions -> node_count commits (push or pull request) through CI', FLAGS) + '\n');
    return 0;
  }
  const { values: f } = parseFlags(argv, FLAGS);
  const s = settingsOf(f);
  const cache = claimCacheDir(s.cacheDir, s.cacheDirExplicit);
  const source = `autoscaler@${s.instanceId}`;
  const log = createLogger('autoscaler', s.logLevel).child({ instance: s.instanceId });
  let leader: Leader | undefined;
  const metrics = createAutoscalerMetrics(async () => (leader ? leader.lags() : []));

  const plane = await connectPlane(natsSettingsFromFlags(f, `autoscaler ${s.instanceId}`));
  for (const def of [STREAMS.declarations, STREAMS.nodes, STREAMS.decisions, STREAMS.commands, STREAMS.outcomes]) await ensureStream(plane.jsm, def);
  const desired = new DesiredWatcher(await ensureBucket(plane.nc, BUCKETS.desired), 50, {
    onTrouble: (message, err) => log.warn(err === undefined ? {} : { err: err instanceof Error ? err.message : String(err) }, message),
  });
  await desired.start();
  const leases = await ensureBucket(plane.nc, { ...BUCKETS.leases, ttlMs: s.leaseTtlMs });

  const credentials = { ...(s.gitToken ? { token: s.gitToken } : {}), ...(s.sshKeyFile ? { sshKeyFile: s.sshKeyFile } : {}) };
  const gitLog = log.child({ role: 'git-commit-executor' });
  const executor = createGitCommitExecutor({
    push: { url: s.repoUrl, cacheDir: join(cache.path, 'write'), logger: gitLog, ...credentials },
    ...(s.githubToken ? { github: { token: s.githubToken, baseUrl: s.githubApiUrl, logger: gitLog } } : {}),
  });
  const pauseAfterEffectMs = Number(process.env.PLANE_AUTOSCALER_TEST_PAUSE_AFTER_EFFECT_MS ?? 0);
  const worker = s.dryRun
    ? undefined
    : new GitCommitWorker({
        plane,
        log: gitLog,
        executor,
        repo: s.repo,
        source,
        ackWaitMs: s.ackWaitMs,
        ...(pauseAfterEffectMs > 0 ? { pauseAfterEffectMs } : {}),
        onOutcome: (status) => metrics.outcomes.inc({ status }),
      });
  await worker?.start();

  const pools = new NodePoolReader({ url: s.repoUrl, cacheDir: join(cache.path, 'read'), ...credentials });
  const lease = acquireLease(leases, 'autoscaler', s.instanceId, { ttlMs: s.leaseTtlMs });
  const leaderLog = log.child({ role: 'leader' });
  let startFailures = 0;
  const startLeader = (): void => {
    const l = new Leader({
      plane,
      log: leaderLog,
      source,
      desired,
      pools,
      repo: s.repo,
      defaultBranch: s.branch,
      dryRun: s.dryRun,
      evaluateIntervalMs: s.evaluateIntervalMs,
      prPollMs: s.prPollMs,
      ...(executor.pullRequests ? { pullRequests: executor.pullRequests } : {}),
      isLeader: () => lease.isHolder(),
      onDecision: (e) => metrics.decisions.inc({ type: e.type }),
      onEffect: (kind, n) => metrics.commands.inc({ kind }, n),
      onPass: (report, seconds) => {
        metrics.evaluateSeconds.observe(seconds);
        metrics.evaluations.inc({ result: report.failed > 0 ? 'partial' : 'ok' });
        metrics.services.set(report.services);
      },
      onPassError: () => metrics.evaluations.inc({ result: 'error' }),
    });
    leader = l;
    l.start().then(
      () => {
        startFailures = 0;
      },
      (err: unknown) => {
        // Starting needs JetStream; while it is briefly unavailable keep trying as long as we lead.
        startFailures++;
        const retryMs = Math.min(10_000, 500 * 2 ** Math.min(startFailures, 5));
        leaderLog.error({ err: (err as Error).message, attempt: startFailures, retry_in_ms: retryMs }, 'leader failed to start; trying again');
        void l.stop();
        if (leader === l) leader = undefined;
        setTimeout(() => {
          if (lease.isHolder() && leader === undefined) startLeader();
        }, retryMs);
      },
    );
  };
  desired.onChange(() => leader?.poke());
  lease.onChange((holder) => {
    metrics.leader.set(holder ? 1 : 0);
    if (holder) {
      log.info('lease acquired: this replica decides');
      startLeader();
    } else {
      log.warn('lease lost: standing by (the git-commit executor keeps running)');
      const l = leader;
      leader = undefined;
      void l?.stop();
    }
  });

  const health = s.metricsListen
    ? await startHealthServer({
        listen: s.metricsListen,
        registry: metrics.registry,
        ready: () => {
          if (plane.nc.isClosed()) return 'NATS connection closed';
          if (worker && !worker.isStarted()) return 'git-commit executor not started';
          if (lease.isHolder()) return leader ? leader.readiness() : 'leader starting';
          // Until the first try for the lease, this replica may be about to lead with nothing loaded.
          if (!lease.settled()) return 'lease not tried yet';
          return true;
        },
      })
    : undefined;
  log.info({ repo: s.repo, branch: s.branch, dryRun: s.dryRun, cacheDir: cache.path, leaseTtlMs: s.leaseTtlMs, evaluateIntervalMs: s.evaluateIntervalMs, github: Boolean(s.githubToken) }, 'autoscaler started');

  await untilSignal();
  await lease.release();
  await leader?.stop();
  await worker?.stop();
  desired.stop();
  health?.close();
  await plane.close();
  cache.release();
  return 0;
}

runMain('autoscaler', main);
