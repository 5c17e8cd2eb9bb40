/**
 * The engines log through the one logger interface, `TaskwatchLogger`, in its structured form
 * (`StructuredLogger`, `src/observability/taskwatch-logger.ts`). These names remain for code
 * written against them.
 */
import { SILENT_LOGGER, type StructuredLogger } from '../observability/taskwatch-logger';

/** @deprecated Use `StructuredLogger['info']` from `src/observability/taskwatch-logger.ts`. */
export type WatchLogMethod = StructuredLogger['info'];

/** @deprecated Use `StructuredLogger` from `src/observability/taskwatch-logger.ts`. */
export type WatchEngineLogger = StructuredLogger;

/** @deprecated Use `SILENT_LOGGER` from `src/observability/taskwatch-logger.ts`. */
export const SILENT_WATCH_LOGGER: StructuredLogger = SILENT_LOGGER;
