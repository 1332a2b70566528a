export { parseFlags, helpText, envNameOf, ConfigError, type FlagSpec, type FlagValues, type FlagValue, type FlagType } from './flags.js';
export { COMMON_FLAGS } from './common-flags.js';
export { parseDurationMs, formatDurationMs } from './duration.js';
export { createLogger, isLogLevel, type Logger } from './logger.js';
export { readSecret, readSecretFile, type SecretRef } from './secrets.js';
export { startHealthServer, createMetricsRegistry, scrapedGauge, parseListen, type HealthServerOptions } from './health-server.js';
export { runMain, untilSignal } from './main.js';
