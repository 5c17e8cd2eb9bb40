/**
 * The logging the watch engine needs: a subset of pino's logger, so the composition root
 * passes its pino instance and tests pass nothing.
 */

/** One log method: a structured object first, then a message. */
export type WatchLogMethod = (object: Record<string, unknown>, message?: string) => void;

/** What the watch engine logs through. */
export interface WatchEngineLogger {
  readonly debug: WatchLogMethod;
  readonly info: WatchLogMethod;
  readonly warn: WatchLogMethod;
  readonly error: WatchLogMethod;
}

/** A logger that drops everything. */
export const SILENT_WATCH_LOGGER: WatchEngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
