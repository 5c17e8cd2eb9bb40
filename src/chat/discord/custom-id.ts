/**
 * What a button acts on travels in its `custom_id`, which Discord caps at 100 characters and
 * sends back verbatim on every press. The format is versioned so that buttons on messages a
 * previous release posted keep working, and compact so that a few task IDs fit:
 *
 * ```
 * tw1:<action>:<kind>:<region>:<account>:<id>,<id>,...
 * tw1:r:cdn:::1533031853231313311
 * tw1:w:redis:ap-guangzhou:prod:18215
 * ```
 * A pressed button's ID is untrusted input (any client can send any ID), so decoding checks
 * every field with the same patterns the command parser uses.
 */
import type { TaskSelection } from '../../commands/types';
import { ACCOUNT_PATTERN, MAX_IDS_PER_COMMAND, REGION_PATTERN } from '../../commands/parse-command';
import { validateTaskId, kindTakesNoId } from '../../providers/kinds';
import { TASK_KINDS, type TaskKind } from '../../providers/types';

/** Discord's limit for a component's `custom_id`. */
export const CUSTOM_ID_LIMIT = 100;

/** What a button does. */
export type ButtonAction = 'refresh' | 'watch' | 'unwatch';

/** A decoded button: its action and the tasks it acts on. */
export interface ButtonTarget {
  readonly action: ButtonAction;
  readonly selection: TaskSelection;
}

const PREFIX = 'tw1';

const ACTION_CODES: Readonly<Record<ButtonAction, string>> = { refresh: 'r', watch: 'w', unwatch: 'u' };

const ACTIONS_BY_CODE: ReadonlyMap<string, ButtonAction> = new Map(
  (Object.entries(ACTION_CODES) as [ButtonAction, string][]).map(([action, code]) => [code, action]),
);

/** Whether a custom ID is one of taskwatch's buttons (of any version). */
export function isTaskwatchCustomId(customId: string): boolean {
  return customId.startsWith('tw');
}

/** Encodes a button's custom ID; null when the selection does not fit in 100 characters. */
export function encodeCustomId(action: ButtonAction, selection: TaskSelection): string | null {
  const account = selection.account && selection.account !== 'default' ? selection.account : '';
  const value = [PREFIX, ACTION_CODES[action], selection.kind, selection.region ?? '', account, selection.ids.join(',')].join(':');
  return value.length <= CUSTOM_ID_LIMIT ? value : null;
}

/** Decodes a custom ID; null for anything malformed, forged or from an unknown version. */
export function decodeCustomId(customId: string): ButtonTarget | null {
  if (customId.length > CUSTOM_ID_LIMIT) return null;
  const parts = customId.split(':');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [, actionCode, kindText, region, account, idList] = parts as [string, string, string, string, string, string];
  const action = ACTIONS_BY_CODE.get(actionCode);
  if (!action) return null;
  if (!(TASK_KINDS as readonly string[]).includes(kindText)) return null;
  const kind = kindText as TaskKind;
  if (region !== '' && !REGION_PATTERN.test(region)) return null;
  if (account !== '' && !ACCOUNT_PATTERN.test(account)) return null;
  const ids = idList === '' ? [] : idList.split(',');
  if (ids.length > MAX_IDS_PER_COMMAND) return null;
  if (kindTakesNoId(kind) ? ids.length > 0 : ids.length === 0) return null;
  if (ids.some((id) => validateTaskId(kind, id) !== null)) return null;
  return {
    action,
    selection: { kind, ids, ...(region !== '' ? { region } : {}), ...(account !== '' ? { account } : {}) },
  };
}
