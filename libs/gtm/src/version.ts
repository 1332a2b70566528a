/**
 * The gtm decider's version, recorded in every decision. Bump it whenever a decision could come out
 * differently (formula, failover, guards, reason texts, event shape): `replay --verify` then reports
 * older decisions as "another decider version" instead of as mismatches.
 */
export const DECIDER_VERSION = 'gtm-decider/1';
