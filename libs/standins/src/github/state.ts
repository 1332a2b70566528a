// The stand-in's repositories: commits holding whole trees of files (path -> bytes), branches
// pointing at commits, pull requests and their comments. Blob shas are git's own
// (sha1 of "blob <size>\0<bytes>"), so a client that computes them locally agrees with us.
import { createHash } from 'node:crypto';

export interface Identity {
  name: string;
  email: string;
  date: string;
}

export interface StandInCommit {
  sha: string;
  parents: string[];
  /** Repository path -> content. */
  tree: Map<string, Buffer>;
  message: string;
  author: Identity;
  committer: Identity;
}

export interface AutoMergeRequest {
  enabled_by: { login: string };
  merge_method: 'merge' | 'squash' | 'rebase';
  commit_title: string | null;
  commit_message: string | null;
}

export interface StandInPull {
  number: number;
  id: number;
  node_id: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  /** Branch names in this repository. */
  head: string;
  base: string;
  /** The head commit when the pull request was closed or merged (a live branch moves on). */
  frozenHeadSha: string | null;
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  auto_merge: AutoMergeRequest | null;
  user: string;
  draft: boolean;
}

export interface StandInComment {
  id: number;
  node_id: string;
  issue_number: number;
  body: string;
  user: string;
  created_at: string;
}

let idCounter = 1000;
export function nextId(): number {
  return ++idCounter;
}

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function treeSha(tree: Map<string, Buffer>): string {
  const h = createHash('sha1');
  for (const path of [...tree.keys()].sort()) h.update(`${path}\0${blobSha(tree.get(path)!)}\n`);
  return h.digest('hex');
}

export class StandInRepo {
  readonly commits = new Map<string, StandInCommit>();
  readonly branches = new Map<string, string>();
  readonly pulls: StandInPull[] = [];
  readonly comments: StandInComment[] = [];
  readonly id = nextId();
  private nextNumber = 1;

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
    public allowAutoMerge: boolean,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  takeNumber(): number {
    return this.nextNumber++;
  }

  treeSha(commit: StandInCommit): string {
    return treeSha(commit.tree);
  }

  /** Records a commit; its sha is a hash of its tree, parents, message and identities. */
  addCommit(parents: string[], tree: Map<string, Buffer>, message: string, author: Identity, committer: Identity = author): StandInCommit {
    const sha = createHash('sha1')
      .update(`tree ${treeSha(tree)}\n${parents.map((p) => `parent ${p}\n`).join('')}author ${author.name} <${author.email}> ${author.date}\ncommitter ${committer.name} <${committer.email}> ${committer.date}\n\n${message}\n${nextId()}`)
      .digest('hex');
    const commit: StandInCommit = { sha, parents, tree, message, author, committer };
    this.commits.set(sha, commit);
    return commit;
  }

  /** A commit by sha, or the head of a branch (`main`, `heads/main`, `refs/heads/main`). */
  resolve(ref: string): StandInCommit | undefined {
    const branch = ref.replace(/^refs\//, '').replace(/^heads\//, '');
    const sha = this.branches.get(branch) ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : undefined);
    return sha === undefined ? undefined : this.commits.get(sha);
  }

  /** Writes files on a branch (null deletes) as one commit; returns it. */
  commitOnBranch(branch: string, changes: Record<string, Buffer | null>, message: string, author: Identity, committer: Identity = author): StandInCommit {
    const parentSha = this.branches.get(branch);
    const parent = parentSha === undefined ? undefined : this.commits.get(parentSha);
    const tree = new Map(parent?.tree ?? []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) tree.delete(path);
      else tree.set(path, content);
    }
    const commit = this.addCommit(parent ? [parent.sha] : [], tree, message, author, committer);
    this.branches.set(branch, commit.sha);
    return commit;
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return seen;
  }

  /** The nearest common ancestor of two commits (breadth first from `b`). */
  mergeBase(a: string, b: string): string | undefined {
    const ofA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const s = queue.shift()!;
      if (ofA.has(s)) return s;
      if (seen.has(s)) continue;
      seen.add(s);
      queue.push(...(this.commits.get(s)?.parents ?? []));
    }
    return undefined;
  }

  /** Commits on `head` that `base` does not have. */
  commitsAhead(base: string, head: string): number {
    const ofBase = this.ancestors(base);
    return [...this.ancestors(head)].filter((s) => !ofBase.has(s)).length;
  }

  headSha(pull: StandInPull): string {
    return pull.frozenHeadSha ?? this.branches.get(pull.head) ?? '';
  }

  /**
   * Merges a pull request the way the merge button does: a merge commit on the base carrying the
   * head's changes since the merge base. Throws when both sides changed a file differently.
   */
  merge(pull: StandInPull, by: Identity): StandInCommit {
    if (pull.state !== 'open') throw new Error(`pull request #${pull.number} is ${pull.merged ? 'merged' : 'closed'}`);
    const baseSha = this.branches.get(pull.base);
    const headSha = this.branches.get(pull.head);
    if (baseSha === undefined || headSha === undefined) throw new Error(`pull request #${pull.number}: branch ${baseSha === undefined ? pull.base : pull.head} is gone`);
    const mb = this.mergeBase(baseSha, headSha);
    const baseTree = this.commits.get(baseSha)!.tree;
    const headTree = this.commits.get(headSha)!.tree;
    const mbTree = mb === undefined ? new Map<string, Buffer>() : this.commits.get(mb)!.tree;
    const merged = new Map(baseTree);
    const paths = new Set([...headTree.keys(), ...mbTree.keys()]);
    for (const path of paths) {
      const theirs = headTree.get(path);
      const ancestor = mbTree.get(path);
      if (same(theirs, ancestor)) continue; // the head did not touch it
      const ours = baseTree.get(path);
      if (!same(ours, ancestor) && !same(ours, theirs)) throw new Error(`pull request #${pull.number}: merge conflict in ${path}`);
      if (theirs === undefined) merged.delete(path);
      else merged.set(path, theirs);
    }
    const commit = this.addCommit([baseSha, headSha], merged, `Merge pull request #${pull.number} from ${this.owner}/${pull.head}\n\n${pull.title}`, by);
    this.branches.set(pull.base, commit.sha);
    const t = nowIso();
    pull.state = 'closed';
    pull.merged = true;
    pull.merged_at = t;
    pull.closed_at = t;
    pull.updated_at = t;
    pull.merge_commit_sha = commit.sha;
    pull.frozenHeadSha = headSha;
    return commit;
  }
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

export class StandInState {
  readonly repos = new Map<string, StandInRepo>();

  repo(owner: string, name: string): StandInRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  addRepo(repo: StandInRepo): void {
    this.repos.set(repo.fullName.toLowerCase(), repo);
  }

  pullByNodeId(nodeId: string): { repo: StandInRepo; pull: StandInPull } | undefined {
    for (const repo of this.repos.values()) {
      const pull = repo.pulls.find((p) => p.node_id === nodeId);
      if (pull) return { repo, pull };
    }
    return undefined;
  }
}
