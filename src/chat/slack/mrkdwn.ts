/**
 * Slack mrkdwn safety. Everything that came from a user or a provider passes through here
 * before it reaches a Slack text field, so that `<!channel>`, `<@U123>`, `<https://x|y>`
 * and bare formatting in task IDs, URLs or messages can neither ping nor render.
 */

/** Slack's hard limit for a section or context text field. */
export const SLACK_TEXT_LIMIT = 3000;

/**
 * Escapes the three characters Slack's control sequences are built from, as Slack's
 * formatting guide asks. `&` first, so that the escapes themselves are not escaped twice.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Shows a value verbatim in an inline code span: escaped, on one line, with backticks
 * replaced so that it cannot close the span. Inside a span Slack neither links URLs nor
 * applies `*bold*`/`_italic_`.
 */
export function codeSpan(value: string, maxLength: number = 200): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ').replace(/`/g, 'ˋ');
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  return `\`${escapeMrkdwn(cut === '' ? ' ' : cut)}\``;
}

/**
 * Cuts already-escaped mrkdwn to `limit` characters without splitting an `&amp;`-style
 * entity, ending with an ellipsis when cut.
 */
export function truncateMrkdwn(text: string, limit: number = SLACK_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit - 1);
  const ampersand = cut.lastIndexOf('&');
  if (ampersand >= 0 && !cut.slice(ampersand).includes(';')) cut = cut.slice(0, ampersand);
  return `${cut}…`;
}
