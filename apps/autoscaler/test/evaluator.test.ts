// The evaluator after a decision whose effects did not all go out (a NATS server going away
// between the decision and its command): the state is re-read and the pending actions' effects are
// published again, and again at every pass until that works.
import { describe, expect, it } from 'vitest';
import { initialState, type AutoscaleState } from '@plane/autoscale';
import { createLogger } from '@plane/runtime';
import { Evaluator } from '../src/leader/evaluator.js';
import type { Emitter } from '../src/leader/emitter.js';
import type { MergeWatcher } from '../src/leader/merge-watcher.js';
import type { NodePoolReader } from '../src/leader/node-pools.js';
import type { NodesView } from '../src/leader/nodes-view.js';
import type { OutcomeBook } from '../src/leader/outcome-book.js';
import type { StateStore } from '../src/leader/state-store.js';

function world() {
  let stale = true; // a record failed part way in an earlier pass
  let resyncs = 0;
  const reissues: number[] = [];
  let failReissues = 1;
  const store = {
    isStale: () => stale,
    resync: async () => {
      resyncs++;
      stale = false;
    },
    get: (service: string) => initialState(service),
    set: () => undefined,
    markStale: () => {
      stale = true;
    },
    services: () => new Map<string, AutoscaleState>().entries(),
  } as unknown as StateStore;
  const emitter = {
    record: async () => undefined,
    reissue: async () => {
      reissues.push(Date.now());
      if (failReissues-- > 0) throw new Error('jetstream is not enabled');
      return 1;
    },
  } as unknown as Emitter;
  const evaluator = new Evaluator({
    log: createLogger('test', 'silent'),
    source: 'test',
    defaultBranch: 'main',
    desired: () => ({ syncs: [], declarations: [] }),
    nodes: { of: () => [] } as unknown as NodesView,
    book: { get: () => undefined, retain: () => undefined } as unknown as OutcomeBook,
    pools: { read: async () => new Map() } as unknown as NodePoolReader,
    store,
    emitter,
    merges: { check: async () => undefined } as unknown as MergeWatcher,
    isLeader: () => true,
  });
  return { evaluator, reissues, resyncs: () => resyncs };
}

describe('evaluator', () => {
  it('publishes the effects of pending actions again at every pass until that works, once the state is re-read', async () => {
    const w = world();
    // The state is re-read, but publishing the effects again fails: the pass fails.
    await expect(w.evaluator.evaluate()).rejects.toThrow(/jetstream is not enabled/);
    expect(w.resyncs()).toBe(1);
    expect(w.reissues).toHaveLength(1);
    // The next pass tries again (the state need not be re-read again), and this time it works.
    await w.evaluator.evaluate();
    expect(w.resyncs()).toBe(1);
    expect(w.reissues).toHaveLength(2);
    // Done: later passes publish nothing again.
    await w.evaluator.evaluate();
    expect(w.reissues).toHaveLength(2);
  });
});
