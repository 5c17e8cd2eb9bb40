/**
 * A status's summary and its items' notes as the watch records keep them: the facts as JSON
 * (see `src/providers/task-summary.ts`), checked when read. An older release kept sentences
 * instead (a status's `message`, an item's `message`); those read as `written` facts and are
 * shown as written. Facts this release cannot read (a later release's) read as nothing to say,
 * never as raw JSON.
 */
import { z } from 'zod';
import { ITEM_OPERATIONS, type ItemNote, type TaskSummary } from '../../providers/task-summary';

const ITEM_OPERATION = z.enum(ITEM_OPERATIONS);
const COUNT = z.number().int().nonnegative();

const VENDOR_TEXT = z.object({ fact: z.literal('vendor_text'), text: z.string() });
const WRITTEN = z.object({ fact: z.literal('written'), text: z.string() });

const SUMMARY = z.discriminatedUnion('fact', [
  z.object({ fact: z.literal('item_counts'), operation: ITEM_OPERATION, total: COUNT, succeeded: COUNT, failed: COUNT, originRefused: COUNT }),
  VENDOR_TEXT,
  z.object({ fact: z.literal('state_only') }),
  z.object({
    fact: z.literal('resource_task'),
    taskType: z.string().optional(),
    resourceId: z.string().optional(),
    vendorNote: z.string().optional(),
    stoppedOnError: z.boolean(),
  }),
  z.object({ fact: z.literal('latest_task'), operation: z.literal('asset_refresh'), reportedId: z.boolean() }),
  z.object({ fact: z.literal('not_in_log'), operation: z.enum(['prefetch', 'purge']) }),
  z.object({ fact: z.literal('not_in_region') }),
  z.object({ fact: z.literal('not_retained'), retentionMs: z.number().nonnegative() }),
  z.object({ fact: z.literal('no_latest_task'), operation: z.literal('asset_refresh') }),
  WRITTEN,
]) satisfies z.ZodType<TaskSummary>;

const NOTE = z.discriminatedUnion('fact', [
  z.object({ fact: z.literal('item_failed'), operation: ITEM_OPERATION }),
  z.object({ fact: z.literal('origin_refused') }),
  VENDOR_TEXT,
  WRITTEN,
]) satisfies z.ZodType<ItemNote>;

/** The facts of a summary as stored; for the schema of stored watch-ending facts too. */
export const STORED_SUMMARY = SUMMARY;

/**
 * Reads a stored summary: facts (this release), or `legacyText`, the sentence an older release
 * stored, as a `written` fact. Null when there is neither, or the facts cannot be read.
 */
export function readStoredSummary(facts: unknown, legacyText?: string): TaskSummary | null {
  if (facts !== undefined) {
    const parsed = SUMMARY.safeParse(facts);
    return parsed.success ? parsed.data : null;
  }
  return legacyText ? { fact: 'written', text: legacyText } : null;
}

/** Reads a stored item note: facts (this release), or an older release's sentence (a string). */
export function readStoredNote(stored: unknown): ItemNote | undefined {
  if (stored === undefined || stored === null) return undefined;
  if (typeof stored === 'string') return stored === '' ? undefined : { fact: 'written', text: stored };
  const parsed = NOTE.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
