// The command contract, the trailers that make it idempotent, and the names a PR is found by.
import { describe, expect, it } from 'vitest';
import { InvalidCommandError, parseGitCommitCommand, type GitCommitCommand } from '../src/command.js';
import { toGitHubApiError } from '../src/github/errors.js';
import { parseMarker, pullRequestBody, pullRequestBranch, shortDecisionId } from '../src/github/marker.js';
import { backoffDelayMs, DEFAULT_RETRY } from '../src/retry.js';
import { carriesDecision, commitMessage, parseTrailers, recordedSequence } from '../src/trailers.js';

const COMMAND: GitCommitCommand = {
  decision_id: '3f2a9c41d0b7e8a6c5d4f3e2a1b0c9d8',
  service: 'svc-plus',
  region: 'jp',
  file: 'infra/node-pool/jp.tfvars',
  from: 2,
  to: 3,
  message: 'autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)',
  mode: 'push',
  branch: 'main',
  auto_merge: false,
  explanation: 'CPU 0.82 > 0.7 over 5m',
  decision_seq: 41,
};

describe('parseGitCommitCommand', () => {
  it('accepts a well-formed command', () => {
    expect(parseGitCommitCommand(JSON.parse(JSON.stringify(COMMAND)))).toEqual(COMMAND);
  });

  it('lists every problem at once', () => {
    const bad = { ...COMMAND, from: -1, file: '../etc/passwd', mode: 'pull_request', branch: 'a..b', decision_seq: 'x' };
    let err: InvalidCommandError | undefined;
    try {
      parseGitCommitCommand(bad);
    } catch (e) {
      err = e as InvalidCommandError;
    }
    expect(err).toBeInstanceOf(InvalidCommandError);
    expect(err?.problems).toEqual([
      '"from" must be a non-negative integer',
      '"decision_seq" must be a non-negative integer',
      '"file" must be a relative path inside the repository, got "../etc/passwd"',
      '"branch" is not a valid branch name: "a..b"',
      '"repository" is required in pull_request mode',
    ]);
  });
});

describe('trailers', () => {
  it('puts the decision id and sequence after a blank line', () => {
    expect(commitMessage(COMMAND)).toBe(`autoscale: svc-plus jp scale_out 2 -> 3 (cpu=0.82)\n\nAutoscale-Decision: ${COMMAND.decision_id}\nAutoscale-Sequence: 41\n`);
    expect(carriesDecision(commitMessage(COMMAND), COMMAND.decision_id)).toBe(true);
    expect(carriesDecision(commitMessage(COMMAND), '3f2a9c41')).toBe(false);
    expect(recordedSequence(commitMessage(COMMAND))).toBe(41);
  });

  it('reads trailers only from the last paragraph', () => {
    expect(parseTrailers('subject\n\nAutoscale-Decision: x\n\nbody text').size).toBe(0);
    expect(parseTrailers('Autoscale-Decision: x').size).toBe(0); // a subject is not a trailer
  });
});

describe('pull request naming', () => {
  it('names one branch per decision', () => {
    expect(pullRequestBranch(COMMAND)).toBe('autoscale/svc-plus-jp-3f2a9c41d0b7');
    expect(shortDecisionId('not hex at all')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('round-trips the hidden marker, even with hostile text', () => {
    const cmd = { ...COMMAND, explanation: 'ends a comment --> <!-- here', service: 'svc-->' };
    const body = pullRequestBody(cmd);
    expect(body.startsWith('ends a comment --> <!-- here\n\n<!-- plane-autoscale ')).toBe(true);
    expect(parseMarker(body)).toEqual({ decision_id: cmd.decision_id, decision_seq: 41, service: 'svc-->', region: 'jp', file: cmd.file, from: 2, to: 3 });
    expect(parseMarker('a human PR')).toBeUndefined();
  });
});

describe('retry and error policy', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(DEFAULT_RETRY, a, () => 1))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelayMs(DEFAULT_RETRY, 1, () => 0)).toBe(100);
    expect(backoffDelayMs(DEFAULT_RETRY, 10, () => 1)).toBe(5000);
  });

  it('reads the wait from retry-after or x-ratelimit-reset', () => {
    const now = 1_700_000_000_000;
    const http = (status: number, headers: Record<string, string>, message = 'x') => ({ status, message, response: { headers, data: { message } } });
    expect(toGitHubApiError(http(403, { 'retry-after': '30' }, 'You have exceeded a secondary rate limit'), 'x', now)).toMatchObject({ code: 'secondary_rate_limit', retryAfterS: 30, retryable: true });
    expect(toGitHubApiError(http(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) }), 'x', now)).toMatchObject({ code: 'rate_limited', retryAfterS: 90, retryable: true });
    expect(toGitHubApiError(http(429, {}), 'x', now)).toMatchObject({ status: 429, retryAfterS: 60, retryable: true });
    expect(toGitHubApiError(http(403, {}, 'Resource not accessible by integration'), 'x', now)).toMatchObject({ code: 'forbidden', retryable: false });
    expect(toGitHubApiError(http(502, {}), 'x', now)).toMatchObject({ code: 'server_error', retryable: true });
  });
});
