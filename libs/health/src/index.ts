export * from './types.js';
export { newNodeRecord, evolveNode, trimWindow, averages, addSample } from './evolve.js';
export { assessNode, ejectionCause, isServing, type Assessment } from './assess.js';
export { decideNodeState } from './decide.js';
export { nodeEventProblem } from './check.js';
