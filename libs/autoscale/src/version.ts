/**
 * The version of the scaling rules. Bump it whenever `decide` can give another result for the same
 * input: `replayDecision` then reports older decisions as of another version instead of a mismatch.
 */
export const DECIDER_VERSION = 'autoscale/1';
