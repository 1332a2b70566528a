// System `git`, driven without a shell and without prompts. Credentials travel in the
// environment only (an https token as an `http.extraHeader` through GIT_CONFIG_*, an ssh key
// through GIT_SSH_COMMAND), never in argv, never in a stored config, never in an error message.
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';

export interface GitCredentials {
  /** https remotes: sent as HTTP basic auth (x-access-token:TOKEN). */
  token?: string;
  /** ssh remotes: the private key file. */
  sshKeyFile?: string;
  /** ssh remotes: a known_hosts file to check the server against (strict checking when given). */
  sshKnownHostsFile?: string;
}

export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    message: string,
    /** The git subcommand that failed (`fetch`, `push`, ...). */
    readonly command: string,
    readonly exitCode: number | null,
    /** Transport trouble (network, remote hang-up, timeout) that a later retry may not meet. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Removes credentials from anything that could carry a URL. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(https?:\/\/)[^@/\s]+@/gi, '$1');
  for (const s of secrets) if (s !== '') out = out.split(s).join('[REDACTED]');
  return out;
}

export function normalizeRemoteUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^:]+:/.test(url)) return url;
  return isAbsolute(url) ? url : resolve(url);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const TRANSIENT = /could not resolve host|connection (refused|reset|timed out)|timed out|remote end hung up|early eof|the remote end|unable to access|failed to connect|temporarily unavailable|rpc failed|broken pipe|ssh: connect to host/i;

export class GitCli {
  private readonly env: NodeJS.ProcessEnv;
  private readonly secrets: string[];

  constructor(
    private readonly gitDir: string,
    credentials: GitCredentials = {},
    private readonly timeoutMs = 120_000,
    identity?: { name: string; email: string },
  ) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
      LC_ALL: 'C',
    };
    // Set through the environment, these reach every git process of this call, and nothing is stored on disk.
    const config: Array<[string, string]> = [];
    this.secrets = [];
    if (credentials.token) {
      const basic = Buffer.from(`x-access-token:${credentials.token}`).toString('base64');
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
      this.secrets.push(credentials.token, basic);
    }
    // Inherited repository settings (a process started from a git hook has them) would point git elsewhere.
    for (const key of Object.keys(env)) {
      if (/^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+|PARAMETERS)$/.test(key) || /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE|COMMON_DIR)$/.test(key)) delete env[key];
    }
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    if (config.length > 0) env.GIT_CONFIG_COUNT = String(config.length);
    if (credentials.sshKeyFile) {
      const known = credentials.sshKnownHostsFile
        ? ` -o UserKnownHostsFile=${shellQuote(credentials.sshKnownHostsFile)} -o StrictHostKeyChecking=yes`
        : '';
      env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(credentials.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes${known}`;
    }
    if (identity) {
      env.GIT_AUTHOR_NAME = identity.name;
      env.GIT_AUTHOR_EMAIL = identity.email;
      env.GIT_COMMITTER_NAME = identity.name;
      env.GIT_COMMITTER_EMAIL = identity.email;
    }
    this.env = env;
  }

  /** Runs `git --git-dir DIR args...`; resolves with the exit code instead of throwing. */
  exec(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
    return new Promise((resolvePromise, reject) => {
      const child = execFile(
        'git',
        ['--git-dir', this.gitDir, ...args],
        { env: { ...this.env, ...opts.env }, timeout: this.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer', windowsHide: true },
        (err, stdout, stderr) => {
          const stderrText = redact(stderr.toString('utf8'), this.secrets);
          if (err && typeof err.code !== 'number') {
            // Not an exit status: git is missing, or it was killed by the timeout.
            const killed = err.killed || err.signal !== null;
            reject(new GitCommandError(`git ${args[0]} ${killed ? `timed out after ${this.timeoutMs} ms` : `could not run: ${redact(err.message, this.secrets)}`}`, args[0] ?? '', null, killed));
            return;
          }
          resolvePromise({ code: err ? (err.code as number) : 0, stdout, stderr: stderrText });
        },
      );
      // git may exit before reading its stdin (an error, or a command that takes none): not our failure.
      child.stdin?.on('error', () => undefined);
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  /** Runs git and returns stdout as text; a non-zero exit is a GitCommandError. */
  async run(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    const r = await this.exec(args, opts);
    if (r.code !== 0) throw this.failure(args, r);
    return r.stdout.toString('utf8');
  }

  failure(args: string[], r: GitResult): GitCommandError {
    const detail = r.stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${r.code}`;
    return new GitCommandError(`git ${args[0]} failed: ${detail}`, args[0] ?? '', r.code, TRANSIENT.test(r.stderr));
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }
}
