/**
 * Discord markdown safety. Every text that came from a user or a provider passes through here
 * before it reaches message content or an embed, so that `@everyone`, `<@123>`, `[x](url)`,
 * `**bold**` or a stray backtick in a task ID, URL or provider message can neither ping nor
 * render. Messages also carry `allowedMentions: { parse: [] }`; this is the second fence.
 */

/** Characters Discord's markdown (and its mention, emoji and link syntax) is built from. */
const MARKDOWN_CHARACTERS = /[\\*_~`|>#\-[\]()<:.]/g;

/** Zero-width space: keeps `@everyone` readable while making it no mention at all. */
const ZERO_WIDTH_SPACE = '\u200b';

/** Control (but tab and newline), bidi and zero-width characters that could reorder or hide text. */
const INVISIBLE = /(?![\t\n])[\p{Cc}\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** Breaks `@everyone`, `@here` and any other `@word` so that no client renders a mention. */
function neutralizeMentions(text: string): string {
  return text.replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * Escapes text for message content, embed descriptions and field values: every markdown
 * character gets a backslash (Discord hides it when rendering), mentions are broken, and
 * invisible characters are removed.
 */
export function escapeDiscordMarkdown(text: string): string {
  return neutralizeMentions(text.replace(INVISIBLE, '').replace(MARKDOWN_CHARACTERS, '\\$&'));
}

/**
 * Text for places Discord shows without markdown (embed footers, author names, button labels,
 * autocomplete choice names): only mentions are broken and invisible characters removed.
 */
export function plainDiscordText(text: string): string {
  return neutralizeMentions(text.replace(INVISIBLE, ''));
}

/** Cuts text to `limit` code points, ending with "…" when cut; never splits a surrogate pair or an escape. */
export function cutText(text: string, limit: number): string {
  const characters = Array.from(text);
  if (characters.length <= limit) return text;
  let cut = characters.slice(0, Math.max(0, limit - 1));
  // A trailing lone backslash would escape the ellipsis and show itself.
  let backslashes = 0;
  for (let index = cut.length - 1; index >= 0 && cut[index] === '\\'; index -= 1) backslashes += 1;
  if (backslashes % 2 === 1) cut = cut.slice(0, -1);
  return `${cut.join('')}…`;
}

/**
 * Shows a value verbatim in an inline code span: one line, backticks replaced so that it cannot
 * close the span, cut to `maxLength`. Inside a span Discord renders neither markdown, links nor
 * mentions, so nothing else needs escaping.
 */
export function codeSpan(value: string, maxLength: number = 200): string {
  const flat = value.replace(INVISIBLE, '').replace(/[\r\n\t]+/g, ' ').replace(/`/g, 'ˋ');
  const cut = cutText(flat, maxLength);
  return `\`${cut === '' ? ' ' : cut}\``;
}

/** Length as Discord counts it for its limits: code points. */
export function discordLength(text: string): number {
  let length = 0;
  for (const _character of text) length += 1;
  return length;
}
