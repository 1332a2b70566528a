// One evaluation of one service: the recorded input, the events emitted so far, and the state
// they fold to. Ids are hashes of the input digest and the decider version, so two replicas that
// decide on the same input record the same events (JetStream dedups them by Nats-Msg-Id).
import { digestOf, envelope } from '@plane/events';
import { evolve } from './evolve.js';
import { DECIDER_VERSION } from './version.js';
import type { AutoscaleEvent, AutoscaleState, DecisionMeta, ScaleInput, ScaleKind } from './types.js';

export class DecisionContext {
  readonly events: AutoscaleEvent[] = [];
  state: AutoscaleState;
  private digest: string | null = null;

  constructor(
    readonly input: ScaleInput,
    readonly source: string,
  ) {
    this.state = input.state;
  }

  get service(): string {
    return this.input.spec.service;
  }

  get now(): number {
    return this.input.now;
  }

  /** Computed only when something is emitted: a steady fleet costs no hashing. */
  get inputsDigest(): string {
    if (this.digest === null) this.digest = digestOf(this.input);
    return this.digest;
  }

  meta(region: string): DecisionMeta {
    return {
      service: this.service,
      region,
      inputs_digest: this.inputsDigest,
      clock: this.now,
      policy_commit: this.input.policy_commit,
      decider_version: DECIDER_VERSION,
    };
  }

  /** `autoscale:<service>:<region>:<what>:<hash>`: readable in `nats stream view`, unique per input. */
  eventId(region: string, what: string): string {
    return `autoscale:${this.service}:${region}:${what}:${digestOf([this.inputsDigest, DECIDER_VERSION, region, what], 20)}`;
  }

  decisionId(region: string, kind: ScaleKind, from: number, to: number): string {
    return this.eventId(region, `${kind}-${from}-${to}`);
  }

  emit<E extends AutoscaleEvent>(type: E['type'], id: string, data: E['data']): void {
    const event = envelope(type, id, data, this.source, new Date(this.now)) as E;
    this.events.push(event);
    this.state = evolve(this.state, event);
  }
}
