// Push mode against real repositories: a bare remote and a work clone (testkit), system git.
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../testkit/src/git.js';
import { PushExecutor } from '../src/push/push-executor.js';
import { command, JP, JP_TEXT, pushFixture, SG, SG_COMMAND, SG_TEXT, type PushFixture } from './push-fixture.js';

describe('push mode', () => {
  let f: PushFixture;
  beforeEach(() => {
    f = pushFixture();
  });
  afterEach(() => f.dispose());

  it('commits exactly one commit: the message, the trailer, a one-line diff', async () => {
    const before = f.repo.head();
    const outcome = await f.executor().execute(command());
    expect(outcome).toMatchObject({ status: 'committed', decision_id: command().decision_id, attempts: 1 });
    expect(outcome.sha).toBe(f.repo.head());
    expect(git(f.repo.remote, 'rev-list', '--count', `${before}..main`)).toBe('1');
    expect(git(f.repo.remote, 'rev-parse', `${outcome.sha}^`)).toBe(before);
    expect(f.messageOf(outcome.sha!)).toBe(`autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)\n\nAutoscale-Decision: ${command().decision_id}\nAutoscale-Sequence: 10`);
    expect(git(f.repo.remote, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'main')).toBe('plane-autoscaler <autoscaler@plane.invalid>|plane-autoscaler <autoscaler@plane.invalid>');
    expect(git(f.repo.remote, 'diff', '--numstat', before, 'main')).toBe(`1\t1\t${JP}`);
    expect(git(f.repo.remote, 'diff', '-U0', before, 'main').split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual([
      '-node_count    = 2   # managed by the autoscaler',
      '+node_count    = 3   # managed by the autoscaler',
    ]);
    expect(f.remoteFile(JP)).toBe(JP_TEXT.replace('= 2 ', '= 3 ').trimEnd());
  });

  it('keeps CRLF, non-ASCII bytes and a missing final newline byte for byte', async () => {
    const outcome = await f.executor().execute(command(SG_COMMAND));
    expect(outcome.status).toBe('committed');
    const raw = execFileSync('git', ['cat-file', 'blob', `main:${SG}`], { cwd: f.repo.remote });
    expect(raw.equals(Buffer.from(SG_TEXT.replace('node_count = 1', 'node_count = 2'), 'utf8'))).toBe(true);
  });

  it('the same command again is a noop naming the commit, with no second commit', async () => {
    const first = await f.executor().execute(command());
    const head = f.repo.head();
    const again = await f.executor().execute(command());
    expect(again).toMatchObject({ status: 'noop', sha: first.sha, attempts: 0 });
    expect(again.reason).toContain(`already applied on main by commit ${first.sha}`);
    expect(f.repo.head()).toBe(head);
  });

  it('executor killed after the push but before the ack: the redelivery, on a fresh cache, is a noop', async () => {
    const first = await f.executor({}, 'before-crash').execute(command());
    expect(first.status).toBe('committed');
    // Someone else commits on top in the meantime: the decision is found in history, not only at the head.
    f.commitOnTop({ 'README.md': 'platform, edited\n' }, 'docs');
    const head = f.repo.head();
    const redelivered = await f.executor({}, 'after-restart').execute(command());
    expect(redelivered).toMatchObject({ status: 'noop', sha: first.sha });
    expect(f.repo.head()).toBe(head);
  });

  it('a command whose from does not match the file fails and leaves the remote untouched', async () => {
    const head = f.repo.head();
    const outcome = await f.executor().execute(command({ from: 4, to: 5 }));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0 });
    expect(outcome.reason).toContain('node_count is 2 on line 4, but the command expects 4 (and targets 5)');
    expect(f.repo.head()).toBe(head);
  });

  it('a file already at the target is a noop', async () => {
    f.repo.commit({ [JP]: JP_TEXT.replace('= 2 ', '= 3 ') }, 'by hand');
    const head = f.repo.head();
    const outcome = await f.executor().execute(command());
    expect(outcome).toMatchObject({ status: 'noop', sha: head });
    expect(outcome.reason).toContain('node_count already at 3');
    expect(f.repo.head()).toBe(head);
  });

  it('a file without node_count, a missing file or a missing branch fail and write nothing', async () => {
    f.repo.commit({ 'infra/node-pool/eu.tfvars': 'region = "eu"\n' }, 'eu pool without a count');
    const head = f.repo.head();
    const exec = f.executor();
    const noCount = await exec.execute(command({ region: 'eu', file: 'infra/node-pool/eu.tfvars', decision_id: 'eu-1' }));
    expect(noCount.status).toBe('failed');
    expect(noCount.reason).toContain('no top-level "node_count = N" assignment');
    const missing = await exec.execute(command({ file: 'infra/node-pool/us.tfvars', decision_id: 'us-1' }));
    expect(missing.status).toBe('failed');
    expect(missing.reason).toContain('infra/node-pool/us.tfvars does not exist on main');
    const noBranch = await exec.execute(command({ branch: 'release', decision_id: 'rel-1' }));
    expect(noBranch.status).toBe('failed');
    expect(noBranch.reason).toContain('branch release does not exist on the remote');
    expect(f.repo.head()).toBe(head);
  });

  it('an older decision arriving after a newer one wrote the file is superseded, even when its precondition holds', async () => {
    const exec = f.executor();
    await exec.execute(command({ decision_id: 'newer-out', decision_seq: 20, from: 2, to: 4, message: 'autoscale: svc-plus jp scale_out 2 -> 4' }));
    await exec.execute(command({ decision_id: 'newer-in', decision_seq: 21, from: 4, to: 2, message: 'autoscale: svc-plus jp scale_in 4 -> 2' }));
    const head = f.repo.head();
    const stale = await exec.execute(command({ decision_seq: 12 }));
    expect(stale.status).toBe('superseded');
    expect(stale.reason).toContain('sequence 21 > 12');
    expect(f.repo.head()).toBe(head);
  });

  it('refuses credentials inside the URL', () => {
    expect(() => new PushExecutor({ url: 'https://x-access-token:secret@example.test/acme/platform.git' })).toThrow('not in the URL');
  });
});
