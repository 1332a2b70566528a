export { findBinary, requireBinary } from './binaries.js';
export { freePort, waitFor } from './ports.js';
export { startNatsServer, startNatsCluster, type NatsServerHandle, type NatsClusterHandle, type NatsServerOptions } from './nats-server.js';
export { createTestRepo, git, type TestRepo } from './git.js';
export { declareWorld } from './declare.js';
export { startPdnsServer, type PdnsServerHandle } from './pdns-server.js';
export { registerNode, heartbeatEvery, type HeartbeatOptions } from './nodes.js';
