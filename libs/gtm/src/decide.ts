// decide: the gtm decider. Pure: the same (input, state, now, source) give byte-identical events;
// the only clock is `now`. The state it returns is exactly its events folded by evolveDomain.
import { digestOf, envelope, sha256Hex } from '@plane/events';
import type { DomainAnswer } from '@plane/dns';
import { sameAnswer, withdraws } from './answer.js';
import { ejectionLimitExceeded, guardTotal, servingChange, type LeftNode } from './ejection.js';
import { planReason, planStatus, regionOutcomes, secs, type Keeping } from './explain.js';
import { evolveDomain } from './evolve.js';
import { planAnswer } from './plan.js';
import { assessRegion, type RegionHealth } from './region.js';
import type { DomainInput, DomainState, Ejection, GtmAlertEvent, GtmAlertKind, GtmDecided, GtmEvent, GtmOutcome, RegionOutcome } from './types.js';
import { DECIDER_VERSION } from './version.js';

export interface Decision {
  events: GtmEvent[];
  state: DomainState;
}

/**
 * The id of a decision: `gtm:<domain>:<ordinal>:<hash>`, the ordinal being the decision's place in
 * the domain's history (state_before.decisions + 1) and the hash covering what was decided (outcome,
 * status, answer, the ejected nodes), the status decided from, the policy commit and the decider
 * version. Neither the clock nor the raw inputs are in it: two replicas deciding the same thing a few
 * milliseconds apart, or on metric noise that changes nothing, record one event (Nats-Msg-Id
 * dedup), while the ordinal keeps an id from ever repeating within a history. It also keeps the
 * full input's digest off the decide path (see `inputs_digest`).
 */
export function decisionId(stateBefore: DomainState, input: DomainInput, outcome: GtmOutcome, status: string, answer: DomainAnswer | null, ejections: readonly Ejection[]): string {
  const ordinal = stateBefore.decisions + 1;
  // Plain text, not canonicalJson: the same whatever key order a stored state comes back with, and cheap.
  let answerText = 'null';
  if (answer !== null) {
    answerText = `${answer.domain} ${answer.ttl}`;
    for (const r of answer.regions) {
      answerText += `;${r.name}=${r.weight}:`;
      for (const ip of r.ips) answerText += `${ip},`;
    }
  }
  let ejected = '';
  for (const e of ejections) ejected += `${e.node},`;
  const material = JSON.stringify([input.domain, ordinal, stateBefore.last_reason, outcome, status, answerText, ejected, input.policy_commit, DECIDER_VERSION]);
  return `gtm:${input.domain}:${ordinal}:${sha256Hex(material).slice(0, 24)}`;
}

export function decideDomain(input: DomainInput, state: DomainState, now: number, source: string): Decision {
  if (input.suspended || !input.inputs_fresh) return decideHalted(input, state, now, source);

  const health: RegionHealth[] = new Array<RegionHealth>(input.regions.length);
  let total = 0;
  for (let i = 0; i < input.regions.length; i++) {
    const h = assessRegion(input.regions[i]!, input.weighting);
    health[i] = h;
    total += h.total;
  }
  const change = servingChange(input, state, now);
  const plan = planAnswer(input, state, health);
  const count = change.ejections.length;
  if (count > 0) total = guardTotal(input, total, change.ejections);
  const guardText = () => `${count} of ${total} nodes stopped serving within ${secs(input.heartbeat_timeout_ms)} (max ${input.max_ejection_percent}%)`;

  if (ejectionLimitExceeded(count, total, input.max_ejection_percent)) {
    // A partition or a broken control plane is likelier than this many nodes dying at once: keep
    // the answer DNS holds, and let the guard's window run out before withdrawing them.
    const status = state.frozen?.reason ?? `${input.domain}: frozen: mass ejection, ${guardText()}`;
    if (status === state.last_reason && !change.changed) return { events: [], state };
    const limit = guardText();
    const wouldBe = planReason(input, state, health, plan, change.left);
    const reason = `${input.domain}: frozen: ${limit}: previous answer kept; would be: ${wouldBe.slice(input.domain.length + 2)}`;
    const regions = regionOutcomes(input, state, health, state.answer, plan.computed, plan.chosen, change.left, 'frozen');
    const alerts: [GtmAlertKind, string][] = [];
    if (state.frozen === null) {
      alerts.push(['mass_ejection', `${input.domain}: ${limit}; the domain is frozen at its previous answer until they fall back under the limit (at most one heartbeat_timeout after the last ejection); would be: ${wouldBe.slice(input.domain.length + 2)}`]);
    }
    return record(input, state, now, source, 'frozen', state.answer, regions, reason, status, change.ejections, alerts);
  }

  const status = planStatus(input, health, plan, state.last_good);
  if (status === state.last_reason && !change.changed && sameAnswer(plan.answer, state.answer)) return { events: [], state };

  let reason = planReason(input, state, health, plan, change.left);
  const alerts: [GtmAlertKind, string][] = [];
  if (state.frozen !== null) {
    const limit = guardText();
    const body = reason.slice(input.domain.length + 2);
    reason = `${input.domain}: freeze lifted (${limit}): ${body}`;
    // Lifted because the ejections aged out of the window, not because the nodes came back: what
    // the freeze held back is withdrawn now, and that deserves an alert of its own.
    if (withdraws(state.answer, plan.answer)) {
      alerts.push(['mass_ejection', `${input.domain}: mass-ejection freeze (since ${new Date(state.frozen.since).toISOString()}) lifted after the window: ${limit}; the withdrawal goes through: ${body}`]);
    }
  }
  if (plan.outcome === 'fail_open' && state.last_outcome !== 'fail_open') {
    const kept = state.last_good ? 'the last good answer is kept (fail open)' : 'there was never a good answer: nothing is published';
    alerts.push(['all_withdrawn', `${input.domain}: every region would be withdrawn; ${kept}: ${reason.slice(input.domain.length + 2)}`]);
  }
  const keeping: Keeping | null = plan.outcome === 'fail_open' ? 'fail open' : null;
  const regions = regionOutcomes(input, state, health, plan.answer, plan.computed, plan.chosen, change.left, keeping);
  return record(input, state, now, source, plan.outcome, plan.answer, regions, reason, status, change.ejections, alerts);
}

