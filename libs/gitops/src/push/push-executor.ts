// Push mode: apply a git-commit command to a branch with system git, exactly once in effect.
//
// Each attempt starts from the remote head just fetched (the equivalent of "fetch, reset --hard"
// in a private clone, done with plumbing in a bare cache so that no work tree can be left dirty by
// a crash): the decision trailer is looked for in the branch history (a redelivery finds it and
// does nothing), a newer decision on the same file makes this one superseded, the file's
// precondition is checked, and one commit is built on top of the head and pushed without force.
// A non-fast-forward rejection means someone else won the race: fetch again and start over.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidCommandError, parseGitCommitCommand, type GitCommitCommand, type GitCommitOutcome } from '../command.js';
import { silentLogger, type ExecutorLogger } from '../logger.js';
import { backoffDelayMs, realSleep, retryPolicy, type RetryPolicy, type Sleep } from '../retry.js';
import { NodeCountError, editNodeCount } from '../tfvars.js';
import { carriesDecision, commitMessage, DECISION_TRAILER, recordedSequence } from '../trailers.js';
import { GitCli, GitCommandError, normalizeRemoteUrl, redact, type GitCredentials } from './git-cli.js';
import { withLock } from './lock.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export const DEFAULT_AUTOSCALER_IDENTITY: GitIdentity = { name: 'plane-autoscaler', email: 'autoscaler@plane.invalid' };

export interface PushExecutorOptions extends GitCredentials {
  /** The remote: a local path, https://... (token in `token`, never in the URL) or ssh. */
  url: string;
  /** Parent of the per-remote caches (default: `<tmpdir>/plane-autoscaler-git`). One process per cache. */
  cacheDir?: string;
  /** Author and committer (default plane-autoscaler <autoscaler@plane.invalid>). */
  identity?: GitIdentity;
  /** Push attempts and backoff between non-fast-forward retries (default 5 attempts, 200 ms doubling, 5 s cap). */
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  /** Timeout of one git process (default 120 s). */
  timeoutMs?: number;
  /** Commits touching the file scanned for a newer decision's sequence (default 50). */
  historyDepth?: number;
  logger?: ExecutorLogger;
  /** Test seam: runs after the commit is built and before it is pushed. */
  beforePush?: (step: { attempt: number; command: GitCommitCommand; commit: string; parent: string }) => void | Promise<void>;
}

type PushResult = { kind: 'pushed' } | { kind: 'race'; detail: string } | { kind: 'refused'; detail: string };

class Refusal extends Error {}

export class PushExecutor {
  readonly url: string;
  private readonly gitDir: string;
  private readonly git: GitCli;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly historyDepth: number;
  private readonly log: ExecutorLogger;
  private readonly safeUrl: string;

  constructor(private readonly opts: PushExecutorOptions) {
    this.url = normalizeRemoteUrl(opts.url);
    if (/^https?:\/\/[^/@]+@/i.test(this.url)) throw new Error('put the https credentials in `token`, not in the URL (they would reach argv and logs)');
    this.safeUrl = redact(this.url);
    const id = createHash('sha256').update(this.url).digest('hex').slice(0, 16);
    this.gitDir = join(opts.cacheDir ?? join(tmpdir(), 'plane-autoscaler-git'), id);
    this.git = new GitCli(this.gitDir, opts, opts.timeoutMs ?? 120_000, opts.identity ?? DEFAULT_AUTOSCALER_IDENTITY);
    this.policy = retryPolicy(opts.retry);
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.historyDepth = opts.historyDepth ?? 50;
    this.log = opts.logger ?? silentLogger;
  }

  /**
   * Applies the command. Returns `committed`, `noop` (already applied, or the file already shows
   * the target), `superseded` (a newer decision already wrote the file) or `failed` (the
   * precondition does not hold, the file or branch is missing, the remote refused, or the race was
   * lost `maxAttempts` times). Throws GitCommandError for transport trouble (the caller retries).
   */
  execute(command: GitCommitCommand): Promise<GitCommitOutcome> {
    let cmd: GitCommitCommand;
    try {
      cmd = parseGitCommitCommand(command);
    } catch (e) {
      if (e instanceof InvalidCommandError) return Promise.resolve(failed(command.decision_id, e.message, 0));
      throw e;
    }
    if (cmd.mode !== 'push') return Promise.resolve(failed(cmd.decision_id, `mode is ${cmd.mode}; the push executor only pushes`, 0));
    return withLock(this.gitDir, () => this.apply(cmd));
  }

