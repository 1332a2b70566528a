export { GitSource, GitError, redactUrl, normalizeRepoUrl, type GitSourceOptions, type TreeFile } from './git-source.js';
