// The REST routes the autoscaler's pull-request flow uses, with GitHub's status codes and error
// messages for the cases that matter to a client: 404 for a missing file/ref/branch, 409 when the
// blob sha is stale, 422 when the sha is missing, the ref exists or the pull request exists.
import { DOCS, GhError, notFound, validationFailed } from './errors.js';
import { blobSha, nextId, nowIso, type Identity, type StandInPull, type StandInRepo, type StandInState } from './state.js';

export interface RouteContext {
  state: StandInState;
  repo: StandInRepo;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The stand-in's own base URL, for the `url` / `html_url` fields. */
  base: string;
  /** The login the token belongs to. */
  login: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** What the request changed, for the request log. */
  summary?: string;
}

type Handler = (ctx: RouteContext) => RouteResult;

interface Route {
  method: string;
  /** Segments after /repos/{owner}/{repo}; `:name` binds one segment, `*name` the rest. */
  pattern: string[];
  handler: Handler;
}

const DOC_CONTENTS = 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents';
const DOC_GET_CONTENT = 'https://docs.github.com/rest/repos/contents#get-repository-content';
const DOC_REFS = 'https://docs.github.com/rest/git/refs#create-a-reference';
const DOC_GET_REF = 'https://docs.github.com/rest/git/refs#get-a-reference';
const DOC_PULLS = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
const DOC_UPDATE_PULL = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';
const DOC_COMMENTS = 'https://docs.github.com/rest/issues/comments#create-an-issue-comment';

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function repoJson(ctx: RouteContext) {
  const { repo, base } = ctx;
  return { id: repo.id, node_id: `R_${Buffer.from(repo.fullName).toString('base64url')}`, name: repo.name, full_name: repo.fullName, private: true, owner: { login: repo.owner, type: 'Organization' }, html_url: `${base}/${repo.fullName}`, url: `${base}/repos/${repo.fullName}`, default_branch: repo.defaultBranch, allow_auto_merge: repo.allowAutoMerge };
}

