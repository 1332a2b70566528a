// `node_count` of every node pool file, read at the head of its branch: one fetch per branch per
// evaluation, one tree listing per folder and commit, and each blob parsed once (blobs are
// content addressed, so a count read at one commit holds at every commit with the same blob).
import { GitSource, type GitSourceOptions } from '@plane/git';
import type { NodeCountReading } from '@plane/autoscale';
import { NodeCountError, readNodeCount } from '@plane/gitops';

export interface BranchReading {
  branch: string;
  /** The head read; null when the fetch failed. */
  commit: string | null;
  /** By file path. */
  counts: Map<string, NodeCountReading>;
}

const MAX_CACHED = 200_000;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class NodePoolReader {
  private readonly sources = new Map<string, GitSource>();
  /** `<commit>\0<dir>` -> file name -> blob id. */
  private trees = new Map<string, Map<string, string>>();
  /** blob id -> reading (the error text names no path: the caller adds it). */
  private readonly blobs = new Map<string, number | { error: string }>();
  stats = { fetches: 0, listings: 0, blobReads: 0 };

  constructor(private readonly source: Omit<GitSourceOptions, 'branch'>) {}

  private sourceFor(branch: string): GitSource {
    let s = this.sources.get(branch);
    if (!s) this.sources.set(branch, (s = new GitSource({ ...this.source, branch })));
    return s;
  }

  /** Reads the files of each branch (fetching each branch once). */
  async read(wanted: Map<string, Set<string>>): Promise<Map<string, BranchReading>> {
    const out = new Map<string, BranchReading>();
    const liveTrees = new Map<string, Map<string, string>>();
    await Promise.all(
      [...wanted].map(async ([branch, paths]) => {
        const reading = await this.readBranch(branch, paths, liveTrees);
        out.set(branch, reading);
      }),
    );
    // Listings of older heads are of no more use.
    this.trees = liveTrees;
    if (this.blobs.size > MAX_CACHED) this.blobs.clear();
    return out;
  }

  private async readBranch(branch: string, paths: Set<string>, liveTrees: Map<string, Map<string, string>>): Promise<BranchReading> {
    const git = this.sourceFor(branch);
    const counts = new Map<string, NodeCountReading>();
    let commit: string;
    try {
      commit = await git.fetch();
      this.stats.fetches++;
    } catch (err) {
      const why = `branch ${branch} not readable: ${(err as Error).message}`;
      for (const p of paths) counts.set(p, { error: `${p}: ${why}` });
      return { branch, commit: null, counts };
    }
    try {
      return { branch, commit, counts: await this.readAt(git, commit, paths, liveTrees) };
    } catch (err) {
      const why = `not readable at ${commit}: ${(err as Error).message}`;
      for (const p of paths) counts.set(p, { error: `${p}: ${why}` });
      return { branch, commit, counts };
    }
  }

  private async readAt(git: GitSource, commit: string, paths: Set<string>, liveTrees: Map<string, Map<string, string>>): Promise<Map<string, NodeCountReading>> {
    const counts = new Map<string, NodeCountReading>();
    const byDir = new Map<string, string[]>();
    for (const p of paths) {
      const d = dirOf(p);
      const list = byDir.get(d);
      if (list) list.push(p);
      else byDir.set(d, [p]);
    }
    const blobOf = new Map<string, string>();
    await Promise.all(
      [...byDir].map(async ([dir, files]) => {
        const key = `${commit}\0${dir}`;
        let tree = liveTrees.get(key) ?? this.trees.get(key);
        if (!tree) {
          tree = new Map();
          this.stats.listings++;
          for (const f of await git.listTree(commit, dir)) if (!f.path.includes('/')) tree.set(f.path, f.blob);
        }
        liveTrees.set(key, tree);
        for (const p of files) {
          const blob = tree.get(nameOf(p));
          if (blob !== undefined) blobOf.set(p, blob);
        }
      }),
    );
    const unread = [...new Set([...blobOf.values()].filter((b) => !this.blobs.has(b)))];
    if (unread.length > 0) {
      this.stats.blobReads += unread.length;
      const texts = await git.readBlobs(unread);
      for (const b of unread) this.blobs.set(b, parseCount(texts.get(b)));
    }
    for (const p of paths) {
      const blob = blobOf.get(p);
      if (blob === undefined) {
        counts.set(p, { error: `${p}: no such file` });
        continue;
      }
      const r = this.blobs.get(blob)!;
      counts.set(p, typeof r === 'number' ? r : { error: `${p}: ${r.error}` });
    }
    return counts;
  }
}

function parseCount(bytes: Buffer | undefined): number | { error: string } {
  if (bytes === undefined) return { error: 'blob not readable' };
  try {
    return readNodeCount(bytes.toString('latin1'));
  } catch (err) {
    if (err instanceof NodeCountError) return { error: err.message };
    throw err;
  }
}
