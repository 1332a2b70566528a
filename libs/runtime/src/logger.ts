import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLogLevel(level: string): level is LevelWithSilent {
  return LEVELS.includes(level);
}

/** One JSON line per event, on stderr so that stdout stays free for a program's own output. */
export function createLogger(app: string, level: string = 'info'): Logger {
  return pino(
    {
      name: app,
      level,
      base: { app },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['token', 'password', 'secret', 'apiKey', 'authorization', '*.token', '*.password', '*.secret', '*.apiKey', '*.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
