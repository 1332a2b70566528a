import type { EventEnvelope } from './envelope.js';
import type { DeclarationKind } from './subjects.js';

export interface LocatedError {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export interface DeclarationAppliedData {
  kind: DeclarationKind;
  name: string;
  file: string;
  repo: string;
  commit: string;
  digest: string;
  /** The validated declaration with every default filled in. */
  spec: unknown;
}

export interface DeclarationRemovedData {
  kind: DeclarationKind;
  name: string;
  file: string;
  repo: string;
  commit: string;
}

/** Per declaration in force: the stream sequence of the event that set it (its version) and its digest. */
export type DeclarationManifest = Record<string, { version: number; digest: string; file: string }>;

export interface SyncCompletedData {
  repo: string;
  url: string;
  branch: string;
  path: string;
  commit: string;
  previous_commit: string | null;
  /** Every declaration in force at this commit: the commit point of the `desired` projection. */
  declarations: DeclarationManifest;
  added: string[];
  changed: string[];
  removed: string[];
  warnings: LocatedError[];
}

export interface SyncRejectedData {
  repo: string;
  url: string;
  branch: string;
  path: string;
  commit: string;
  /** The commit that stays in force (null when nothing was ever accepted). */
  last_good_commit: string | null;
  errors: LocatedError[];
}

export type DeclarationApplied = EventEnvelope<'DeclarationApplied', DeclarationAppliedData>;
export type DeclarationRemoved = EventEnvelope<'DeclarationRemoved', DeclarationRemovedData>;
export type SyncCompleted = EventEnvelope<'SyncCompleted', SyncCompletedData>;
export type SyncRejected = EventEnvelope<'SyncRejected', SyncRejectedData>;

export type DeclarationStreamEvent = DeclarationApplied | DeclarationRemoved | SyncCompleted | SyncRejected;

export const DECLARATION_EVENT_TYPES = ['DeclarationApplied', 'DeclarationRemoved', 'SyncCompleted', 'SyncRejected'] as const;

export function isDeclarationStreamEvent(e: EventEnvelope): e is DeclarationStreamEvent {
  return (DECLARATION_EVENT_TYPES as readonly string[]).includes(e.type);
}
