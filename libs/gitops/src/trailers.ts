// The commit trailers that make a git-commit command idempotent: the decision id marks "this
// decision is applied" (a redelivery finds it and does nothing), the decision's stream sequence
// lets a later executor see that a newer decision already wrote the file.
import type { GitCommitCommand } from './command.js';

export const DECISION_TRAILER = 'Autoscale-Decision';
export const SEQUENCE_TRAILER = 'Autoscale-Sequence';

/** The full commit message: the command's message, a blank line, then the trailers. */
export function commitMessage(command: Pick<GitCommitCommand, 'message' | 'decision_id' | 'decision_seq'>): string {
  return `${command.message.trimEnd()}\n\n${DECISION_TRAILER}: ${command.decision_id}\n${SEQUENCE_TRAILER}: ${command.decision_seq}\n`;
}

/** Trailers of a commit message: `Key: value` lines of its last paragraph (git's own rule, simplified). */
export function parseTrailers(message: string): Map<string, string> {
  const paragraphs = message.replace(/\r\n/g, '\n').trimEnd().split(/\n[ \t]*\n/);
  const trailers = new Map<string, string>();
  if (paragraphs.length < 2) return trailers;
  for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
    const m = /^([A-Za-z0-9-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) return new Map();
    trailers.set(m[1]!, m[2]!);
  }
  return trailers;
}

export function carriesDecision(message: string, decisionId: string): boolean {
  return parseTrailers(message).get(DECISION_TRAILER) === decisionId;
}

/** The decision sequence recorded in a commit message, when it has one. */
export function recordedSequence(message: string): number | undefined {
  const raw = parseTrailers(message).get(SEQUENCE_TRAILER);
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  return Number(raw);
}
