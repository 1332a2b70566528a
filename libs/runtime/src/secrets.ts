import { readFileSync } from 'node:fs';
import { ConfigError } from './flags.js';

/** A secret named by reference: an environment variable or a file. The value is never logged. */
export type SecretRef = { env: string } | { file: string };

export function readSecret(ref: SecretRef, env: Record<string, string | undefined> = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new ConfigError(`secret: environment variable ${ref.env} is not set`);
    return v.trim();
  }
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (err) {
    throw new ConfigError(`secret: cannot read file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const v = text.trim();
  if (v === '') throw new ConfigError(`secret: file ${ref.file} is empty`);
  return v;
}

export function readSecretFile(path: string): string {
  return readSecret({ file: path });
}
