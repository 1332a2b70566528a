// @plane/declarations: the platform-config declaration format
// (docs/declarations.md) parsed, validated, normalized and
// cross-checked. The single public face of the package.
export type {
  AlidnsDnsSpec,
  AnyDeclaration,
  AutoscaleGlobalSpec,
  AutoscaleRegionSpec,
  AutoscaleSpec,
  CloudflareDnsSpec,
  CredentialsRef,
  CrossCheckOptions,
  Declaration,
  DeclarationError,
  DeclarationKind,
  DeclarationWarning,
  DnsProviderName,
  DnsSpec,
  FailoverMode,
  FileResult,
  GitSpec,
  GtmDomainSpec,
  GtmRegionSpec,
  GtmSpec,
  HealthSpec,
  NodeMode,
  ParseOptions,
  PowerdnsDnsSpec,
  RegionProvider,
  RegionSpec,
  Route53DnsSpec,
  SourceFile,
  SourceLocation,
  SpecOf,
  ValidationResult,
  WeightingSpec,
} from './types.js';
export { validateTree } from './validate-tree.js';
export { parseDeclarationFile } from './parse-file.js';
export { crossCheck, resolveNodePool, asAnyDeclaration } from './cross-check.js';
export { readDirectory, type ReadDirectoryOptions } from './read-directory.js';
export { formatError, compareDiagnostics } from './diagnostics.js';
export { parseDuration, formatDuration } from './durations.js';
export { declarationKey, classifyPath, type PathClass } from './paths.js';
export { canonicalJson, declarationDigest } from './digest.js';
export { loadSchemas, resolveSchemasDir, type DeclarationSchemas } from './schemas.js';
export { DEFAULT_MAX_FILE_BYTES, MAX_NESTING } from './yaml-source.js';
export { defaultNodePool } from './defaults.js';
