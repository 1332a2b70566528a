// @plane/gtm: the effective-weight decider (decide / evolve / replay) and its inputs. Pure: no I/O.
export * from './types.js';
export { decideDomain, decisionId, type Decision } from './decide.js';
export { evolveDomain, initialDomainState } from './evolve.js';
export { replayDecision } from './replay.js';
export { buildDomainInputs, zoneOfDomain, type BuildDomainInputsOptions, type NodeHealthLike, type NodesByRegion } from './inputs.js';
export { effectiveWeight, isServing, nodeKey } from './region.js';
export { DECIDER_VERSION } from './version.js';
