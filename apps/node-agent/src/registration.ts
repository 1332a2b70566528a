// POST /nodes/register until plane-api acknowledges it.
// - Unreachable or 5xx: exponential backoff with jitter (500 ms doubling, capped), forever: the
//   API may be starting, restarting, or waiting for NATS.
// - 400/401/413: plane-api understood and refused (a region not declared yet, an IP outside
//   allowed_cidrs, a wrong token). The agent logs the server's words as an error and asks again
//   slowly, without exiting: on a fresh VM the declaration or the token often arrives minutes
//   later, and an exiting agent would only be restarted by systemd into the same state.
import type { NodeRef } from '@plane/events';
import type { Logger } from '@plane/runtime';
import type { PlaneApiClient } from './api-client.js';
import { backoffDelayMs, jitteredMs, sleep, type BackoffPolicy } from './backoff.js';
import type { ProblemLog } from './problem-log.js';

export interface RegisterBody extends NodeRef {
  ips: string[];
  labels?: Record<string, string>;
}

export interface RegisterOptions {
  api: PlaneApiClient;
  body: RegisterBody;
  log: Logger;
  problems: ProblemLog;
  backoff: BackoffPolicy;
  rejectedRetryMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  onAttempt?: (outcome: 'ok' | 'rejected' | 'unavailable', detail: string) => void;
}

/** Resolves true once registered, false when stopped first. */
export async function registerUntilAcknowledged(o: RegisterOptions): Promise<boolean> {
  let attempt = 0;
  while (!o.signal.aborted) {
    const r = await o.api.post('/nodes/register', o.body, o.timeoutMs, o.signal);
    if (o.signal.aborted) break;
    if (r.kind === 'ok') {
      o.onAttempt?.('ok', '');
      o.problems.resolved('register', 'registration acknowledged after failures');
      const registeredAt = (r.body as { registered_at?: unknown } | null)?.registered_at;
      o.log.info({ node: `${o.body.service}.${o.body.region}.${o.body.node_id}`, ips: o.body.ips, registered_at: registeredAt, attempts: attempt + 1 }, 'registered with plane-api');
      return true;
    }
    let waitMs: number;
    if (r.kind === 'rejected') {
      o.onAttempt?.('rejected', `HTTP ${r.status}: ${r.error}`);
      waitMs = jitteredMs(o.rejectedRetryMs);
      o.problems.problem('register', `plane-api refused the registration (HTTP ${r.status}): ${r.error} — fix the configuration; asking again every ${Math.round(o.rejectedRetryMs / 1000)} s`, { status: r.status, error: r.error }, 'error');
      attempt = 0;
    } else {
      o.onAttempt?.('unavailable', r.error);
      attempt++;
      waitMs = backoffDelayMs(attempt, o.backoff);
      o.problems.problem('register', `plane-api unreachable: ${r.error}; retrying with backoff`, { error: r.error, attempt, retry_in_ms: waitMs });
    }
    await sleep(waitMs, o.signal);
  }
  return false;
}
