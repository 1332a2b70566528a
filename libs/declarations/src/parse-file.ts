// One file: bytes -> YAML -> schema -> semantic checks -> normalized
// declaration. Pure in its input, so a caller may cache it by git blob id.
import { checkAutoscale, normalizeAutoscale } from './autoscale.js';
import { FileReport, sortDiagnostics } from './diagnostics.js';
import { declarationDigest } from './digest.js';
import type { FileContext } from './file-context.js';
import { checkGtm, normalizeGtm } from './gtm.js';
import { classifyPath } from './paths.js';
import { checkRegion, normalizeRegion } from './region.js';
import { reportSchemaErrors } from './schema-messages.js';
import { loadSchemas, schemaErrors } from './schemas.js';
import type { Declaration, DeclarationKind, FileResult, ParseOptions, SourceFile } from './types.js';
import { DEFAULT_MAX_FILE_BYTES, parseYamlSource } from './yaml-source.js';
import type { RawMap } from './raw.js';

export function parseDeclarationFile(file: SourceFile, options: ParseOptions = {}): FileResult {
  const report = new FileReport(file.path);
  const where = classifyPath(file.path);
  if (where.kind === undefined) {
    report.errorAt(1, 1, where.warning ?? 'not a declaration path: expected gtm/<service>.yaml, autoscale/<service>.yaml or regions/<region>.yaml');
    return { errors: report.finishErrors(), warnings: report.warnings };
  }
  const { kind, baseName } = where;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const parsed = parseYamlSource(file.content, maxFileBytes, report);
  const declaration = parsed.data === undefined ? undefined : checkAndNormalize(kind, parsed.data, { file: file.path, baseName, report }, options);
  const result: FileResult = { errors: report.finishErrors(), warnings: sortDiagnostics(report.warnings) };
  if (declaration !== undefined) result.declaration = declaration;
  return result;
}

function checkAndNormalize(kind: DeclarationKind, data: RawMap, ctx: FileContext, options: ParseOptions): Declaration | undefined {
  const schemas = loadSchemas(options.schemasDir);
  reportSchemaErrors(schemaErrors(schemas, kind, data), data, ctx.report);
  switch (kind) {
    case 'gtm': {
      checkGtm(data, ctx);
      if (ctx.report.errorCount > 0) return undefined;
      const { name, spec, locations } = normalizeGtm(data, ctx);
      const declaration: Declaration<'gtm'> = { kind, name, file: ctx.file, spec, digest: declarationDigest(kind, name, spec), locations };
      return declaration;
    }
    case 'autoscale': {
      checkAutoscale(data, ctx);
      if (ctx.report.errorCount > 0) return undefined;
      const { name, spec, locations } = normalizeAutoscale(data, ctx);
      const declaration: Declaration<'autoscale'> = { kind, name, file: ctx.file, spec, digest: declarationDigest(kind, name, spec), locations };
      return declaration;
    }
    case 'region': {
      checkRegion(data, ctx);
      if (ctx.report.errorCount > 0) return undefined;
      const { name, spec, locations } = normalizeRegion(data, ctx);
      const declaration: Declaration<'region'> = { kind, name, file: ctx.file, spec, digest: declarationDigest(kind, name, spec), locations };
      return declaration;
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown kind ${String(unreachable)}`);
    }
  }
}
