import { ConfigError } from './flags.js';

/**
 * Runs a program's main function: a ConfigError (bad or missing setting) prints one line and
 * exits 2; any other failure prints one line and exits 1.
 */
export function runMain(program: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${program}: ${err.message}\n`);
        process.exit(2);
      }
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${program}: ${msg}\n`);
      process.exit(1);
    },
  );
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
