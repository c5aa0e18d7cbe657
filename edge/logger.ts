/** Where the app reports internal faults. Node logs to stderr; Workers to their log stream (also console). */
export interface Logger {
  error(message: string, fields: Record<string, unknown>): void;
}

/** One JSON line per event, so logs stay greppable and machine-readable. */
export const consoleLogger: Logger = {
  error(message, fields) {
    console.error(JSON.stringify({ level: 'error', time: new Date().toISOString(), message, ...fields }));
  },
};
