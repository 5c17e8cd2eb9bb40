/**
 * Logging of `error` events from BullMQ queues and workers and from ioredis clients. Without a
 * listener, each prints every Redis connection error to the console, past the process logger
 * and its masking: during a Redis outage, one stack trace per reconnect attempt. Here each
 * distinct error is logged once, then at most once per interval while it keeps happening.
 */
import { safeError } from '../observability/safe-error';
import type { StructuredLogger } from '../observability/taskwatch-logger';

/** How often one recurring error is logged again while it lasts. */
export const REPEAT_LOG_INTERVAL_MS = 60_000;

/** Something that emits `error` events: a BullMQ Queue or Worker, an ioredis client. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Sends the `error` events of `emitters` to `logger.warn` under `message`, the same error text
 * at most once per `intervalMs` (with how many were held back). `now` is for tests.
 */
export function reportErrorEvents(
  emitters: readonly ErrorEmitter[],
  logger: StructuredLogger,
  message: string,
  options: { readonly intervalMs?: number; readonly now?: () => number } = {},
): void {
  const intervalMs = options.intervalMs ?? REPEAT_LOG_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const recent = new Map<string, { loggedAt: number; heldBack: number }>();
  const report = (error: Error): void => {
    const key = error.message;
    const seen = recent.get(key);
    const at = now();
    if (seen && at - seen.loggedAt < intervalMs) {
      seen.heldBack += 1;
      return;
    }
    logger.warn({ err: safeError(error), ...(seen && seen.heldBack > 0 ? { repeated: seen.heldBack } : {}) }, message);
    recent.set(key, { loggedAt: at, heldBack: 0 });
    // Bounded: an outage produces a handful of distinct messages, never an unbounded set.
    if (recent.size > 100) recent.delete(recent.keys().next().value as string);
  };
  for (const emitter of emitters) emitter.on('error', report);
}
