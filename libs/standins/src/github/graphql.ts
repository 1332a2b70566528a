// The one GraphQL mutation the autoscaler sends: enablePullRequestAutoMerge. GraphQL answers 200
// even when it refuses; the refusal is in `errors` (with `data.enablePullRequestAutoMerge: null`),
// as GitHub does when the repository does not allow auto-merge.
import type { AutoMergeRequest, StandInState } from './state.js';

export interface GraphqlResult {
  body: unknown;
  summary: string;
}

const METHODS = new Set(['MERGE', 'SQUASH', 'REBASE']);

function refusal(message: string, type = 'UNPROCESSABLE'): GraphqlResult {
  return {
    summary: `graphql refused: ${message}`,
    body: { data: { enablePullRequestAutoMerge: null }, errors: [{ type, path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message }] },
  };
}

/** Reads an argument from the variables, or from a literal in the query (`pullRequestId: "PR_..."`). */
function argument(query: string, variables: Record<string, unknown>, name: string): string | undefined {
  // Not `$name: Type` (a variable declaration), only `name: "value"` or `name: ENUM` in the arguments.
  const literal = new RegExp(`(?<![$\\w])${name}\\s*:\\s*(?:"([^"]*)"|([A-Z_]+)(?![\\w!]))`).exec(query);
  if (literal) {
    if (literal[1] !== undefined) return literal[1];
    if (literal[2] !== undefined) return literal[2];
  }
  const variable = new RegExp(`(?<![$\\w])${name}\\s*:\\s*\\$(\\w+)`).exec(query);
  const value = variable ? variables[variable[1]!] : variables[name];
  return typeof value === 'string' ? value : undefined;
}

export function executeGraphql(state: StandInState, body: Record<string, unknown>, login: string): GraphqlResult {
  const query = typeof body.query === 'string' ? body.query : '';
  const variables = typeof body.variables === 'object' && body.variables !== null ? (body.variables as Record<string, unknown>) : {};
  if (!/\benablePullRequestAutoMerge\b/.test(query)) {
    return { summary: 'graphql: unsupported operation', body: { errors: [{ message: 'The GitHub stand-in implements only the enablePullRequestAutoMerge mutation' }] } };
  }
  const id = argument(query, variables, 'pullRequestId');
  if (id === undefined) return { summary: 'graphql: missing pullRequestId', body: { errors: [{ message: "Argument 'pullRequestId' on InputObject 'EnablePullRequestAutoMergeInput' is required" }] } };
  const method = argument(query, variables, 'mergeMethod');
  if (method !== undefined && !METHODS.has(method)) return refusal(`Argument 'mergeMethod' has an invalid value (${method})`, 'INVALID_ARGUMENT');
  const found = state.pullByNodeId(id);
  if (!found) return refusal(`Could not resolve to a node with the global id of '${id}'`, 'NOT_FOUND');
  const { repo, pull } = found;
  if (!repo.allowAutoMerge) return refusal('Auto merge is not allowed for this repository');
  if (pull.state !== 'open') return refusal(pull.merged ? 'Pull request is already merged' : 'Pull request is closed');
  const request: AutoMergeRequest = { enabled_by: { login }, merge_method: (method ?? 'MERGE').toLowerCase() as AutoMergeRequest['merge_method'], commit_title: null, commit_message: null };
  pull.auto_merge = request;
  return {
    summary: `auto-merge #${pull.number} (${request.merge_method})`,
    body: {
      data: {
        enablePullRequestAutoMerge: {
          clientMutationId: null,
          pullRequest: { id: pull.node_id, number: pull.number, autoMergeRequest: { enabledAt: new Date().toISOString(), mergeMethod: request.merge_method.toUpperCase(), enabledBy: { login } } },
        },
      },
    },
  };
}
