/**
 * The one logger interface of taskwatch. Every part that logs (the watch and subscription
 * engines, the chat surfaces, the command handler, the HTTP API) receives a
 * {@link TaskwatchLogger}, or the part of it that it uses: a few of its methods
 * (`Pick<TaskwatchLogger, 'warn'>`), or only its structured form ({@link StructuredLogger}).
 * The composition root passes its pino logger (`src/observability/logger.ts`, which masks
 * secrets); tests pass a recorder or {@link SILENT_LOGGER}.
 *
 * Secrets never reach a logger: parts log error names, codes and statuses, never vendor
 * messages; the Slack and Discord surfaces also redact their tokens from the free texts their
 * client libraries log (`chat/slack/redacting-logger.ts`, `chat/discord/discord-logger.ts`).
 */

/**
 * One log method, in pino's two forms: structured details then a message (what the engines
 * write), or a message alone (what the chat surfaces write).
 */
export interface LogMethod {
  (details: Readonly<Record<string, unknown>>, message?: string): void;
  (message: string): void;
}

/** Where taskwatch logs. pino's `Logger` fits. */
export interface TaskwatchLogger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

/**
 * A {@link TaskwatchLogger} as a part that writes only structured lines sees it (the engines,
 * the command handler, the HTTP API): every `TaskwatchLogger` is one, and so is a recorder
 * that handles details and a message only.
 */
export type StructuredLogger = {
  readonly [Level in keyof TaskwatchLogger]: (details: Readonly<Record<string, unknown>>, message: string) => void;
};

/** A logger that drops everything. */
export const SILENT_LOGGER: TaskwatchLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
