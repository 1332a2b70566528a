// A whole platform-config tree: every file on its own, then the set.
import { crossCheck } from './cross-check.js';
import { sortDiagnostics } from './diagnostics.js';
import { parseDeclarationFile } from './parse-file.js';
import { classifyPath } from './paths.js';
import type { Declaration, DeclarationError, DeclarationWarning, ParseOptions, SourceFile, ValidationResult } from './types.js';

/**
 * Parses, schema-validates and normalizes each file, then cross-checks the
 * set. Files outside gtm/, autoscale/ and regions/, or not .yaml/.yml, are
 * ignored; a .yaml in a subfolder of those gets a warning. Never throws on
 * bad input; all errors of all files come back sorted by file, line, column.
 */
export function validateTree(files: SourceFile[], options: ParseOptions = {}): ValidationResult {
  const declarations: Declaration[] = [];
  const errors: DeclarationError[] = [];
  const warnings: DeclarationWarning[] = [];
  const regionFiles = new Set<string>();
  let hasRegionsDir = false;
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (file.path.startsWith('regions/')) hasRegionsDir = true;
    const where = classifyPath(file.path);
    if (where.kind === undefined) {
      if (where.warning !== undefined) warnings.push({ file: file.path, line: 1, column: 1, path: '', message: where.warning });
      continue;
    }
    if (where.kind === 'region') regionFiles.add(where.baseName);
    const result = parseDeclarationFile(file, options);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    if (result.declaration !== undefined) declarations.push(result.declaration);
  }
  const cross = crossCheck(declarations, { hasRegionsDir, regionFiles });
  errors.push(...cross.errors);
  warnings.push(...cross.warnings);
  return { declarations, errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };
}
