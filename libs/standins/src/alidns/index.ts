export { startAlidnsStandIn, type AlidnsStandIn, type AlidnsStandInOptions, type LoggedRequest } from './server.js';
export type { StandInSettings } from './context.js';
export type { InjectedFailure } from './traffic.js';
export type { SeedRecord, StandInRecord } from './state.js';
export { rpcSignature } from './signature.js';
