/**
 * The shapes taskwatch accepts wherever a value comes in: the environment (`src/config.ts`),
 * the accounts file (`src/accounts/accounts-file.ts`), the HTTP API body (`src/http/watch-api.ts`),
 * the command grammar and the chat buttons. Defined once here, as patterns and as zod schemas,
 * so that a region or account name valid in one place is valid in all of them.
 *
 * This module imports nothing of taskwatch: every layer may use it.
 */
import { z } from 'zod';

/** What a region must look like, e.g. `ap-guangzhou`, `cn-hangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;

/**
 * What an account (or API token) name must look like: what users type as `account=<name>`,
 * and what the accounts file may define.
 */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Slack public (C), private (G) and direct-message (D) conversation IDs. Slack sends them upper-case. */
export const SLACK_CHANNEL_ID_PATTERN = /^[CGD][A-Z0-9]{2,20}$/;

/** Slack user IDs (U, or W for Enterprise Grid). */
export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]{2,20}$/;

/** A Slack user-group handle written with its `@`; the handle itself is the first group. */
export const SLACK_GROUP_HANDLE_PATTERN = /^@([A-Za-z0-9][A-Za-z0-9._-]{0,79})$/;

/** A Discord snowflake: a channel, user or role ID. */
export const DISCORD_SNOWFLAKE_PATTERN = /^\d{17,20}$/;

/** A Discord user in an access list: `discord:<snowflake>`; the snowflake is the first group. */
export const DISCORD_USER_ENTRY_PATTERN = /^discord:(\d{17,20})$/;

/** A Discord role in an access list: `discord-role:<snowflake>`; the snowflake is the first group. */
export const DISCORD_ROLE_ENTRY_PATTERN = /^discord-role:(\d{17,20})$/;

/**
 * The shortest bearer token accepted (`API_TOKEN`, `ADMIN_TOKEN`, the accounts file's
 * `apiTokens`): anything shorter can be guessed.
 */
export const MIN_TOKEN_LENGTH = 24;

/**
 * A region name, after `normalize` (e.g. trim or lower-case, as the surface has always
 * accepted). The message is the caller's: each surface words it for its readers.
 */
export function regionSchema(message: string, normalize: (text: string) => string = (text) => text): z.ZodType<string, unknown> {
  return z
    .string({ error: message })
    .transform(normalize)
    .pipe(z.string().regex(REGION_PATTERN, { error: message }));
}

/** An account name. The message is the caller's. */
export function accountNameSchema(message: string): z.ZodType<string, unknown> {
  return z.string({ error: message }).regex(ACCOUNT_NAME_PATTERN, { error: message });
}