  private async apply(cmd: GitCommitCommand): Promise<GitCommitOutcome> {
    await this.ensureCache();
    const remoteRef = `refs/remotes/origin/${cmd.branch}`;
    const fields = { decision_id: cmd.decision_id, file: cmd.file, branch: cmd.branch, remote: this.safeUrl };
    let pushes = 0;
    for (let attempt = 1; ; attempt++) {
      let head: string;
      try {
        head = await this.fetch(cmd.branch, remoteRef);
      } catch (e) {
        if (e instanceof Refusal) return failed(cmd.decision_id, e.message, pushes);
        throw e;
      }

      const applied = await this.commitCarrying(head, cmd.decision_id);
      if (applied !== undefined) {
        this.log.info({ ...fields, sha: applied }, 'decision already applied');
        return { status: 'noop', decision_id: cmd.decision_id, sha: applied, reason: `decision ${cmd.decision_id} is already applied on ${cmd.branch} by commit ${applied} (its ${DECISION_TRAILER} trailer); nothing written`, attempts: pushes };
      }

      const newer = await this.newestDecisionOn(head, cmd.file);
      if (newer !== undefined && newer.seq > cmd.decision_seq) {
        return {
          status: 'superseded',
          decision_id: cmd.decision_id,
          sha: newer.sha,
          reason: `a newer decision (sequence ${newer.seq} > ${cmd.decision_seq}) already wrote ${cmd.file} in commit ${newer.sha}; this one would undo it`,
          attempts: pushes,
        };
      }

      const blob = await this.fileAt(head, cmd.file);
      if (blob === undefined) return failed(cmd.decision_id, `${cmd.file} does not exist on ${cmd.branch} at ${head}; nothing written`, pushes);
      let newText: string;
      try {
        const edit = editNodeCount(blob.text, cmd.from, cmd.to);
        if (!edit.changed) {
          return { status: 'noop', decision_id: cmd.decision_id, sha: head, reason: `${edit.reason} in ${cmd.file} on ${cmd.branch} at ${head}; nothing written`, attempts: pushes };
        }
        newText = edit.text;
      } catch (e) {
        if (e instanceof NodeCountError) return failed(cmd.decision_id, `${cmd.file} on ${cmd.branch} at ${head}: ${e.message}; nothing written`, pushes);
        throw e;
      }

      const commit = await this.buildCommit(head, cmd, blob.mode, newText);
      await this.opts.beforePush?.({ attempt, command: cmd, commit, parent: head });
      pushes++;
      const pushed = await this.push(commit, cmd.branch);
      if (pushed.kind === 'pushed') {
        this.log.info({ ...fields, sha: commit, attempt }, 'pushed');
        const retries = attempt - 1;
        return {
          status: 'committed',
          decision_id: cmd.decision_id,
          sha: commit,
          reason: `node_count ${cmd.from} -> ${cmd.to} in ${cmd.file} committed on ${cmd.branch} as ${commit}${retries > 0 ? ` after ${retries} lost race${retries > 1 ? 's' : ''} (non-fast-forward)` : ''}`,
          attempts: pushes,
        };
      }
      if (pushed.kind === 'refused') return failed(cmd.decision_id, `the remote refused the push to ${cmd.branch}: ${pushed.detail}; nothing written`, pushes);
      if (attempt >= this.policy.maxAttempts) {
        return failed(cmd.decision_id, `gave up after ${pushes} push attempts: ${cmd.branch} kept moving (${pushed.detail}); nothing written`, pushes);
      }
      const delay = backoffDelayMs(this.policy, attempt, this.random);
      this.log.warn({ ...fields, attempt, delay_ms: delay, detail: pushed.detail }, 'push lost a race; fetching again');
      await this.sleep(delay);
    }
  }

  private async ensureCache(): Promise<void> {
    if (existsSync(join(this.gitDir, 'HEAD'))) return;
    mkdirSync(this.gitDir, { recursive: true });
    await this.git.run(['init', '--bare', '-q']);
  }

