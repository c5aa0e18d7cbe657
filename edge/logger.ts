/**
 * Where the app reports: internal faults (error) and what it did (info: the access log, model swaps).
 * Node writes JSON lines to stderr; Workers to their log stream through console, at each line's level.
 */
export interface Logger {
  error(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
}

const line = (level: string, message: string, fields: Record<string, unknown>) =>
  JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });

/** One JSON line per event, so logs stay greppable and machine-readable. */
export const consoleLogger: Logger = {
  error(message, fields) {
    console.error(line('error', message, fields));
  },
  info(message, fields) {
    console.log(line('info', message, fields));
  },
};

/** The same lines, every level on stderr (the Node server's stdout is left to what the CLI prints). */
export const stderrLogger: Logger = {
  error: consoleLogger.error,
  info(message, fields) {
    console.error(line('info', message, fields));
  },
};
