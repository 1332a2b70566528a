// Flags (each also PLANE_<NAME>) and their checks: a bad setting stops the program at start
// with one line and exit code 2.
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoToken } from '@plane/events';
import { COMMON_FLAGS, ConfigError, isLogLevel, readSecretFile, type FlagSpec, type FlagValues } from '@plane/runtime';

export const FLAGS: FlagSpec[] = [
  { name: 'repo', type: 'string', required: true, description: 'Git repository holding infra/node-pool/*.tfvars: a path, file://, https:// or ssh URL' },
  { name: 'branch', type: 'string', default: 'main', description: 'branch read and written when a policy names none (its git.branch wins)' },
  { name: 'evaluate-interval', type: 'duration', default: '5s', description: 'how often the leader evaluates every policy (also soon after nodes or declarations change)' },
  { name: 'dry-run', type: 'bool', description: 'decide and record decisions, but publish no git-commit commands and no drains (and execute none)' },
  { name: 'github-api-url', type: 'string', default: 'https://api.github.com', description: 'GitHub REST API root for pull_request mode (a GHES /api/v3 or a stand-in)' },
  { name: 'github-token-file', type: 'string', description: 'file holding the GitHub token for pull_request mode (or set PLANE_GITHUB_TOKEN)' },
  { name: 'github-token', type: 'string', description: 'GitHub token; only from the environment (PLANE_GITHUB_TOKEN), never as a flag' },
  { name: 'git-token-file', type: 'string', description: 'file holding an https token for --repo (or set PLANE_GIT_TOKEN)' },
  { name: 'git-token', type: 'string', description: 'https token for --repo; only from the environment (PLANE_GIT_TOKEN), never as a flag' },
  { name: 'ssh-key-file', type: 'string', description: 'private key for an ssh --repo' },
  { name: 'repo-name', type: 'string', description: 'the repository in subjects, cmd.git.<repo> and git.<status>.<repo> (default: from the URL)' },
  { name: 'cache-dir', type: 'string', description: 'where the Git caches live, one replica per directory (default: <tmp>/plane-autoscaler, or the next free -N)' },
  { name: 'lease-ttl', type: 'duration', default: '10s', description: 'leader lease TTL: a standby takes over within it when the leader dies' },
  { name: 'ack-wait', type: 'duration', default: '30s', description: 'a git-commit command not acked within this (its executor died) is redelivered' },
  { name: 'pr-poll-interval', type: 'duration', default: '30s', description: 'pull_request mode: how often an open pull request is checked for its merge' },
  { name: 'instance-id', type: 'string', description: "this replica's name in the lease and in event sources (default: hostname-pid)" },
  ...COMMON_FLAGS,
];

export interface Settings {
  repoUrl: string;
  repo: string;
  branch: string;
  evaluateIntervalMs: number;
  dryRun: boolean;
  githubApiUrl: string;
  githubToken: string | undefined;
  gitToken: string | undefined;
  sshKeyFile: string | undefined;
  cacheDir: string;
  cacheDirExplicit: boolean;
  leaseTtlMs: number;
  ackWaitMs: number;
  prPollMs: number;
  instanceId: string;
  logLevel: string;
  metricsListen: string | undefined;
}

/** Secrets never come as flag values: they would show in the process list. */
export function refuseSecretFlags(argv: readonly string[]): void {
  for (const name of ['github-token', 'git-token']) {
    if (argv.includes(`--${name}`) || argv.some((a) => a.startsWith(`--${name}=`))) {
      throw new ConfigError(`--${name} is not accepted on the command line (it would show in the process list): set PLANE_${name.replace('-', '_').toUpperCase()} or use --${name}-file`);
    }
  }
}

const BRANCH = /^(?![/.-])(?!.*(?:\.\.|\/\/|@\{|\.lock$|[/.]$))[^\s~^:?*[\\\x00-\x1f\x7f]+$/;

export function settingsOf(f: FlagValues): Settings {
  const logLevel = String(f['log-level']);
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level: "${logLevel}" is not a level (fatal, error, warn, info, debug, trace, silent)`);
  const repoUrl = String(f.repo).trim();
  if (repoUrl === '') throw new ConfigError('--repo must not be empty');
  if (/^https?:\/\/[^/@]+@/i.test(repoUrl)) throw new ConfigError('--repo must not carry credentials: use --git-token-file or PLANE_GIT_TOKEN');
  const repo = f['repo-name'] ? String(f['repo-name']) : repoToken(repoUrl);
  if (!/^[a-z0-9_-]{1,64}$/.test(repo)) throw new ConfigError(`--repo-name: "${repo}" must be [a-z0-9_-], 1..64 characters`);
  const branch = String(f.branch);
  if (!BRANCH.test(branch)) throw new ConfigError(`--branch: "${branch}" is not a valid branch name`);
  const evaluateIntervalMs = f['evaluate-interval'] as number;
  if (evaluateIntervalMs < 100) throw new ConfigError('--evaluate-interval must be at least 100ms');
  const leaseTtlMs = f['lease-ttl'] as number;
  if (leaseTtlMs < 1000) throw new ConfigError('--lease-ttl must be at least 1s');
  const ackWaitMs = f['ack-wait'] as number;
  if (ackWaitMs < 1000) throw new ConfigError('--ack-wait must be at least 1s');
  const prPollMs = f['pr-poll-interval'] as number;
  if (prPollMs < 1000) throw new ConfigError('--pr-poll-interval must be at least 1s');
  const githubApiUrl = String(f['github-api-url']);
  if (!/^https?:\/\/[^\s]+$/i.test(githubApiUrl)) throw new ConfigError(`--github-api-url: "${githubApiUrl}" is not an http(s) URL`);
  const githubToken = f['github-token-file'] ? readSecretFile(String(f['github-token-file'])) : (f['github-token'] as string | undefined)?.trim() || undefined;
  const gitToken = f['git-token-file'] ? readSecretFile(String(f['git-token-file'])) : (f['git-token'] as string | undefined)?.trim() || undefined;
  const instanceId = f['instance-id'] ? String(f['instance-id']) : `${hostname()}-${process.pid}`;
  return {
    repoUrl,
    repo,
    branch,
    evaluateIntervalMs,
    dryRun: Boolean(f['dry-run']),
    githubApiUrl,
    githubToken,
    gitToken,
    sshKeyFile: f['ssh-key-file'] ? String(f['ssh-key-file']) : undefined,
    cacheDir: f['cache-dir'] ? String(f['cache-dir']) : join(tmpdir(), 'plane-autoscaler'),
    cacheDirExplicit: Boolean(f['cache-dir']),
    leaseTtlMs,
    ackWaitMs,
    prPollMs,
    instanceId,
    logLevel,
    metricsListen: f['metrics-listen'] ? String(f['metrics-listen']) : undefined,
  };
}
