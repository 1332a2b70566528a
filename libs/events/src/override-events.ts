import type { EventEnvelope } from './envelope.js';

/**
 * An operator's override of a service: suspend (reconcile nothing, delete nothing) until resumed.
 * Git's `suspend: true` is the normal way; this wins until `planectl resume`.
 */
export interface ServiceOverrideData {
  service: string;
  suspended: boolean;
  /** `planectl@host (user)`. */
  by: string;
  reason: string;
}

export type ServiceOverride = EventEnvelope<'ServiceOverride', ServiceOverrideData>;

export function overrideSubject(service: string): string {
  return `decl.override.${service}`;
}