function fileJson(ctx: RouteContext, path: string, content: Buffer, ref: string, withContent: boolean) {
  const sha = blobSha(content);
  const { base, repo } = ctx;
  const url = `${base}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const json: Record<string, unknown> = {
    type: 'file',
    name: path.split('/').pop(),
    path,
    sha,
    size: content.length,
    url,
    html_url: `${base}/${repo.fullName}/blob/${ref}/${path}`,
    git_url: `${base}/repos/${repo.fullName}/git/blobs/${sha}`,
    download_url: `${base}/raw/${repo.fullName}/${ref}/${path}`,
    _links: { self: url, git: `${base}/repos/${repo.fullName}/git/blobs/${sha}`, html: `${base}/${repo.fullName}/blob/${ref}/${path}` },
  };
  if (withContent) {
    json.encoding = 'base64';
    // GitHub wraps base64 content at 60 characters.
    json.content = (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n';
  }
  return json;
}

function getContent(ctx: RouteContext): RouteResult {
  const path = ctx.params.path!.replace(/^\/+|\/+$/g, '');
  const ref = ctx.query.get('ref') ?? ctx.repo.defaultBranch;
  const commit = ctx.repo.resolve(ref);
  if (!commit) throw new GhError(404, `No commit found for the ref ${ref}`, DOC_GET_CONTENT);
  const content = commit.tree.get(path);
  if (content) return { status: 200, body: fileJson(ctx, path, content, ref, true) };
  const prefix = path === '' ? '' : `${path}/`;
  const children = new Map<string, 'file' | 'dir'>();
  for (const p of commit.tree.keys()) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    children.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? 'file' : 'dir');
  }
  if (children.size === 0) throw notFound(DOC_GET_CONTENT);
  const listing = [...children.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, type]) => {
    const full = prefix + name;
    return type === 'file' ? fileJson(ctx, full, commit.tree.get(full)!, ref, false) : { type: 'dir', name, path: full, sha: null, size: 0 };
  });
  return { status: 200, body: listing };
}

function identity(body: Record<string, unknown>, key: string, fallback: Identity): Identity {
  const v = body[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'object' || v === null || typeof (v as Record<string, unknown>).name !== 'string' || typeof (v as Record<string, unknown>).email !== 'string') {
    throw new GhError(422, `Invalid request.\n\n"name" and "email" are required for "${key}".`, DOC_CONTENTS);
  }
  const o = v as { name: string; email: string; date?: unknown };
  return { name: o.name, email: o.email, date: typeof o.date === 'string' ? o.date : fallback.date };
}

function putContent(ctx: RouteContext): RouteResult {
  const { repo, body } = ctx;
  const path = ctx.params.path!.replace(/^\/+|\/+$/g, '');
  const message = str(body, 'message');
  const content = str(body, 'content');
  if (message === undefined) throw new GhError(422, 'Invalid request.\n\n"message" wasn\'t supplied.', DOC_CONTENTS);
  if (content === undefined) throw new GhError(422, 'Invalid request.\n\n"content" wasn\'t supplied.', DOC_CONTENTS);
  if (!/^[A-Za-z0-9+/=\r\n]*$/.test(content)) throw new GhError(422, 'content is not valid Base64', DOC_CONTENTS);
  const branch = str(body, 'branch') ?? repo.defaultBranch;
  const head = repo.resolve(branch);
  if (!head || !repo.branches.has(branch.replace(/^refs\/heads\//, ''))) throw new GhError(404, `Branch ${branch} not found`, DOC_CONTENTS);
  const existing = head.tree.get(path);
  const sha = str(body, 'sha');
  if (existing) {
    if (sha === undefined) throw new GhError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', DOC_CONTENTS);
    if (sha !== blobSha(existing)) throw new GhError(409, `${path} does not match ${sha}`, DOC_CONTENTS);
  }
  const t = nowIso();
  const who: Identity = { name: ctx.login, email: `${ctx.login}@users.noreply.stand-in`, date: t };
  const committer = identity(body, 'committer', who);
  const author = identity(body, 'author', committer);
  const bytes = Buffer.from(content, 'base64');
  const commit = repo.commitOnBranch(branch.replace(/^refs\/heads\//, ''), { [path]: bytes }, message, author, committer);
  const { base } = ctx;
  return {
    status: existing ? 200 : 201,
    summary: `${existing ? 'update' : 'create'} ${path} on ${branch} -> ${commit.sha.slice(0, 7)}`,
    body: {
      content: fileJson(ctx, path, bytes, branch, false),
      commit: {
        sha: commit.sha,
        node_id: `C_${commit.sha}`,
        url: `${base}/repos/${repo.fullName}/git/commits/${commit.sha}`,
        html_url: `${base}/${repo.fullName}/commit/${commit.sha}`,
        author,
        committer,
        message,
        tree: { sha: repo.treeSha(commit), url: `${base}/repos/${repo.fullName}/git/trees/${repo.treeSha(commit)}` },
        parents: commit.parents.map((p) => ({ sha: p, url: `${base}/repos/${repo.fullName}/git/commits/${p}`, html_url: `${base}/${repo.fullName}/commit/${p}` })),
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
      },
    },
  };
}

function refJson(ctx: RouteContext, branch: string, sha: string) {
  const { base, repo } = ctx;
  return { ref: `refs/heads/${branch}`, node_id: `REF_${Buffer.from(`${repo.fullName}:${branch}`).toString('base64url')}`, url: `${base}/repos/${repo.fullName}/git/refs/heads/${branch}`, object: { sha, type: 'commit', url: `${base}/repos/${repo.fullName}/git/commits/${sha}` } };
}

function getRef(ctx: RouteContext): RouteResult {
  const ref = ctx.params.ref!;
  const m = /^heads\/(.+)$/.exec(ref);
  const sha = m ? ctx.repo.branches.get(m[1]!) : undefined;
  if (!m || sha === undefined) throw notFound(DOC_GET_REF);
  return { status: 200, body: refJson(ctx, m[1]!, sha) };
}

function createRef(ctx: RouteContext): RouteResult {
  const ref = str(ctx.body, 'ref');
  const sha = str(ctx.body, 'sha');
  if (ref === undefined) throw new GhError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', DOC_REFS);
  if (sha === undefined) throw new GhError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', DOC_REFS);
  const m = /^refs\/heads\/(.+)$/.exec(ref);
  if (!m || /(^|\/)\.|\.\.|\/\/|\/$|\.lock$|[\s~^:?*[\\]/.test(m[1]!)) throw new GhError(422, `${ref} is not a valid ref name.`, DOC_REFS);
  if (!ctx.repo.commits.has(sha)) throw new GhError(422, 'Object does not exist', DOC_REFS);
  if (ctx.repo.branches.has(m[1]!)) throw new GhError(422, 'Reference already exists', DOC_REFS);
  ctx.repo.branches.set(m[1]!, sha);
  return { status: 201, body: refJson(ctx, m[1]!, sha), summary: `create ref ${ref} at ${sha.slice(0, 7)}` };
}

export function pullJson(ctx: Pick<RouteContext, 'base' | 'repo'> & Partial<RouteContext>, pull: StandInPull) {
  const { base, repo } = ctx;
  const headSha = repo.headSha(pull);
  const baseSha = repo.branches.get(pull.base) ?? '';
  const branchJson = (ref: string, sha: string) => ({ label: `${repo.owner}:${ref}`, ref, sha, user: { login: repo.owner }, repo: { id: repo.id, name: repo.name, full_name: repo.fullName } });
  return {
    url: `${base}/repos/${repo.fullName}/pulls/${pull.number}`,
    id: pull.id,
    node_id: pull.node_id,
    html_url: `${base}/${repo.fullName}/pull/${pull.number}`,
    issue_url: `${base}/repos/${repo.fullName}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: { login: pull.user, type: 'User' },
    body: pull.body,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: pull.closed_at,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
    draft: pull.draft,
    head: branchJson(pull.head, headSha),
    base: branchJson(pull.base, baseSha),
    auto_merge: pull.auto_merge,
    merged: pull.merged,
    mergeable: pull.state === 'open' ? true : null,
    comments: repo.comments.filter((c) => c.issue_number === pull.number).length,
  };
}

