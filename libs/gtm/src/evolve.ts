// evolve: the decider's state, rebuilt from its own events (GtmDecided; alerts change nothing).
import { serves } from './answer.js';
import { servingKeys } from './region.js';
import type { DomainState, GtmEvent } from './types.js';

export function initialDomainState(): DomainState {
  return { answer: null, last_good: null, last_reason: null, serving: [], ejections: [], frozen: null, last_outcome: null, decisions: 0 };
}

export function evolveDomain(state: DomainState, event: GtmEvent): DomainState {
  switch (event.type) {
    case 'GtmAlert':
      return state;
    case 'GtmDecided': {
      const d = event.data;
      const base: DomainState = { ...state, last_reason: d.status, last_outcome: d.outcome, decisions: state.decisions + 1 };
      switch (d.outcome) {
        case 'suspended':
        case 'stale':
          // Nothing was decided: the answer, the serving set and the guard's count stay as they were.
          return base;
        case 'frozen':
          return { ...base, serving: servingKeys(d.inputs), ejections: d.ejections, frozen: state.frozen ?? { since: d.clock, reason: d.status } };
        case 'changed':
        case 'unchanged_weights_within_dead_band':
        case 'fail_open':
          return {
            ...base,
            answer: d.answer,
            last_good: serves(d.answer) ? d.answer : state.last_good,
            serving: servingKeys(d.inputs),
            ejections: d.ejections,
            frozen: null,
          };
        default:
          return unknown(d.outcome);
      }
    }
    default:
      return unknown(event);
  }
}

function unknown(x: never): never {
  throw new Error(`gtm evolve: unknown event ${JSON.stringify(x)}`);
}
