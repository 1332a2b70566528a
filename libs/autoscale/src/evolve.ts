// evolve: the decider's state is the fold of its own events. `decide` returns exactly
// `events.reduce(evolve, input.state)`, and a worker that lost its `autoscale` bucket rebuilds it
// by folding the DECISIONS stream from `initialState`.
import { recordRecommendation } from './stabilization.js';
import type { AutoscaleEvent, AutoscaleState, RegionScaleState } from './types.js';

export function initialState(service: string): AutoscaleState {
  return { service, regions: {} };
}

export function emptyRegionState(): RegionScaleState {
  return { last_action_at: null, cooldown_until: null, failures: 0, last_failure: null, pending: null, recommendations: [], last_reason: null };
}

export function regionState(state: AutoscaleState, region: string): RegionScaleState {
  return Object.prototype.hasOwnProperty.call(state.regions, region) ? state.regions[region]! : emptyRegionState();
}

function withRegion(state: AutoscaleState, region: string, change: (r: RegionScaleState) => RegionScaleState): AutoscaleState {
  return { ...state, regions: { ...state.regions, [region]: change(regionState(state, region)) } };
}

function withRecommendation(r: RegionScaleState, at: number, value: number | null, windowMs: number): RegionScaleState['recommendations'] {
  return value === null ? r.recommendations : recordRecommendation(r.recommendations, at, value, windowMs);
}

/** An overflow's origin region waits out a cooldown too, so one hot region cannot spill again at once. */
function coolOrigin(state: AutoscaleState, origin: string | null, until: number | null): AutoscaleState {
  if (origin === null || until === null) return state;
  return withRegion(state, origin, (r) => ({ ...r, cooldown_until: Math.max(r.cooldown_until ?? 0, until) }));
}

export function evolve(state: AutoscaleState, event: AutoscaleEvent): AutoscaleState {
  switch (event.type) {
    case 'ScaleDecided': {
      const d = event.data;
      return withRegion(state, d.region, (r) => ({
        ...r,
        last_action_at: d.clock,
        pending: {
          id: d.decision_id,
          kind: d.kind,
          from: d.from,
          to: d.to,
          origin: d.origin,
          since: d.clock,
          phase: d.phase,
          phase_since: d.clock,
          deadline: d.deadline,
          drain_node_ids: d.drain_node_ids,
          drain_requested_at: null,
          message: d.message,
          commit: null,
        },
        recommendations: withRecommendation(r, d.clock, d.recommendation, d.stabilization_ms),
        last_reason: { key: d.reason_key, text: d.reason, at: d.clock },
      }));
    }
    case 'ScaleHeld':
    case 'ScaleSteady': {
      const d = event.data;
      return withRegion(state, d.region, (r) => ({
        ...r,
        recommendations: withRecommendation(r, d.clock, d.recommendation, d.stabilization_ms),
        last_reason: { key: d.reason_key, text: d.reason, at: d.clock },
      }));
    }
    case 'DrainRequested': {
      const d = event.data;
      return withRegion(state, d.region, (r) =>
        r.pending !== null && r.pending.id === d.decision_id ? { ...r, pending: { ...r.pending, drain_requested_at: d.clock } } : r,
      );
    }
    case 'ScaleCommitRequested':
      // A command, not a fact about the region: its phase change is the ScaleDecided /
      // ScaleActionProgressed recorded with it.
      return state;
    case 'ScaleActionProgressed': {
      const d = event.data;
      return withRegion(state, d.region, (r) =>
        r.pending !== null && r.pending.id === d.decision_id
          ? { ...r, pending: { ...r.pending, phase: d.phase, phase_since: d.clock, deadline: d.deadline, commit: d.commit ?? r.pending.commit } }
          : r,
      );
    }
    case 'ScaleActionCompleted': {
      const d = event.data;
      const next = withRegion(state, d.region, (r) => ({
        ...r,
        pending: null,
        failures: 0,
        last_failure: null,
        cooldown_until: d.cooldown_until,
        last_reason: { key: 'steady', text: d.reason, at: d.clock },
      }));
      return coolOrigin(next, d.origin, d.cooldown_until);
    }
    case 'ScaleActionFailed': {
      const d = event.data;
      const next = withRegion(state, d.region, (r) => ({
        ...r,
        pending: null,
        failures: d.failures,
        last_failure: d.reason,
        cooldown_until: d.backoff_until,
        last_reason: { key: 'steady', text: d.reason, at: d.clock },
      }));
      return coolOrigin(next, d.origin, d.origin_cooldown_until);
    }
    case 'ScaleActionCancelled': {
      const d = event.data;
      const next = withRegion(state, d.region, (r) => ({
        ...r,
        pending: null,
        cooldown_until: d.cooldown_until,
        last_reason: { key: 'steady', text: d.reason, at: d.clock },
      }));
      return coolOrigin(next, d.origin, d.cooldown_until);
    }
    default: {
      // An event type this version does not know (a newer decider's) changes nothing here.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}
