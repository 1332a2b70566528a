// What an autoscale pull request carries so that a later executor can recognise it without any
// state of its own: a branch named after the decision, and a hidden marker in the body with the
// decision's id, sequence and target (reviewers see the explanation; the marker stays invisible).
import { createHash } from 'node:crypto';
import type { GitCommitCommand } from '../command.js';

export const BRANCH_PREFIX = 'autoscale/';
const MARKER = /<!--\s*plane-autoscale\s+(\{[^]*?\})\s*-->/;

export interface PullRequestMarker {
  decision_id: string;
  decision_seq: number;
  service: string;
  region: string;
  file: string;
  from: number;
  to: number;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** A short, stable token of a decision id: its first 12 hex digits, or a hash of it when it is not hex. */
export function shortDecisionId(id: string): string {
  const clean = id.toLowerCase().replace(/^sha256:/, '');
  return /^[0-9a-f]{12,}$/.test(clean) ? clean.slice(0, 12) : createHash('sha256').update(id).digest('hex').slice(0, 12);
}

/** `autoscale/<service>-<region>-<decision id short>`: one branch per decision, so a redelivery finds it. */
export function pullRequestBranch(command: Pick<GitCommitCommand, 'service' | 'region' | 'decision_id'>): string {
  return `${BRANCH_PREFIX}${slug(command.service)}-${slug(command.region)}-${shortDecisionId(command.decision_id)}`;
}

export function markerOf(command: GitCommitCommand): PullRequestMarker {
  const { decision_id, decision_seq, service, region, file, from, to } = command;
  return { decision_id, decision_seq, service, region, file, from, to };
}

/** The pull request body: the explanation, then the marker as an HTML comment. */
export function pullRequestBody(command: GitCommitCommand): string {
  // `<` and `>` escaped so that nothing in the values can close the comment early.
  const json = JSON.stringify(markerOf(command)).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `${command.explanation.trimEnd()}\n\n<!-- plane-autoscale ${json} -->\n`;
}

export function parseMarker(body: string | null | undefined): PullRequestMarker | undefined {
  const m = body ? MARKER.exec(body) : null;
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]!) as Record<string, unknown>;
    if (
      typeof v.decision_id === 'string' &&
      typeof v.decision_seq === 'number' &&
      typeof v.service === 'string' &&
      typeof v.region === 'string' &&
      typeof v.file === 'string' &&
      typeof v.from === 'number' &&
      typeof v.to === 'number'
    ) {
      return { decision_id: v.decision_id, decision_seq: v.decision_seq, service: v.service, region: v.region, file: v.file, from: v.from, to: v.to };
    }
  } catch {
    // A hand-edited body: not ours to interpret.
  }
  return undefined;
}
