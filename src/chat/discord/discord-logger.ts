/**
 * The Discord surface logs through `TaskwatchLogger` (`src/observability/taskwatch-logger.ts`).
 * Lines never contain the bot token
 * or an interaction token: the surface logs error names, HTTP statuses, Discord codes and
 * redacted routes only, and {@link redactDiscordToken} guards the few free texts it passes on.
 */
// Bot tokens are three base64url parts joined with dots.
const BOT_TOKEN_PATTERN = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}/g;

/** Replaces the configured token, and anything shaped like a bot token, in a text. */
export function redactDiscordToken(text: string, token: string): string {
  const withoutToken = token.length >= 6 ? text.split(token).join('[redacted]') : text;
  return withoutToken.replace(BOT_TOKEN_PATTERN, '[redacted]');
}
