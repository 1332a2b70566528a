// @plane/gtm: the effective-weight decider (decide / evolve / replay) and its inputs. Pure: no I/O.
export * from './types.js';
export { decideDomain, decisionId, type Decision } from './decide.js';
export { evolveDomain, initialDomainState } from './evolve.js';
export { replayDecision } from './replay.js';
export { buildDomainInputs, type BuildDomainInputsOptions, type NodeHealthLike, type NodesByRegion } from './inputs.js';
/** The longest-suffix zone of a domain; it lives in @plane/dns next to the zone resolver. */
export { zoneOfDomain } from '@plane/dns';
export { effectiveWeight, isServing, nodeKey } from './region.js';
export { DECIDER_VERSION } from './version.js';
export { zoneAlertId, zoneNotFoundAlert, type ZoneAlertInput } from './zone-alert.js';
