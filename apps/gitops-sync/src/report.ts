import { formatError } from '@plane/declarations';
import type { SyncResult } from './syncer.js';

/** The human summary `--once` prints: what was recorded, on which subjects, at which sequences. */
export function formatSyncResult(r: SyncResult, repo: string): string {
  const short = r.commit.slice(0, 12);
  const lines: string[] = [];
  if (r.outcome === 'unchanged') {
    lines.push(`${repo}@${short}: nothing new to record (${r.reason ?? 'unchanged'})`);
  } else if (r.outcome === 'rejected') {
    lines.push(`${repo}@${short}: commit REJECTED with ${r.errors.length} error(s); the last good commit stays in force (seq ${r.seq})`);
    for (const e of r.errors) lines.push(`  ${formatError(e)}`);
  } else {
    lines.push(`${repo}@${short}: synced: ${r.added.length} added, ${r.changed.length} changed, ${r.removed.length} removed`);
    for (const rec of r.recorded) lines.push(`  recorded ${rec.type.padEnd(18)} ${rec.subject.padEnd(36)} seq ${rec.seq}`);
  }
  for (const w of r.warnings) lines.push(`  warning: ${formatError(w)}`);
  return lines.join('\n') + '\n';
}
