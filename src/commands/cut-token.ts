/**
 * Makes a piece of user input safe to quote back in an error: short, on one line, and free of
 * invisible characters that could reorder or hide text. Platform escaping (Slack `<>&`,
 * Discord mentions) is still the chat adapter's job; this is the platform-neutral part.
 */

/** The longest token, in characters, an error message quotes back. */
export const MAX_TOKEN_LENGTH = 32;

// Control characters, bidi overrides/isolates and zero-width characters.
const INVISIBLE = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/gu;

/**
 * Cuts a token to {@link MAX_TOKEN_LENGTH} characters (ending with "…" when cut) and removes
 * control, bidi and zero-width characters. Cuts by code point so no surrogate pair is split.
 */
export function cutToken(token: string): string {
  // Never scan more than needed: a few times the limit is enough to fill the result.
  const window = token.slice(0, MAX_TOKEN_LENGTH * 4);
  const characters = Array.from(window.replace(INVISIBLE, ''));
  const wasCut = token.length > window.length;
  if (characters.length <= MAX_TOKEN_LENGTH && !wasCut) return characters.join('');
  return `${characters.slice(0, MAX_TOKEN_LENGTH - 1).join('')}…`;
}
