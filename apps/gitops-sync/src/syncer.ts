// One sync: fetch the branch, read and validate the tree at its head, record what changed.
import { isWrongLastSequence, publishEvent, type Plane } from '@plane/backbone';
import { crossCheck, parseDeclarationFile, type Declaration, type DeclarationError } from '@plane/declarations';
import type { Logger } from '@plane/runtime';
import { redactUrl, type GitSource, type TreeFile } from '@plane/git';
import { lastProcessedCommit, planSync, type KnownState, type SyncSource } from './plan.js';
import { loadKnownState, resolveUnknownSubjects } from './known-state.js';

export const MAX_FILE_BYTES = 1024 * 1024;

export interface SyncResult {
  outcome: 'unchanged' | 'applied' | 'rejected';
  commit: string;
  /** Stream sequence of the SyncCompleted / SyncRejected event (when one was recorded). */
  seq?: number;
  added: string[];
  changed: string[];
  removed: string[];
  /** Events recorded by this sync (declaration events plus the commit point). */
  recorded: { subject: string; type: string; seq: number; key?: string }[];
  errors: DeclarationError[];
  warnings: DeclarationError[];
  reason?: string;
  /** Declarations in force after this sync (when it recorded a commit point). */
  inForce?: number;
}

export interface SyncerOptions {
  plane: Plane;
  git: GitSource;
  repo: string;
  path: string;
  log: Logger;
  recorder?: string;
  now?: () => Date;
}

const DECLARATION_DIRS = /^(gtm|autoscale|regions)\/[^/]+\.ya?ml$/;

type Parsed = ReturnType<typeof parseDeclarationFile>;

export class Syncer {
  private readonly parseCache = new Map<string, Parsed>();
  private running: Promise<SyncResult> | undefined;
  private next: Promise<SyncResult> | undefined;

  constructor(private readonly opts: SyncerOptions) {}

