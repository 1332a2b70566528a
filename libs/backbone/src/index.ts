export { connectPlane, connectionOptions, compareVersions, MIN_SERVER_VERSION, type Plane, type NatsSettings } from './connect.js';
export { STREAMS, BUCKETS, setDefaultReplicas, getDefaultReplicas, ensureStream, ensureBucket, openBucket, deleteBucket, isNotFound, type StreamDefinition, type BucketDefinition } from './topology.js';
export { publishEvent, lastEventOn, isWrongLastSequence, type PublishOptions, type Published, type StoredEvent } from './publish.js';
export { readStream, type ReadOptions } from './read.js';
export { followStream, followBucket, lastSeqOn, lagBehind, within, type Follower, type FollowOptions, type FollowFrom, type FollowBucketOptions, type BucketEntry } from './follow.js';
export { runProjection, readBucket, writeOps, POSITION_KEY, type KvOp, type ProjectionDefinition, type RunningProjection, type RunProjectionOptions } from './projection.js';
export {
  desiredProjection,
  applyDesired,
  initDesired,
  desiredSafePosition,
  readDesiredSnapshot,
  DesiredWatcher,
  declarationsOf,
  manifestKey,
  type DesiredDeclaration,
  type DesiredSync,
  type DesiredRejection,
  type DesiredState,
  type DesiredSnapshot,
} from './desired.js';
export { natsSettingsFromFlags } from './settings.js';
export { acquireLease, type Lease } from './lease.js';
export { OverrideWatcher, readOverrides, type Overrides } from './overrides.js';
export { runWorkQueue, type WorkQueueOptions, type WorkQueueRunner } from './work-queue.js';
