/**
 * The tasks a button acts on travel in the button's `value`, versioned so that buttons on
 * messages posted by an older release still work after an upgrade. A value is
 * user-controlled on the way back (anyone can forge a payload with a valid signature only if
 * they hold the signing secret, but Socket Mode payloads and old messages are still
 * untrusted input), so decoding validates every field with the parser's own rules: the ID
 * limit, each ID's shape for its kind, the region and account patterns.
 */
import { ACCOUNT_PATTERN, MAX_IDS_PER_COMMAND, REGION_PATTERN } from '../../commands/parse-command';
import type { TaskSelection } from '../../commands/types';
import { TASK_KINDS, type TaskKind } from '../../providers/types';
import { validateTaskId, kindTakesNoId } from '../../providers/kinds';

/** Slack's limit for a button value. */
export const BUTTON_VALUE_LIMIT = 2000;

/** Marks the encoding version, so a later release can read values this one wrote. */
const VALUE_PREFIX = 'tw1.';

interface EncodedSelectionV1 {
  readonly v: 1;
  readonly k: TaskKind;
  readonly i: readonly string[];
  readonly r?: string;
  readonly a?: string;
}

/** Encodes a selection for a button; null when it does not fit Slack's limit. */
export function encodeSelection(selection: TaskSelection): string | null {
  const encoded: EncodedSelectionV1 = {
    v: 1,
    k: selection.kind,
    i: selection.ids,
    ...(selection.region ? { r: selection.region } : {}),
    ...(selection.account ? { a: selection.account } : {}),
  };
  // Base64url keeps user-typed IDs such as `<!channel>` out of every payload verbatim.
  const value = `${VALUE_PREFIX}${Buffer.from(JSON.stringify(encoded), 'utf8').toString('base64url')}`;
  return value.length <= BUTTON_VALUE_LIMIT ? value : null;
}

const isShortString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128;

/** Decodes a button value; null for anything malformed, anything a typed command could not say, or an unknown version. */
export function decodeSelection(value: string): TaskSelection | null {
  if (value.length > BUTTON_VALUE_LIMIT || !value.startsWith(VALUE_PREFIX)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.slice(VALUE_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  if (record['v'] !== 1) return null;
  const kind = record['k'];
  if (typeof kind !== 'string' || !(TASK_KINDS as readonly string[]).includes(kind)) return null;
  const ids = record['i'];
  if (!Array.isArray(ids) || !ids.every(isShortString)) return null;
  // The same rules as a typed command: a forged value must not reach a provider with more IDs,
  // or other ID shapes (a comma joins DCDN IDs in one call), than the parser lets through.
  if (ids.length > MAX_IDS_PER_COMMAND) return null;
  if (kindTakesNoId(kind as TaskKind) ? ids.length > 0 : ids.length === 0) return null;
  if (ids.some((id) => validateTaskId(kind as TaskKind, id) !== null)) return null;
  const region = record['r'];
  const account = record['a'];
  if (region !== undefined && !(isShortString(region) && REGION_PATTERN.test(region))) return null;
  if (account !== undefined && !(isShortString(account) && ACCOUNT_PATTERN.test(account))) return null;
  return {
    kind: kind as TaskKind,
    ids: ids as string[],
    ...(region !== undefined ? { region } : {}),
    ...(account !== undefined ? { account } : {}),
  };
}
