/**
 * The syntax of the `users` and channel lists in the accounts file. Each entry says which
 * platform it belongs to, so a Slack user ID can never match a Discord user and a Discord user
 * ID can never be mistaken for a role ID:
 *
 * | written                    | means                              |
 * |----------------------------|------------------------------------|
 * | `U0123ABCD`, `W0123ABCD`   | a Slack user ID                     |
 * | `@ops`                     | a Slack user-group handle           |
 * | `discord:<snowflake>`      | a Discord user ID                   |
 * | `discord-role:<snowflake>` | a Discord role ID                   |
 */
import {
  DISCORD_ROLE_ENTRY_PATTERN,
  DISCORD_SNOWFLAKE_PATTERN,
  DISCORD_USER_ENTRY_PATTERN,
  SLACK_CHANNEL_ID_PATTERN,
  SLACK_GROUP_HANDLE_PATTERN,
  SLACK_USER_ID_PATTERN,
} from '../validation/shared-patterns';

/** One entry of an account's `users` list. */
export type AccessSubject =
  | { readonly platform: 'slack'; readonly type: 'user'; readonly id: string }
  /** `handle` is stored lower-case and without the `@`. */
  | { readonly platform: 'slack'; readonly type: 'group'; readonly handle: string }
  | { readonly platform: 'discord'; readonly type: 'user'; readonly id: string }
  | { readonly platform: 'discord'; readonly type: 'role'; readonly id: string };

/** The outcome of parsing one list entry. */
export type SubjectResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };


/**
 * YAML reads an unquoted 18-digit Discord ID as a number; the loader parses integers as
 * bigints so that no digit is lost, and this turns them back into text.
 */
export function entryText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'bigint') return raw.toString();
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  return null;
}

/** Cuts a list entry for quoting in a problem; entries are IDs and handles, not secrets. */
function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** Normalizes a Slack user-group handle for comparison: no `@`, lower case. */
export function normalizeGroupHandle(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}

/** Parses one `users` entry. */
export function parseAccessSubject(raw: unknown): SubjectResult<AccessSubject> {
  const text = entryText(raw);
  const syntax = 'write a Slack user as U0123ABCD, a Slack user group as @handle, a Discord user as discord:<user id> and a Discord role as discord-role:<role id>';
  if (text === null || text === '') return { ok: false, problem: `a users entry is not text; ${syntax}.` };
  if (SLACK_USER_ID_PATTERN.test(text)) return { ok: true, value: { platform: 'slack', type: 'user', id: text } };
  const group = SLACK_GROUP_HANDLE_PATTERN.exec(text);
  if (group) return { ok: true, value: { platform: 'slack', type: 'group', handle: normalizeGroupHandle(group[1] as string) } };
  const discordUser = DISCORD_USER_ENTRY_PATTERN.exec(text);
  if (discordUser) return { ok: true, value: { platform: 'discord', type: 'user', id: discordUser[1] as string } };
  const discordRole = DISCORD_ROLE_ENTRY_PATTERN.exec(text);
  if (discordRole) return { ok: true, value: { platform: 'discord', type: 'role', id: discordRole[1] as string } };
  if (DISCORD_SNOWFLAKE_PATTERN.test(text)) {
    return { ok: false, problem: `the users entry "${shown(text)}" is a bare number: write discord:${text} for a Discord user or discord-role:${text} for a Discord role.` };
  }
  return { ok: false, problem: `the users entry "${shown(text)}" is not recognized; ${syntax}.` };
}

/** Parses one `slackChannels` entry: a conversation ID, not a `#name`. */
export function parseSlackChannel(raw: unknown): SubjectResult<string> {
  const text = entryText(raw);
  if (text !== null && SLACK_CHANNEL_ID_PATTERN.test(text)) return { ok: true, value: text };
  const name = text === null ? 'a slackChannels entry' : `the slackChannels entry "${shown(text)}"`;
  return {
    ok: false,
    problem: `${name} is not a Slack channel ID. Use the ID (e.g. C0123ABCD: open the channel details, it is at the bottom), not the #name, which can change.`,
  };
}

/** Parses one `discordChannels` entry: a channel snowflake. */
export function parseDiscordChannel(raw: unknown): SubjectResult<string> {
  const text = entryText(raw);
  if (text !== null && DISCORD_SNOWFLAKE_PATTERN.test(text)) return { ok: true, value: text };
  const name = text === null ? 'a discordChannels entry' : `the discordChannels entry "${shown(text)}"`;
  return {
    ok: false,
    problem: `${name} is not a Discord channel ID. Use the 17-20 digit ID (Developer Mode, then "Copy Channel ID"), in quotes.`,
  };
}

/**
 * Checks the ID part of a `slack:<id>` or `discord:<id>` address written in the accounts file
 * (`channels` keys, `apiTokens.*.channels`): null when it can be an ID the platform sends, else
 * the problem. Slack IDs are compared exactly and Slack always sends them upper-case, so a
 * lower-case ID would never match and the channel would silently fall back to `default`: it is
 * refused, with the spelling that would match, rather than silently corrected.
 */
export function channelIdProblem(platform: 'slack' | 'discord', id: string): string | null {
  if (platform === 'slack') {
    if (SLACK_CHANNEL_ID_PATTERN.test(id)) return null;
    if (SLACK_CHANNEL_ID_PATTERN.test(id.toUpperCase())) return `"${shown(id)}" is not a Slack channel ID, which is upper-case: write slack:${id.toUpperCase()}.`;
    return `"${shown(id)}" is not a Slack channel ID; use the ID (e.g. C0123ABCD: open the channel details, it is at the bottom), not the #name.`;
  }
  if (DISCORD_SNOWFLAKE_PATTERN.test(id)) return null;
  return `"${shown(id)}" is not a Discord channel ID; use the 17-20 digit ID (Developer Mode, then "Copy Channel ID").`;
}
