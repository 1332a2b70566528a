// Command-line flags with an environment twin for each (`--nats-url` = `PLANE_NATS_URL`).
// Invalid or missing settings are a ConfigError; `runMain` turns it into one line and exit 2.
import { parseDurationMs } from './duration.js';

export type FlagType = 'string' | 'int' | 'number' | 'duration' | 'bool' | 'list';

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  default?: string | number | boolean | string[];
  required?: boolean;
  /** Extra environment variables read when neither the flag nor PLANE_<NAME> is set. */
  envAliases?: string[];
}

export type FlagValue = string | number | boolean | string[] | undefined;
export type FlagValues = Record<string, FlagValue>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function envNameOf(flag: string): string {
  return `PLANE_${flag.replace(/-/g, '_').toUpperCase()}`;
}

function convert(spec: FlagSpec, raw: string, where: string): FlagValue {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${where}: expected an integer, got "${raw}"`);
      return Number(raw);
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${where}: expected a number, got "${raw}"`);
      return n;
    }
    case 'duration':
      try {
        return parseDurationMs(raw);
      } catch (err) {
        throw new ConfigError(`${where}: ${(err as Error).message}`);
      }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`${where}: expected true or false, got "${raw}"`);
    }
  }
}

function defaultOf(spec: FlagSpec): FlagValue {
  if (spec.default === undefined) return spec.type === 'bool' ? false : undefined;
  if (spec.type === 'duration' && typeof spec.default === 'string') return parseDurationMs(spec.default);
  return spec.default;
}

/**
 * Parses `--name value`, `--name=value`, `--flag` (bool) and `--no-flag`. Positional arguments are
 * returned separately. A flag wins over its environment variable, which wins over the default.
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: Record<string, string | undefined> = process.env,
): { values: FlagValues; positionals: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const given = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && value === undefined) {
      const negated = byName.get(name.slice(3));
      if (negated?.type === 'bool') {
        spec = negated;
        value = 'false';
      }
    }
    if (!spec) throw new ConfigError(`unknown flag --${name} (see --help)`);
    if (value === undefined) {
      if (spec.type === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
        value = next;
        i++;
      }
    }
    const list = given.get(spec.name) ?? [];
    list.push(value);
    given.set(spec.name, list);
  }

  const values: FlagValues = {};
  for (const spec of specs) {
    const fromFlag = given.get(spec.name);
    if (fromFlag) {
      const converted = fromFlag.map((raw) => convert(spec, raw, `--${spec.name}`));
      values[spec.name] =
        spec.type === 'list' ? converted.flatMap((v) => v as string[]) : converted[converted.length - 1];
      continue;
    }
    const envNames = [envNameOf(spec.name), ...(spec.envAliases ?? [])];
    const envName = envNames.find((n) => env[n] !== undefined && env[n] !== '');
    if (envName) {
      values[spec.name] = convert(spec, env[envName]!, envName);
      continue;
    }
    // --help answers even when required settings are missing.
    if (spec.required && !given.has('help')) throw new ConfigError(`--${spec.name} is required (or set ${envNameOf(spec.name)})`);
    values[spec.name] = defaultOf(spec);
  }
  return { values, positionals };
}

export function helpText(program: string, summary: string, specs: readonly FlagSpec[]): string {
  const lines = [`${program}: ${summary}`, '', 'Flags (each also read from PLANE_<NAME> in the environment):'];
  for (const s of specs) {
    const def = s.default !== undefined ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})` : '';
    lines.push(`  --${s.name}${s.type === 'bool' ? '' : ' ' + s.type.toUpperCase()}${s.required ? ' (required)' : ''}  ${s.description}${def}`);
  }
  return lines.join('\n');
}
