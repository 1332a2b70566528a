// Which files are declarations: the directory decides the kind.
import type { DeclarationKind } from './types.js';

export const KIND_DIRECTORIES: Readonly<Record<string, DeclarationKind>> = {
  gtm: 'gtm',
  autoscale: 'autoscale',
  regions: 'region',
};

export const DIRECTORY_OF_KIND: Readonly<Record<DeclarationKind, string>> = {
  gtm: 'gtm',
  autoscale: 'autoscale',
  region: 'regions',
};

export type PathClass =
  | { kind: DeclarationKind; baseName: string }
  /** Not a declaration; `warning` says why when the file looks like one that is misplaced. */
  | { kind?: undefined; warning?: string };

const YAML_EXTENSION = /\.ya?ml$/;

export function classifyPath(path: string): PathClass {
  const parts = path.split('/');
  const top = parts[0] ?? '';
  const kind = Object.prototype.hasOwnProperty.call(KIND_DIRECTORIES, top) ? KIND_DIRECTORIES[top] : undefined;
  if (kind === undefined || !YAML_EXTENSION.test(path)) return {};
  if (parts.length !== 2) {
    return { warning: `ignored: declarations live directly in ${top}/, not in subfolders or other paths` };
  }
  return { kind, baseName: (parts[1] ?? '').replace(YAML_EXTENSION, '') };
}

/** `${kind}/${name}`: one declaration per key. */
export function declarationKey(kind: DeclarationKind, name: string): string {
  return `${kind}/${name}`;
}
