// The demo's flags and timings.
import { parseArgs } from 'node:util';
import type { DeclaredTimings } from './platform.js';
import type { Profile } from './vms.js';

export interface Options {
  ci: boolean;
  keepRunning: boolean;
  workDir: string | undefined;
  /** Multiplies every bound a step may take (a slow machine). */
  timeoutFactor: number;
  help: boolean;
}

export const USAGE = `usage: plane-demo [--ci] [--keep-running] [--work-dir DIR] [--timeout-factor N]

The closed loop on this machine: NATS with JetStream, a real PowerDNS, a local Git remote holding
platform-config/ and infra/, plane-api, gitops-sync, prober, gtm-controller and autoscaler, and
simulated VMs (a tiny HTTP service on its own 127.0.0.x plus a real node-agent each) that a local
CI runner starts and stops as infra/node-pool/*.tfvars changes. Then the mission's scenario:
  1. jp and sg serve api.svc.plus (real DNS answers, shares near 100:10)
  2. jp's load rises to cpu 0.82: the autoscaler commits scale_out 2 -> 3, CI starts jp-2, it joins DNS
  3. a jp node is killed: it leaves DNS
  4. the load drops: jp-2 is drained out of DNS, scale_in 3 -> 2 is committed, CI stops jp-2

  --ci               no spinner, fewer lines, no pauses for the viewer (also when CI=true)
  --keep-running     leave everything up after the scenario (Ctrl-C stops it)
  --work-dir DIR     where the NATS store, the Git remote and the logs go (default: a new temp dir)
  --timeout-factor N multiply every step's time bound by N (default 1)

Exit 0 only when every step was observed; 1 when one was not (every process is stopped); 2 on a
usage error.`;

export class UsageError extends Error {}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ci: { type: 'boolean' },
        'no-ci': { type: 'boolean' },
        'keep-running': { type: 'boolean' },
        'work-dir': { type: 'string' },
        'timeout-factor': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const factor = v['timeout-factor'] === undefined ? 1 : Number(v['timeout-factor']);
  if (!Number.isFinite(factor) || factor < 0.5 || factor > 20) throw new UsageError(`--timeout-factor: "${v['timeout-factor']}" must be a number from 0.5 to 20`);
  const ciEnv = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return {
    ci: Boolean(v.ci) || (ciEnv && !v['no-ci']),
    keepRunning: Boolean(v['keep-running']),
    workDir: v['work-dir'],
    timeoutFactor: factor,
    help: Boolean(v.help),
  };
}

/**
 * The timings written into the demo's declarations (all within DURATION_LIMITS). The heartbeat
 * timeout stays above gtm-controller's 10 s spacing of unchanged `nodes` bucket writes: the
 * autoscaler reads the nodes' last heartbeat from that bucket and ignores older metrics.
 */
export const DECLARED: DeclaredTimings = {
  health: { interval: '1s', timeout: '500ms', heartbeat_timeout: '12s', window: '2s', rise: 2, fall: 3 },
  autoscale: { window: '10s', cooldown: '20s', scale_down_stabilization: '10s', provision_timeout: '90s', warmup: '0s', drain: '2s' },
  ttl: 1,
};

export const HEARTBEAT_INTERVAL = '1s';
/** Between stopping an agent and starting it with a new load: longer than the health window. */
export const RESTART_GAP_MS = 3000;

/** The loads the simulated VMs report. */
export const LOAD = {
  normal: { cpu: 0.5, ram: 0.5, qps: 400, rtt_ms: 20, error_rate: 0 },
  hot: { cpu: 0.82, ram: 0.5, qps: 400, rtt_ms: 20, error_rate: 0 },
  /** jp's load of two hot nodes spread over three. */
  spread: { cpu: 0.55, ram: 0.5, qps: 267, rtt_ms: 20, error_rate: 0 },
  low: { cpu: 0.1, ram: 0.2, qps: 50, rtt_ms: 20, error_rate: 0 },
} satisfies Record<string, Profile>;

/** How long each thing may take before the step fails (times the --timeout-factor). */
export const BOUNDS = {
  appStart: 60_000,
  declarations: 60_000,
  initialDns: 90_000,
  scaleOutCommit: 90_000,
  vmStart: 60_000,
  registered: 60_000,
  inDns: 60_000,
  outOfDns: 60_000,
  scaleInDrain: 120_000,
  scaleInCommit: 60_000,
  vmStop: 60_000,
  completed: 45_000,
};
