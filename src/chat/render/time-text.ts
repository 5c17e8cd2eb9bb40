/**
 * Moments written for people, the way each surface can best show them: Slack and Discord have
 * markup that each reader's client shows in the reader's own time zone and locale; the terminal
 * shows local time and "in 5 s". Nothing here writes an ISO timestamp for a person to read.
 */
import { utcText, watchingText, watchListText, type TimeStyle } from '../../commands/messages';
import type { CommandResult } from '../../commands/types';
import { formatDuration } from '../../util/duration';

export type { TimeStyle } from '../../commands/messages';

/**
 * A surface whose markup also says how long ago a moment was, kept current by each reader's
 * client: a card edited only when its task changes still reads right minutes later.
 */
export interface LiveTimeStyle extends TimeStyle {
  /** A past moment as "2 minutes ago", counted by the reader's client. */
  ago(epochMs: number): string;
}

/** Slack: `<!date^...>` is shown in each reader's own time zone ("today at 3:33 PM"). */
export const slackTimeStyle: LiveTimeStyle = {
  at: (epochMs) => `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time}|${utcText(epochMs)}>`,
  // Slack has no documented token for a time to come, so "today 15:33" stands for it.
  fromNow: (epochMs) => slackTimeStyle.at(epochMs),
  // {ago} is Slack's documented relative token ("3 minutes ago"), for moments past.
  ago: (epochMs) => `<!date^${Math.floor(epochMs / 1000)}^{ago}|${utcText(epochMs)}>`,
};

/** Discord: `<t:...:f>` is a date and time, `<t:...:R>` "in 5 minutes", both in the reader's locale. */
export const discordTimeStyle: LiveTimeStyle = {
  at: (epochMs) => `<t:${Math.floor(epochMs / 1000)}:f>`,
  fromNow: (epochMs) => `<t:${Math.floor(epochMs / 1000)}:R>`,
  // The same markup reads "2 minutes ago" for a moment past.
  ago: (epochMs) => `<t:${Math.floor(epochMs / 1000)}:R>`,
};

/**
 * The terminal: this machine's local time, and durations from `now` ("in 5 s", "2m ago").
 * `timeZone` is for tests; by default the process's own.
 */
export function terminalTimeStyle(now: () => number, timeZone?: string): TimeStyle {
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, ...(timeZone ? { timeZone } : {}) });
  const day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) });
  return {
    at: (epochMs) => {
      const sameDay = day.format(epochMs) === day.format(now());
      return sameDay ? clock.format(epochMs) : `${day.format(epochMs)} ${clock.format(epochMs)}`;
    },
    fromNow: (epochMs) => relativeText(epochMs - now()),
  };
}

/** "in 5s", "2m ago", "now": a signed offset in words, to the second. */
export function relativeText(offsetMs: number): string {
  if (Math.abs(offsetMs) < 1000) return 'now';
  const amount = formatDuration(Math.abs(offsetMs));
  return offsetMs > 0 ? `in ${amount}` : `${amount} ago`;
}

/**
 * Writes text through `write`, escapes it for the platform with `escape`, and only then puts in
 * the platform's time markup, which escaping would otherwise break (`<` becomes `&lt;`).
 */
export function escapedWithTimes<Style extends TimeStyle>(style: Style, write: (time: Style) => string, escape: (text: string) => string): string {
  const markups: string[] = [];
  // Private-use characters: no platform escapes them, and no user text here can contain them.
  const hold = (markup: string): string => `\u{E000}${markups.push(markup) - 1}\u{E001}`;
  const held: TimeStyle & Partial<LiveTimeStyle> = { at: (epochMs) => hold(style.at(epochMs)), fromNow: (epochMs) => hold(style.fromNow(epochMs)) };
  const ago = (style as Partial<LiveTimeStyle>).ago;
  if (ago) held.ago = (epochMs) => hold(ago(epochMs));
  const text = write(held as Style);
  return escape(text).replace(/\u{E000}(\d+)\u{E001}/gu, (_, index: string) => markups[Number(index)] ?? '');
}

/**
 * The text of a command result, with the watch times of `watching` and `watch-list` written in
 * the surface's style (the handler's own text writes them in UTC).
 */
export function resultTextIn(result: Exclude<CommandResult, { type: 'statuses' }>, time: TimeStyle): string {
  switch (result.type) {
    case 'watching':
      return watchingText(result.watches, time);
    case 'watch-list':
      return watchListText(result.watches, time);
    default:
      return result.text;
  }
}
