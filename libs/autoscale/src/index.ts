// @plane/autoscale: the autoscaler's scaling decider (pure, no I/O), written as a Decider:
// `decide(input) -> events (+ the state they fold to)`, `evolve(state, event) -> state`.
export * from './types.js';
export { DECIDER_VERSION } from './version.js';
export { decide } from './decide.js';
export { evolve, initialState, emptyRegionState, regionState } from './evolve.js';
export { buildServiceInput, largestDnsTtlMs, observeNode, type NodeCountReading, type NodeHealthView, type ServiceInputSource } from './input.js';
export { replayDecision, firstDifference, type ReplayResult } from './replay.js';
export { nodesRemoved, backoffMs, commitMessage } from './pending.js';
export { highestInWindow, recordRecommendation } from './stabilization.js';
