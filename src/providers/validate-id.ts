/**
 * Checks a task ID's shape before any API call, so that the command parser, the CLI and the
 * providers reject the same inputs with the same reasons. The rule comes from the kind's
 * descriptor; `kinds.ts` offers the same checks by kind name.
 */
import type { TaskIdRule } from './kind-descriptor';

/** The longest task ID accepted; no API here uses IDs anywhere near this long. */
export const MAX_TASK_ID_LENGTH = 128;

/** Why an ID was rejected; the caller turns it into text. */
export type TaskIdProblem = 'empty_id' | 'id_too_long' | 'invalid_id';

const DIGITS = /^[0-9]+$/;
/** CDN TaskIds and DTS AsyncRequestIds are letters, digits and `-`, `.`, `_` (e.g. UUIDs). */
const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * Returns why `id` cannot be a task ID under `rule`, or null when it can. Integer IDs must be
 * safe integers (the API types them so); digit IDs are joined with commas in one call, so
 * anything else could smuggle extra IDs into the request. Every ID is limited to the
 * characters real IDs use, which also keeps markup and mentions out of replies.
 */
export function validateIdByRule(rule: TaskIdRule, id: string): TaskIdProblem | null {
  if (id.trim() === '') return 'empty_id';
  if (id.length > MAX_TASK_ID_LENGTH) return 'id_too_long';
  if (rule === 'integer' && !(DIGITS.test(id) && Number.isSafeInteger(Number(id)))) return 'invalid_id';
  if (rule === 'digits' && !DIGITS.test(id)) return 'invalid_id';
  if (!SAFE_ID.test(id)) return 'invalid_id';
  return null;
}

/**
 * The one spelling of a valid task ID, so that two spellings of one task are one watch, one
 * task key and one line in a reply. Integer IDs are sent as numbers, so `018215` and `18215`
 * are the same task and become `18215`. Every other rule's IDs are strings to its API and are
 * only trimmed. Call it on IDs that passed {@link validateIdByRule}.
 */
export function canonicalIdByRule(rule: TaskIdRule, id: string): string {
  const trimmed = id.trim();
  if (rule === 'integer' && DIGITS.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return String(Number(trimmed));
  return trimmed;
}
