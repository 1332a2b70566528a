export { canonicalJson, sha256Hex, digestOf } from './canonical.js';
export { envelope, encodeEvent, decodeEvent, type EventEnvelope } from './envelope.js';
export { subjects, desiredKey, domainToken, repoToken, assertToken, type DeclarationKind } from './subjects.js';
export * from './declaration-events.js';
export { validateEvent, knownEventTypes, eventSchemasDir } from './validate.js';
export * from './node-events.js';
export * from './dns-events.js';
export * from './override-events.js';