/** Suspended or stale: nothing is decided; one event when it starts (and an alert for stale inputs). */
function decideHalted(input: DomainInput, state: DomainState, now: number, source: string): Decision {
  const suspended = input.suspended;
  const outcome: GtmOutcome = suspended ? 'suspended' : 'stale';
  const status = suspended ? `${input.domain}: suspended (${input.suspend_reason ?? 'suspend'})` : `${input.domain}: stale inputs: nothing changes (fail static)`;
  if (status === state.last_reason) return { events: [], state };
  const reason = suspended
    ? `${input.domain}: suspended (${input.suspend_reason ?? 'suspend'}): nothing decided, DNS left as it is`
    : `${input.domain}: stale inputs (${input.stale_reason ?? 'no reason given'}): nothing changes (fail static)`;
  const health = input.regions.map((r) => assessRegion(r, input.weighting));
  const noLeft: LeftNode[] = [];
  const regions = regionOutcomes(input, state, health, state.answer, null, -1, noLeft, suspended ? 'suspended' : 'stale inputs');
  const alerts: [GtmAlertKind, string][] = [];
  if (!suspended && state.last_outcome !== 'stale') {
    alerts.push(['stale_inputs', `${input.domain}: the controller's inputs are stale (${input.stale_reason ?? 'no reason given'}): DNS stays as it is until they are fresh again`]);
  }
  return record(input, state, now, source, outcome, state.answer, regions, reason, status, state.ejections, alerts);
}

function record(
  input: DomainInput,
  state: DomainState,
  now: number,
  source: string,
  outcome: GtmOutcome,
  answer: DomainAnswer | null,
  regions: RegionOutcome[],
  reason: string,
  status: string,
  ejections: Ejection[],
  alerts: [GtmAlertKind, string][],
): Decision {
  const id = decisionId(state, input, outcome, status, answer, ejections);
  const time = new Date(now);
  // digestOf a full input (200 nodes: ~27 kB of canonical JSON) costs more than the whole decision:
  // it is computed on first read (when the event is serialized or looked at), then kept.
  let inputsDigest: string | undefined;
  const decided: GtmDecided = envelope(
    'GtmDecided',
    id,
    {
      service: input.service,
      domain: input.domain,
      provider: input.provider,
      zone: input.zone,
      ttl: input.ttl,
      outcome,
      regions,
      answer,
      dns_change: !sameAnswer(answer, state.answer),
      reason,
      status,
      ejections,
      get inputs_digest(): string {
        return (inputsDigest ??= digestOf(input));
      },
      set inputs_digest(value: string) {
        inputsDigest = value;
      },
      inputs: input,
      state_before: state,
      clock: now,
      policy_commit: input.policy_commit,
      decider_version: DECIDER_VERSION,
    },
    source,
    time,
  );
  const events: GtmEvent[] = [decided];
  for (const [kind, message] of alerts) {
    const alert: GtmAlertEvent = envelope('GtmAlert', `${id}:${kind}`, { service: input.service, domain: input.domain, kind, message, clock: now, decision_id: id }, source, time);
    events.push(alert);
  }
  let next = state;
  for (const e of events) next = evolveDomain(next, e);
  return { events, state: next };
}
