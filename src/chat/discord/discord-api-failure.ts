/**
 * What went wrong in a Discord REST call, reduced to what may be logged and shown: HTTP
 * status, Discord's numeric error code, method and a route with every token removed.
 * discord.js errors carry the full URL, and interaction and webhook URLs contain the
 * interaction token, so their messages and URLs are never logged as they are.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

/** Discord's JSON error codes that taskwatch reacts to. */
export const DISCORD_ERROR_CODES = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownInteraction: 10062,
  missingAccess: 50001,
  missingPermissions: 50013,
  invalidChannelType: 50024,
  threadArchived: 50083,
  threadAlreadyCreated: 160004,
} as const;

/** A Discord REST failure, safe to log. */
export interface DiscordApiFailure {
  /** HTTP status, or null when no response came (network error, local rate limit). */
  readonly status: number | null;
  /** Discord's JSON error code, when it sent one. */
  readonly code: number | null;
  readonly method: string | null;
  /** The route with IDs kept and tokens replaced by `:token`. */
  readonly route: string | null;
  /** Set when Discord (or discord.js's local bucket) said to wait. */
  readonly retryAfterMs: number | null;
  /** The error's class name, e.g. `DiscordAPIError`. */
  readonly errorName: string;
}

/** Replaces interaction and webhook tokens in a URL or path, and drops the query string. */
export function redactDiscordUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? '';
  }
  return path
    .replace(/(\/interactions\/\d+\/)[^/]+/g, '$1:token')
    .replace(/(\/webhooks\/\d+\/)[^/]+/g, '$1:token')
    .replace(/^.*?(\/v\d+\/)/, '/');
}

/** Reads any error from a discord.js REST call. */
export function readDiscordFailure(error: unknown): DiscordApiFailure {
  if (error instanceof RateLimitError) {
    return {
      status: 429,
      code: null,
      method: error.method.toUpperCase(),
      route: error.route,
      retryAfterMs: Math.max(0, Math.ceil(error.retryAfter || error.timeToReset || 1000)),
      errorName: 'RateLimitError',
    };
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : null;
    const raw = error.rawError as { retry_after?: unknown };
    const retryAfterMs = error.status === 429 && typeof raw.retry_after === 'number' ? Math.ceil(raw.retry_after * 1000) : null;
    return { status: error.status, code, method: error.method.toUpperCase(), route: redactDiscordUrl(error.url), retryAfterMs, errorName: 'DiscordAPIError' };
  }
  if (error instanceof HTTPError) {
    return { status: error.status, code: null, method: error.method.toUpperCase(), route: redactDiscordUrl(error.url), retryAfterMs: null, errorName: 'HTTPError' };
  }
  return { status: null, code: null, method: null, route: null, retryAfterMs: null, errorName: error instanceof Error ? error.name : typeof error };
}

/** Whether a failure means the bot lacks a permission (HTTP 403, or Discord codes 50001/50013). */
export function isPermissionFailure(failure: DiscordApiFailure): boolean {
  return failure.status === 403 || failure.code === DISCORD_ERROR_CODES.missingPermissions || failure.code === DISCORD_ERROR_CODES.missingAccess;
}

/** One line for logs, e.g. `POST /channels/1/messages: 403 code 50013`. */
export function describeDiscordFailure(failure: DiscordApiFailure): string {
  const where = failure.method && failure.route ? `${failure.method} ${failure.route}` : 'Discord call';
  const what = [failure.status !== null ? String(failure.status) : null, failure.code !== null ? `code ${failure.code}` : null, failure.status === null ? failure.errorName : null]
    .filter((part): part is string => part !== null)
    .join(' ');
  return `${where}: ${what || 'failed'}`;
}

/** Thrown by the notifier for a Discord failure that is not a rate limit; its message is safe to log. */
export class DiscordApiError extends Error {
  override readonly name = 'DiscordApiError';
  constructor(readonly failure: DiscordApiFailure) {
    super(`Discord refused ${describeDiscordFailure(failure)}`);
  }
}