function parseHead(ctx: RouteContext, head: string): string | undefined {
  const i = head.indexOf(':');
  if (i === -1) return head;
  return head.slice(0, i).toLowerCase() === ctx.repo.owner.toLowerCase() ? head.slice(i + 1) : undefined;
}

function listPulls(ctx: RouteContext): RouteResult {
  const state = ctx.query.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw validationFailed('https://docs.github.com/rest/pulls/pulls#list-pull-requests', { resource: 'PullRequest', field: 'state', code: 'invalid' });
  const head = ctx.query.get('head');
  const headBranch = head === null ? null : parseHead(ctx, head);
  const baseBranch = ctx.query.get('base');
  const direction = ctx.query.get('direction') ?? 'desc';
  const all = ctx.repo.pulls
    .filter((p) => state === 'all' || p.state === state)
    .filter((p) => headBranch === null || p.head === headBranch)
    .filter((p) => baseBranch === null || p.base === baseBranch)
    .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const pages = Math.max(1, Math.ceil(all.length / perPage));
  const headers: Record<string, string> = {};
  if (page < pages) {
    const next = new URLSearchParams(ctx.query);
    next.set('page', String(page + 1));
    const last = new URLSearchParams(ctx.query);
    last.set('page', String(pages));
    const self = `${ctx.base}/repos/${ctx.repo.fullName}/pulls`;
    headers.link = `<${self}?${next.toString()}>; rel="next", <${self}?${last.toString()}>; rel="last"`;
  }
  return { status: 200, headers, body: all.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(ctx, p)) };
}

