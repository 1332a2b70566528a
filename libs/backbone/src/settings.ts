import type { FlagValues } from '@plane/runtime';
import type { NatsSettings } from './connect.js';

/** The common NATS flags (INTERFACES.md) as connection settings. */
export function natsSettingsFromFlags(values: FlagValues, name: string): NatsSettings {
  const s: NatsSettings = { url: String(values['nats-url']), name };
  if (values['nats-ca']) s.caFile = String(values['nats-ca']);
  if (values['nats-creds']) s.credsFile = String(values['nats-creds']);
  if (values['nats-user']) s.user = String(values['nats-user']);
  if (values['nats-password-file']) s.passwordFile = String(values['nats-password-file']);
  if (typeof values['stream-replicas'] === 'number') s.streamReplicas = values['stream-replicas'];
  return s;
}