  /** Single flight: a trigger during a sync makes one more sync after it, not a parallel one. */
  sync(): Promise<SyncResult> {
    if (this.running) {
      // Every trigger that arrives during a sync shares the one sync that follows it.
      this.next ??= this.running.then(
        () => ((this.next = undefined), this.sync()),
        () => ((this.next = undefined), this.sync()),
      );
      return this.next;
    }
    this.running = this.runWithRetry().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runWithRetry(): Promise<SyncResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce();
      } catch (err) {
        if (isWrongLastSequence(err) && attempt < 5) {
          this.opts.log.warn({ attempt }, 'another writer recorded declarations concurrently; re-reading the stream');
          continue;
        }
        throw err;
      }
    }
  }

  private async readTree(commit: string): Promise<{ declarations: Declaration[]; errors: DeclarationError[]; warnings: DeclarationError[] }> {
    const { git, path } = this.opts;
    const files = (await git.listTree(commit, path)).filter((f) => DECLARATION_DIRS.test(f.path));
    const errors: DeclarationError[] = [];
    const warnings: DeclarationError[] = [];
    const declarations: Declaration[] = [];
    const toRead: TreeFile[] = [];
    for (const f of files) {
      if (f.size > MAX_FILE_BYTES) {
        errors.push({ file: f.path, line: 1, column: 1, path: '', message: `file is ${f.size} bytes, over the ${MAX_FILE_BYTES}-byte limit of a declaration` });
      } else if (!this.parseCache.has(cacheKey(f))) toRead.push(f);
    }
    const blobs = await git.readBlobs([...new Set(toRead.map((f) => f.blob))]);
    for (const f of toRead) this.parseCache.set(cacheKey(f), parseDeclarationFile({ path: f.path, content: blobs.get(f.blob)! }, { maxFileBytes: MAX_FILE_BYTES }));
    const live = new Set<string>();
    for (const f of files) {
      if (f.size > MAX_FILE_BYTES) continue;
      live.add(cacheKey(f));
      const parsed = this.parseCache.get(cacheKey(f))!;
      errors.push(...parsed.errors);
      warnings.push(...parsed.warnings);
      if (parsed.declaration) declarations.push(parsed.declaration);
    }
    for (const k of this.parseCache.keys()) if (!live.has(k)) this.parseCache.delete(k);
    const hasRegionsDir = files.some((f) => f.path.startsWith('regions/'));
    const cross = crossCheck(declarations, { hasRegionsDir });
    errors.push(...cross.errors);
    warnings.push(...cross.warnings);
    const order = (a: DeclarationError, b: DeclarationError) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
    return { declarations, errors: errors.sort(order), warnings: warnings.sort(order) };
  }

  private async runOnce(): Promise<SyncResult> {
    const { plane, git, repo, path, log } = this.opts;
    const commit = await git.fetch();
    const known: KnownState = await loadKnownState(plane, repo);
    const base: SyncResult = { outcome: 'unchanged', commit, added: [], changed: [], removed: [], recorded: [], errors: [], warnings: [] };
    const processed = lastProcessedCommit(known);
    if (processed === commit) {
      const reason = `commit ${commit.slice(0, 12)} was already ${known.lastRejected?.commit === commit && (known.lastCompleted?.seq ?? 0) < (known.lastRejected?.seq ?? 0) ? 'rejected' : 'synced'}`;
      log.debug({ commit }, reason);
      return { ...base, reason };
    }
    const tree = await this.readTree(commit);
    await resolveUnknownSubjects(plane, known, tree.declarations.map((d) => `${d.kind}/${d.name}`));
    const source: SyncSource = { url: redactUrl(git.url), branch: git.branch, path };
    const plan = planSync({
      known,
      source,
      commit,
      declarations: tree.declarations,
      errors: tree.errors,
      warnings: tree.warnings,
      now: (this.opts.now ?? (() => new Date()))(),
      recorder: this.opts.recorder ?? 'gitops-sync',
    });
    if (plan.kind === 'unchanged') {
      log.debug({ commit }, plan.reason);
      return { ...base, reason: plan.reason };
    }
    if (plan.kind === 'reject') {
      const pub = await publishEvent(plane.js, plan.subject, plan.event, { expectLastSubjectSequence: plan.expectLastSubjectSequence });
      log.warn({ commit, errors: tree.errors.length, event: plan.event.id, seq: pub.seq }, `commit ${commit.slice(0, 12)} rejected: ${tree.errors.length} error(s); the last good commit stays in force`);
      return { ...base, outcome: 'rejected', seq: pub.seq, errors: tree.errors, warnings: tree.warnings, recorded: [{ subject: plan.subject, type: plan.event.type, seq: pub.seq }] };
    }
    const versions = new Map<string, number>();
    const recorded: SyncResult['recorded'] = [];
    const BATCH = 512;
    for (let i = 0; i < plan.steps.length; i += BATCH) {
      const slice = plan.steps.slice(i, i + BATCH);
      const acks = await Promise.all(
        slice.map((s) => publishEvent(plane.js, s.subject, s.event, s.expectLastSubjectSequence === undefined ? {} : { expectLastSubjectSequence: s.expectLastSubjectSequence })),
      );
      slice.forEach((s, j) => {
        versions.set(s.key, acks[j]!.seq);
        recorded.push({ subject: s.subject, type: s.event.type, seq: acks[j]!.seq, key: s.key });
      });
    }
    const done = plan.complete(versions);
    const pub = await publishEvent(plane.js, done.subject, done.event, { expectLastSubjectSequence: done.expectLastSubjectSequence });
    recorded.push({ subject: done.subject, type: done.event.type, seq: pub.seq });
    log.info(
      { commit, event: done.event.id, seq: pub.seq, added: plan.added.length, changed: plan.changed.length, removed: plan.removed.length },
      `commit ${commit.slice(0, 12)} synced: ${plan.added.length} added, ${plan.changed.length} changed, ${plan.removed.length} removed`,
    );
    return { ...base, outcome: 'applied', seq: pub.seq, inForce: tree.declarations.length, added: plan.added, changed: plan.changed, removed: plan.removed, recorded, warnings: tree.warnings };
  }
}

function cacheKey(f: TreeFile): string {
  return `${f.blob}:${f.path}`;
}