function findPull(ctx: RouteContext): StandInPull {
  const n = Number(ctx.params.number);
  const pull = ctx.repo.pulls.find((p) => p.number === n);
  if (!pull) throw notFound('https://docs.github.com/rest/pulls/pulls#get-a-pull-request');
  return pull;
}

function createPull(ctx: RouteContext): RouteResult {
  const { repo, body } = ctx;
  const title = str(body, 'title');
  const head = str(body, 'head');
  const base = str(body, 'base');
  const missing = [title === undefined && 'title', head === undefined && 'head', base === undefined && 'base'].filter((x): x is string => typeof x === 'string');
  if (missing.length > 0) throw validationFailed(DOC_PULLS, ...missing.map((field) => ({ resource: 'PullRequest', field, code: 'missing_field' })));
  const headBranch = parseHead(ctx, head!);
  if (headBranch === undefined || !repo.branches.has(headBranch)) throw validationFailed(DOC_PULLS, { resource: 'PullRequest', field: 'head', code: 'invalid' });
  if (!repo.branches.has(base!)) throw validationFailed(DOC_PULLS, { resource: 'PullRequest', field: 'base', code: 'invalid' });
  if (repo.pulls.some((p) => p.state === 'open' && p.head === headBranch && p.base === base)) {
    throw validationFailed(DOC_PULLS, { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${headBranch}.` });
  }
  if (repo.commitsAhead(repo.branches.get(base!)!, repo.branches.get(headBranch)!) === 0) {
    throw validationFailed(DOC_PULLS, { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${headBranch}` });
  }
  const t = nowIso();
  const number = repo.takeNumber();
  const pull: StandInPull = {
    number,
    id: nextId(),
    node_id: `PR_${Buffer.from(`${repo.fullName}#${number}`).toString('base64url')}`,
    title: title!,
    body: str(body, 'body') ?? null,
    state: 'open',
    head: headBranch,
    base: base!,
    frozenHeadSha: null,
    merged: false,
    merged_at: null,
    merge_commit_sha: null,
    closed_at: null,
    created_at: t,
    updated_at: t,
    auto_merge: null,
    user: ctx.login,
    draft: body.draft === true,
  };
  repo.pulls.push(pull);
  return { status: 201, body: pullJson(ctx, pull), summary: `open #${number} ${headBranch} -> ${base}` };
}

function updatePull(ctx: RouteContext): RouteResult {
  const pull = findPull(ctx);
  const { body, repo } = ctx;
  const state = body.state;
  if (state !== undefined && state !== 'open' && state !== 'closed') throw validationFailed(DOC_UPDATE_PULL, { resource: 'PullRequest', field: 'state', code: 'invalid' });
  const changes: string[] = [];
  if (typeof body.title === 'string') {
    pull.title = body.title;
    changes.push('title');
  }
  if (typeof body.body === 'string') {
    pull.body = body.body;
    changes.push('body');
  }
  if (state === 'closed' && pull.state === 'open') {
    pull.state = 'closed';
    pull.closed_at = nowIso();
    pull.frozenHeadSha = repo.branches.get(pull.head) ?? null;
    pull.auto_merge = null;
    changes.push('closed');
  } else if (state === 'open' && pull.state === 'closed') {
    if (pull.merged) throw validationFailed(DOC_UPDATE_PULL, { resource: 'PullRequest', code: 'custom', message: 'Cannot reopen a merged pull request' });
    pull.state = 'open';
    pull.closed_at = null;
    pull.frozenHeadSha = null;
    changes.push('reopened');
  }
  pull.updated_at = nowIso();
  return { status: 200, body: pullJson(ctx, pull), summary: `update #${pull.number}${changes.length > 0 ? ` ${changes.join(',')}` : ''}` };
}

