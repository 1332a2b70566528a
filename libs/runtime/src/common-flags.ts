import type { FlagSpec } from './flags.js';

/** The flags every app has (INTERFACES.md). */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'nats-url', type: 'string', description: 'NATS server URL(s), comma separated; tls:// with --nats-ca', default: 'nats://127.0.0.1:4222', envAliases: ['NATS_URL'] },
  { name: 'nats-ca', type: 'string', description: 'CA certificate file for tls:// NATS URLs' },
  { name: 'nats-creds', type: 'string', description: 'NATS credentials file' },
  { name: 'nats-user', type: 'string', description: 'NATS user name (password from --nats-password-file)' },
  { name: 'nats-password-file', type: 'string', description: 'file holding the NATS password' },
  { name: 'stream-replicas', type: 'int', description: 'replicas of the streams and buckets this program creates (3 on a 3-node NATS cluster)', default: 1 },
  { name: 'log-level', type: 'string', description: 'fatal|error|warn|info|debug|trace|silent', default: 'info' },
  { name: 'metrics-listen', type: 'string', description: 'HOST:PORT for /metrics, /healthz and /readyz (off when not given)' },
  { name: 'help', type: 'bool', description: 'print this help and exit' },
];
