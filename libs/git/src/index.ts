export { GitSource, GitError, redactUrl, normalizeRepoUrl, readFileAt, type GitSourceOptions, type TreeFile } from './git-source.js';