function commentJson(ctx: RouteContext, c: { id: number; node_id: string; body: string; user: string; created_at: string; issue_number: number }) {
  const { base, repo } = ctx;
  return { id: c.id, node_id: c.node_id, url: `${base}/repos/${repo.fullName}/issues/comments/${c.id}`, html_url: `${base}/${repo.fullName}/pull/${c.issue_number}#issuecomment-${c.id}`, issue_url: `${base}/repos/${repo.fullName}/issues/${c.issue_number}`, body: c.body, user: { login: c.user, type: 'User' }, created_at: c.created_at, updated_at: c.created_at };
}

function createComment(ctx: RouteContext): RouteResult {
  const n = Number(ctx.params.number);
  if (!ctx.repo.pulls.some((p) => p.number === n)) throw notFound(DOC_COMMENTS);
  const body = str(ctx.body, 'body');
  if (body === undefined || body === '') throw validationFailed(DOC_COMMENTS, { resource: 'IssueComment', field: 'body', code: 'missing_field' });
  const id = nextId();
  const comment = { id, node_id: `IC_${id}`, issue_number: n, body, user: ctx.login, created_at: nowIso() };
  ctx.repo.comments.push(comment);
  return { status: 201, body: commentJson(ctx, comment), summary: `comment on #${n}` };
}

function listComments(ctx: RouteContext): RouteResult {
  const n = Number(ctx.params.number);
  if (!ctx.repo.pulls.some((p) => p.number === n)) throw notFound(DOC_COMMENTS);
  return { status: 200, body: ctx.repo.comments.filter((c) => c.issue_number === n).map((c) => commentJson(ctx, c)) };
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: [], handler: (ctx) => ({ status: 200, body: repoJson(ctx) }) },
  { method: 'GET', pattern: ['contents', '*path'], handler: getContent },
  { method: 'GET', pattern: ['contents'], handler: (ctx) => getContent({ ...ctx, params: { ...ctx.params, path: '' } }) },
  { method: 'PUT', pattern: ['contents', '*path'], handler: putContent },
  { method: 'GET', pattern: ['git', 'ref', '*ref'], handler: getRef },
  { method: 'GET', pattern: ['git', 'refs', '*ref'], handler: getRef },
  { method: 'POST', pattern: ['git', 'refs'], handler: createRef },
  { method: 'GET', pattern: ['pulls'], handler: listPulls },
  { method: 'POST', pattern: ['pulls'], handler: createPull },
  { method: 'GET', pattern: ['pulls', ':number'], handler: (ctx) => ({ status: 200, body: pullJson(ctx, findPull(ctx)) }) },
  { method: 'PATCH', pattern: ['pulls', ':number'], handler: updatePull },
  { method: 'POST', pattern: ['issues', ':number', 'comments'], handler: createComment },
  { method: 'GET', pattern: ['issues', ':number', 'comments'], handler: listComments },
];

/** Finds the route for the segments after /repos/{owner}/{repo} (each already percent-decoded). */
export function matchRepoRoute(method: string, segments: string[]): { handler: Handler; params: Record<string, string> } | undefined {
  routes: for (const route of ROUTES) {
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < route.pattern.length; i++) {
      const p = route.pattern[i]!;
      const s = segments[i];
      if (p.startsWith('*')) {
        if (s === undefined) continue routes;
        params[p.slice(1)] = segments.slice(i).join('/');
        return { handler: route.handler, params };
      }
      if (s === undefined) continue routes;
      if (p.startsWith(':')) {
        if (p === ':number' && !/^\d+$/.test(s)) continue routes;
        params[p.slice(1)] = s;
      } else if (p !== s) continue routes;
    }
    if (segments.length === route.pattern.length) return { handler: route.handler, params };
  }
  return undefined;
}

export { DOCS };
