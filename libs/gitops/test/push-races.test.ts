// Push mode when others write at the same time: non-fast-forward rejections are retried from
// the new remote head, with the precondition checked again, a bounded number of times.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../testkit/src/git.js';
import { command, JP, JP_TEXT, pushFixture, SG, SG_COMMAND, type PushFixture } from './push-fixture.js';

describe('push mode races', () => {
  let f: PushFixture;
  beforeEach(() => {
    f = pushFixture();
  });
  afterEach(() => f.dispose());

  it('two writers pushing at the same time from separate caches both land', async () => {
    const before = f.repo.head();
    // Both build their commit on the same head, then push together: one must lose the race and retry.
    let waiting: Array<() => void> = [];
    const barrier = async ({ attempt }: { attempt: number }) => {
      if (attempt > 1) return;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          waiting.forEach((r) => r());
          waiting = [];
        }
      });
    };
    const [jp, sg] = await Promise.all([
      f.executor({ beforePush: barrier }, 'writer-1').execute(command()),
      f.executor({ beforePush: barrier }, 'writer-2').execute(command(SG_COMMAND)),
    ]);
    expect(jp.status).toBe('committed');
    expect(sg.status).toBe('committed');
    expect([jp.attempts, sg.attempts].sort()).toEqual([1, 2]);
    expect(git(f.repo.remote, 'rev-list', '--count', `${before}..main`)).toBe('2');
    expect(f.remoteFile(JP)).toContain('node_count    = 3');
    expect(f.remoteFile(SG)).toContain('node_count = 2');
    expect(f.delays).toEqual([150]); // one backoff: 200 ms jittered to its middle
  });

  it('a commit pushed between fetch and push forces a non-fast-forward that is retried and lands', async () => {
    const outcome = await f.executor({
      beforePush: ({ attempt }) => {
        if (attempt === 1) f.repo.commit({ 'README.md': 'someone was faster\n' }, 'concurrent change');
      },
    }).execute(command());
    expect(outcome).toMatchObject({ status: 'committed', attempts: 2 });
    expect(outcome.reason).toContain('after 1 lost race (non-fast-forward)');
    const [ours, theirs] = f.remoteLog(2);
    expect(ours).toBe(outcome.sha);
    expect(f.messageOf(theirs!)).toBe('concurrent change');
    expect(f.remoteFile('README.md')).toBe('someone was faster');
    expect(f.remoteFile(JP)).toContain('node_count    = 3');
  });

  it('the precondition is checked again after a lost race', async () => {
    const outcome = await f.executor({
      beforePush: ({ attempt }) => {
        if (attempt === 1) f.repo.commit({ [JP]: JP_TEXT.replace('= 2 ', '= 5 ') }, 'hand edit');
      },
    }).execute(command());
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('node_count is 5 on line 4, but the command expects 2');
    expect(f.messageOf(f.repo.head())).toBe('hand edit');
  });

  it('gives up after the bounded number of attempts, backing off exponentially', async () => {
    let n = 0;
    const outcome = await f.executor({ retry: { maxAttempts: 3 }, beforePush: () => void f.repo.commit({ 'README.md': `busy ${++n}\n` }, `busy ${n}`) }).execute(command());
    expect(outcome).toMatchObject({ status: 'failed', attempts: 3 });
    expect(outcome.reason).toContain('gave up after 3 push attempts');
    expect(f.delays).toEqual([150, 300]);
    expect(f.messageOf(f.repo.head())).toBe('busy 3');
  });

  it('the same command delivered to two executors at once lands once: the loser finds the trailer and is a noop', async () => {
    const before = f.repo.head();
    let waiting: Array<() => void> = [];
    const barrier = async ({ attempt }: { attempt: number }) => {
      if (attempt > 1) return;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) waiting.forEach((r) => r());
      });
    };
    const outcomes = await Promise.all([f.executor({ beforePush: barrier }, 'consumer-1').execute(command()), f.executor({ beforePush: barrier }, 'consumer-2').execute(command())]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['committed', 'noop']);
    const committed = outcomes.find((o) => o.status === 'committed')!;
    expect(outcomes.find((o) => o.status === 'noop')).toMatchObject({ sha: committed.sha, attempts: 1 });
    expect(git(f.repo.remote, 'rev-list', '--count', `${before}..main`)).toBe('1');
  });
});
