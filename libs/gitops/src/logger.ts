// The logging the executors need: structured, one line per event. A pino logger fits as is.
export interface ExecutorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: ExecutorLogger = {
  info: () => undefined,
  warn: () => undefined,
};