  private async fetch(branch: string, remoteRef: string): Promise<string> {
    const args = ['fetch', '--quiet', '--force', '--no-tags', this.url, `+refs/heads/${branch}:${remoteRef}`];
    const r = await this.git.exec(args);
    if (r.code !== 0) {
      if (/couldn't find remote ref/i.test(r.stderr)) throw new Refusal(`branch ${branch} does not exist on the remote; nothing written`);
      throw this.git.failure(args, r);
    }
    // One refspec fetched: FETCH_HEAD's first line is "<sha>\t\tbranch '<b>' of <url>" (one process less than rev-parse).
    const head = readFileSync(join(this.gitDir, 'FETCH_HEAD'), 'utf8').split('\t')[0]!.trim();
    if (!/^[0-9a-f]{40,64}$/.test(head)) throw new GitCommandError(`git fetch left no usable FETCH_HEAD for ${branch}`, 'fetch', null, false);
    return head;
  }

  /** The commit in the branch history whose trailer names this decision. */
  private async commitCarrying(head: string, decisionId: string): Promise<string | undefined> {
    const out = await this.git.run(['log', '--fixed-strings', `--grep=${DECISION_TRAILER}: ${decisionId}`, '--format=%H%x00%B%x1e', head]);
    for (const entry of out.split('\x1e')) {
      const [sha, message] = entry.replace(/^\n/, '').split('\0');
      if (sha && message !== undefined && carriesDecision(message, decisionId)) return sha;
    }
    return undefined;
  }

  /** The sequence of the most recent autoscale commit that touched the file. */
  private async newestDecisionOn(head: string, file: string): Promise<{ seq: number; sha: string } | undefined> {
    const out = await this.git.run(['log', `-n${this.historyDepth}`, '--format=%H%x00%B%x1e', head, '--', file]);
    for (const entry of out.split('\x1e')) {
      const [sha, message] = entry.replace(/^\n/, '').split('\0');
      if (!sha || message === undefined) continue;
      const seq = recordedSequence(message);
      if (seq !== undefined) return { seq, sha };
    }
    return undefined;
  }

  private async fileAt(head: string, file: string): Promise<{ mode: string; text: string } | undefined> {
    const entry = (await this.git.run(['ls-tree', '-z', head, '--', file])).split('\0')[0];
    const m = entry ? /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(entry) : null;
    if (!m || m[2] !== 'blob' || m[1] === '120000') return undefined;
    const r = await this.git.exec(['cat-file', 'blob', m[3]!]);
    if (r.code !== 0) throw this.git.failure(['cat-file'], r);
    // latin1 maps every byte to one char and back: whatever the encoding, bytes we do not touch stay as they were.
    return { mode: m[1]!, text: r.stdout.toString('latin1') };
  }

  private async buildCommit(head: string, cmd: GitCommitCommand, mode: string, text: string): Promise<string> {
    const index = join(this.gitDir, `plane-index-${randomBytes(6).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      const blob = (await this.git.run(['hash-object', '-w', '--stdin'], { input: Buffer.from(text, 'latin1') })).trim();
      await this.git.run(['read-tree', head], { env });
      await this.git.run(['update-index', '--cacheinfo', `${mode},${blob},${cmd.file}`], { env });
      const tree = (await this.git.run(['write-tree'], { env })).trim();
      return (await this.git.run(['commit-tree', '--no-gpg-sign', tree, '-p', head], { input: commitMessage(cmd) })).trim();
    } finally {
      rmSync(index, { force: true });
    }
  }

  private async push(commit: string, branch: string): Promise<PushResult> {
    const args = ['push', '--porcelain', '--no-verify', this.url, `${commit}:refs/heads/${branch}`];
    const r = await this.git.exec(args);
    const out = this.git.redact(r.stdout.toString('utf8'));
    const status = out.split('\n').find((l) => /^[ +\-*!=]\t/.test(l));
    if (r.code === 0 && status !== undefined && !status.startsWith('!')) return { kind: 'pushed' };
    if (status?.startsWith('!')) {
      const summary = status.split('\t')[2]?.trim() ?? status;
      // Someone else moved the branch first; or two pushes met on the remote's ref lock.
      if (/\[rejected\].*(non-fast-forward|fetch first|stale info)/.test(summary) || /cannot lock ref|failed to update ref|incorrect old value/i.test(summary)) {
        return { kind: 'race', detail: summary };
      }
      return { kind: 'refused', detail: summary };
    }
    throw this.git.failure(args, r);
  }
}

function failed(decisionId: string, reason: string, attempts: number): GitCommitOutcome {
  return { status: 'failed', decision_id: decisionId, reason, attempts };
}

export { GitCommandError };
