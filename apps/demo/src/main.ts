// plane-demo: the closed loop on one machine (see options.ts USAGE and apps/demo/README.md).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aborted, Display, Fatal, StepTimeout } from './display.js';
import { parseOptions, USAGE, UsageError, type Options } from './options.js';
import { Scenario } from './scenario.js';
import { logTail, World, type AppName } from './world.js';

const root = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

function planectl(world: World, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [world.bin('planectl'), ...args, '--nats-url', world.natsUrl], { env: world.env, encoding: 'utf8', timeout: 60_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** warn/error lines of a pino log (or its last lines when it has none). */
function problems(file: string, n = 6): string[] {
  const all = logTail(file, 400);
  const bad = all.filter((l) => /"level":(4|5|6)\d/.test(l) || /error|Error/.test(l));
  return (bad.length > 0 ? bad : all).slice(-n);
}

function printLogs(d: Display, procs: { name: string; logFile: string }[]): void {
  for (const p of procs) {
    const lines = problems(p.logFile);
    if (lines.length === 0) continue;
    d.raw(d.dim(`  --- ${p.name} (${p.logFile}), last problems:`));
    for (const l of lines) d.raw(d.dim(`      ${l}`));
  }
}

function commands(d: Display, world: World, running: boolean): void {
  if (!world.nats) return;
  const url = world.natsUrl;
  d.raw('');
  d.raw(d.bold(running ? 'Everything keeps running. Try (Ctrl-C stops it all):' : 'The streams stay on disk. To read them:'));
  if (!running) d.raw(`  nats-server -c ${join(world.nats.storeDir, 'nats.conf')} &    # the demo's NATS again, same store and port`);
  d.raw(`  export PLANE_NATS_URL=${url}`);
  d.raw(`  npx planectl events --stream DECISIONS --subject 'autoscale.decided.>'`);
  d.raw(`  npx planectl events --stream NODES --subject 'node.svc-plus.jp.*.state'`);
  d.raw(`  npx planectl events --stream DECISIONS --subject 'gtm.decision.>'`);
  d.raw(`  npx planectl replay --verify`);
  d.raw(`  npx planectl status`);
  d.raw(`  git --git-dir ${world.repo?.remote ?? '<remote>'} log --oneline main      # the autoscaler's commits`);
  if (running) d.raw(`  ${world.dns.dig}`);
  d.raw(d.dim(`  logs: ${world.logs}`));
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`plane-demo: ${err.message} (--help for usage)\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const d = new Display({ ci: opts.ci });
  d.header(`plane demo: Git holds only declarations; the control plane derives; CI makes the changes${opts.ci ? '  (--ci)' : ''}`);
  const world = new World(root, opts, d);
  const scenario = new Scenario(world);

  let interrupted: string | undefined;
  let release: (() => void) | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting.
      world.supervisor.killAllNow();
      process.exit(130);
    }
    interrupted = sig;
    d.abort = new Aborted(sig);
    release?.();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  let ok = false;
  let code = 1;
  try {
    await world.start();
    await scenario.run();
    ok = true;
    code = 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    code = err instanceof Aborted ? 130 : 1;
    scenario.fail(message);
    d.close();
    if (err instanceof Aborted) d.fail(`interrupted (${err.signal}): stopping every process`);
    else {
      d.fail(message);
      if (err instanceof Fatal && err.logs.length > 0) printLogs(d, err.logs);
      else if (err instanceof StepTimeout || !(err instanceof Fatal)) {
        printLogs(d, (['autoscaler', 'gtm-controller', 'prober', 'api', 'gitops-sync'] as AppName[]).map((a) => world.apps.get(a)).filter((p) => p !== undefined));
      }
      if (!(err instanceof Fatal) && !(err instanceof StepTimeout) && err instanceof Error && err.stack) d.raw(d.dim(err.stack));
    }
  }

  if (scenario.steps.length > 0) for (const l of scenario.summary(ok)) d.raw(l);

  if (ok) {
    const replay = await planectl(world, ['replay', '--verify']);
    const last = replay.out.trim().split('\n').filter(Boolean).at(-1) ?? '';
    if (replay.code === 0) d.ok(`planectl replay --verify: ${last}`);
    else d.warn(`planectl replay --verify exited ${replay.code}: ${last}`);
    if (!opts.ci) {
      const status = await planectl(world, ['status']);
      d.raw(d.bold('\nplanectl status'));
      d.raw(status.out.trimEnd());
    }
  }

  if (ok && opts.keepRunning && !interrupted) {
    commands(d, world, true);
    await new Promise<void>((resolve) => (release = resolve));
  }
  d.close();
  d.raw(d.dim(`stopping ${world.supervisor.running().length} processes, NATS and PowerDNS ...`));
  await world.stop();
  commands(d, world, false);
  if (ok) d.raw(d.green('\ndemo passed: every step was observed'));
  else d.raw(d.red(`\ndemo failed${interrupted ? ' (interrupted)' : ''}: every process it started is stopped`));
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`plane-demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
