// editNodeCount: only the digits of the top-level `node_count` move; every other byte stays.
import { describe, expect, it } from 'vitest';
import { editNodeCount, findNodeCount, NodeCountError, readNodeCount, type NodeCountErrorCode } from '../src/tfvars.js';

const POOL = `# jp node pool, written by hand and by the autoscaler
region        = "jp"
instance_type = "t3.medium"   # burstable
node_count    = 2             # autoscaler-managed
labels = {
  cpu     = "x86"
  storage = "ssd"
}
`;

function errorCode(fn: () => unknown): NodeCountErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NodeCountError) return e.code;
    throw e;
  }
  return undefined;
}

describe('editNodeCount', () => {
  it('rewrites only the number, keeping alignment, comments and order', () => {
    const edit = editNodeCount(POOL, 2, 3);
    expect(edit).toMatchObject({ changed: true, line: 4, before: 2, after: 3 });
    expect(edit.text).toBe(POOL.replace('node_count    = 2 ', 'node_count    = 3 '));
    const before = POOL.split('\n');
    const after = edit.text.split('\n');
    expect(after.filter((l, i) => l !== before[i])).toEqual(['node_count    = 3             # autoscaler-managed']);
  });

  it.each([
    ['node_count=2\n', 'node_count=3\n'],
    ['node_count   =   2  # comment\n', 'node_count   =   3  # comment\n'],
    ['node_count = 2 // why\n', 'node_count = 3 // why\n'],
    ['node_count = 2 /* inline */\n', 'node_count = 3 /* inline */\n'],
    ['\tnode_count\t=\t2\n', '\tnode_count\t=\t3\n'],
    ['a = 1\nnode_count = 2', 'a = 1\nnode_count = 3'], // no trailing newline
    ['a = 1\r\nnode_count = 2\r\nb = 2\r\n', 'a = 1\r\nnode_count = 3\r\nb = 2\r\n'], // CRLF
    ['node_count = 2\r\n', 'node_count = 3\r\n'],
  ])('%j -> %j', (input, expected) => {
    expect(editNodeCount(input, 2, 3).text).toBe(expected);
  });

  it('grows and shrinks the digits without touching what follows', () => {
    expect(editNodeCount('node_count = 9 # max 12\n', 9, 10).text).toBe('node_count = 10 # max 12\n');
    expect(editNodeCount('node_count = 10\nx = 1\n', 10, 9).text).toBe('node_count = 9\nx = 1\n');
  });

  it('is a no-op when the file already shows the target', () => {
    const edit = editNodeCount(POOL.replace('= 2 ', '= 3 '), 2, 3);
    expect(edit).toMatchObject({ changed: false, value: 3, reason: 'node_count already at 3' });
    expect(edit.text).toBe(POOL.replace('= 2 ', '= 3 '));
  });

  it('fails when the file holds another count than the command starts from', () => {
    const e = (() => {
      try {
        editNodeCount(POOL.replace('= 2 ', '= 5 '), 2, 3);
      } catch (err) {
        return err as NodeCountError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(NodeCountError);
    expect(e?.code).toBe('mismatch');
    expect(e?.line).toBe(4);
    expect(e?.message).toBe('node_count is 5 on line 4, but the command expects 2 (and targets 3)');
  });

  it('fails when there is no node_count', () => {
    expect(errorCode(() => editNodeCount('region = "jp"\n', 2, 3))).toBe('missing');
    expect(errorCode(() => editNodeCount('', 2, 3))).toBe('missing');
    expect(() => editNodeCount('region = "jp"\n', 2, 3)).toThrow('no top-level "node_count = N" assignment');
  });

  it('fails when node_count is assigned more than once', () => {
    expect(errorCode(() => editNodeCount('node_count = 2\nnode_count = 2\n', 2, 3))).toBe('duplicate');
    expect(() => editNodeCount('node_count = 2\nx = 1\nnode_count = 4\n', 2, 3)).toThrow('assigned 2 times (lines 1, 3)');
  });

  it.each([['node_count = "2"'], ['node_count = 2.5'], ['node_count = var.count'], ['node_count = 2 + 1'], ['node_count = -1'], ['node_count ='], ['node_count = # nothing']])(
    'refuses a value that is not an integer literal: %s',
    (line) => {
      expect(errorCode(() => editNodeCount(`${line}\n`, 2, 3))).toBe('not_integer');
    },
  );

  it('ignores node_count in comments, strings, heredocs and nested blocks', () => {
    const text = [
      '# node_count = 7',
      '// node_count = 7',
      '/* node_count = 7',
      '   node_count = 7 */',
      'note = "node_count = 7"',
      'doc = <<EOT',
      'node_count = 7',
      'EOT',
      'pools = {',
      '  node_count = 7',
      '}',
      'list = [',
      '  { node_count = 7 },',
      ']',
      'node_count = 2',
      '',
    ].join('\n');
    expect(findNodeCount(text)).toMatchObject({ value: 2, line: 15 });
    const edit = editNodeCount(text, 2, 3);
    expect(edit.text).toBe(text.replace(/node_count = 2\n$/, 'node_count = 3\n'));
  });

  it('keeps bytes it does not understand (non-ASCII comments, BOM)', () => {
    const text = '\uFEFF# 東京リージョン\nnode_count = 2 # ノード数\n';
    expect(editNodeCount(text, 2, 3).text).toBe('\uFEFF# 東京リージョン\nnode_count = 3 # ノード数\n');
  });

  it('refuses counts that are not non-negative integers', () => {
    expect(errorCode(() => editNodeCount(POOL, 2, -1))).toBe('invalid_count');
    expect(errorCode(() => editNodeCount(POOL, 1.5, 3))).toBe('invalid_count');
  });

  it('reads the count', () => {
    expect(readNodeCount(POOL)).toBe(2);
    expect(readNodeCount('node_count = 007\n')).toBe(7);
  });
});
