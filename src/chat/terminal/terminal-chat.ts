/**
 * The terminal chat: a local chat surface in the spirit of Hubot's shell adapter. The user
 * types the same `/task-status ...` commands a Slack or Discord user would and sees the same
 * replies, cards and thread updates, rendered as terminal text.
 */
import { expectationWords } from '../render/duration-estimate-text';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CommandContext, CommandResult, CommandServices } from '../../commands/types';
import { presentUnchecked } from '../render/unchecked-text';
import { describeProviderFailure } from '../render/provider-failure-text';
import type { ChannelAddress, ChannelNotice, ChannelSummary, Notifier, StatusCard, StuckNotice, TransitionNotice } from '../../jobs/notifier';
import { formatDuration } from '../../util/duration';
import { channelNoticeText } from '../render/channel-notice-text';
import { muteSummaryText } from '../render/mute-summary-text';
import { comparedWithUsualText, stuckCardMark, stuckReplyText } from '../render/stuck-text';
import { itemFailureText, noticeHeadline } from '../render/notice-headline';
import { presentState } from '../render/state-presentation';
import { cardWithEnding, describeWatchEnd, endingSentences } from '../render/watch-end-text';
import { relativeText, resultTextIn, terminalTimeStyle, type TimeStyle } from '../render/time-text';
import { MAX_LISTED_ITEMS, renderStatusText } from './render-status';
import { TERMINAL_CAPABILITIES } from './terminal-capabilities';

/** Runs one line of command text; the command core's `runCommandText`. */
export type CommandRunner = (text: string, context: CommandContext, services: CommandServices) => Promise<CommandResult>;

/** Options for {@link TerminalChat}. */
export interface TerminalChatOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly services: CommandServices;
  readonly runCommand: CommandRunner;
  /** Shown once at start. */
  readonly banner?: string;
  /** Called when the user closes the chat (Ctrl-D, `/quit`). */
  readonly onClose?: () => void;
  /** The clock times are told against ("next check in 5s"); default the system clock. */
  readonly now?: () => number;
  /** Time zone of the times shown; default this machine's. */
  readonly timeZone?: string;
}

/** The one channel of the terminal chat. */
export const TERMINAL_CHANNEL: ChannelAddress = { platform: 'terminal', channelId: 'shell' };

const PROMPT = 'you> ';

/** A terminal chat session; also the {@link Notifier} for the `terminal` platform. */
export class TerminalChat implements Notifier {
  readonly platform = 'terminal' as const;
  readonly capabilities = TERMINAL_CAPABILITIES;
  private readline: Interface | null = null;
  private nextCardNumber = 1;
  private pending: Promise<void> = Promise.resolve();

  private readonly now: () => number;
  private readonly time: TimeStyle;

  constructor(private readonly options: TerminalChatOptions) {
    this.now = options.now ?? Date.now;
    this.time = terminalTimeStyle(this.now, options.timeZone);
  }

  /** Starts reading commands. */
  start(): void {
    if (this.options.banner) this.write(`${this.options.banner}\n`);
    const readline = createInterface({ input: this.options.input, output: this.options.output, terminal: false });
    this.readline = readline;
    readline.on('line', (line) => {
      // Commands run one after another so replies appear in the order they were typed.
      this.pending = this.pending.then(() => this.handleLine(line));
    });
    readline.on('close', () => {
      this.readline = null;
      void this.pending.then(() => this.options.onClose?.());
    });
    this.write(PROMPT);
  }

  /** Stops reading commands. */
  stop(): void {
    this.readline?.close();
    this.readline = null;
  }

  async postCard(_channel: ChannelAddress, card: StatusCard): Promise<string> {
    const messageId = String(this.nextCardNumber++);
    this.say(`[card #${messageId}] ${renderCard(card, this.now())}`);
    return messageId;
  }

  async updateCard(_channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void> {
    this.say(`[card #${messageId} updated] ${renderCard(card, this.now())}`);
  }

  async postThreadReply(_channel: ChannelAddress, messageId: string, notice: TransitionNotice, options: { readonly broadcast: boolean }): Promise<void> {
    const lines = renderNotice(notice).split('\n');
    const head = `  ↳ [thread #${messageId}${options.broadcast ? ', also sent to channel' : ''}] ${lines[0] ?? ''}`;
    this.say([head, ...lines.slice(1).map((line) => `      ${line}`)].join('\n'));
  }

  async postStuckReply(_channel: ChannelAddress, messageId: string, notice: StuckNotice, options: { readonly broadcast: boolean }): Promise<void> {
    this.say(`  ↳ [thread #${messageId}${options.broadcast ? ', also sent to channel' : ''}] ${stuckReplyText(notice)}`);
  }

  async postSummary(_channel: ChannelAddress, summary: ChannelSummary): Promise<string> {
    const messageId = String(this.nextCardNumber++);
    const { title, lines } = muteSummaryText(summary);
    this.say([`[summary #${messageId}] ${title}`, ...lines.map((line) => `  ${line}`)].join('\n'));
    return messageId;
  }

  async postNotice(_channel: ChannelAddress, notice: ChannelNotice): Promise<string> {
    const messageId = String(this.nextCardNumber++);
    this.say(`[notice #${messageId}] ${channelNoticeText(notice)}`);
    return messageId;
  }

  private async handleLine(line: string): Promise<void> {
    const text = line.trim();
    if (text === '') {
      this.write(PROMPT);
      return;
    }
    if (text === '/quit' || text === '/exit') {
      this.stop();
      return;
    }
    const match = /^\/task-status(?:\s+([\s\S]*))?$/.exec(text);
    if (!match) {
      this.say('bot> Type /task-status help to see what I can do (or /quit to leave).');
      return;
    }
    const context: CommandContext = { platform: 'terminal', channel: TERMINAL_CHANNEL, userId: 'terminal-user' };
    try {
      const result = await this.options.runCommand(match[1] ?? '', context, this.options.services);
      this.say(renderResult(result, this.time));
    } catch {
      this.say('bot> Something went wrong on our side; the command was not run.');
    }
  }

  /** Writes a message above the prompt. */
  private say(text: string): void {
    this.write(`\n${text}\n${this.readline ? PROMPT : ''}`);
  }

  private write(text: string): void {
    this.options.output.write(text);
  }
}

function renderCard(given: StatusCard, now: number): string {
  const card = cardWithEnding(given);
  const watch = card.watch;
  if (card.unchecked) {
    // A card whose first check gave no status says why instead of showing a state.
    const unchecked = presentUnchecked(card.unchecked);
    const head = `${unchecked.mark} ${card.status.kind} ${card.status.id}: ${unchecked.label.toLowerCase()}\n  ${unchecked.reason}`;
    return watch?.endReason ? `${head}\n  ${describeWatchEnd(watch.endReason)}` : head;
  }
  if (!watch) return renderStatusText(card.status);
  if (watch.endReason) return `${renderStatusText(card.status)}\n  ${describeWatchEnd(watch.endReason)}`;
  const parts: string[] = [];
  const deadline = Date.parse(watch.deadlineAt);
  if (Number.isFinite(deadline)) parts.push(`watching for ${formatDuration(Math.max(0, deadline - now))} more`);
  const nextCheck = watch.nextCheckAt ? Date.parse(watch.nextCheckAt) : Number.NaN;
  if (Number.isFinite(nextCheck)) parts.push(`next check ${relativeText(nextCheck - now)}`);
  if (card.expected) parts.push(expectationWords(card.expected, card.status.state, now));
  if (card.stuck) parts.push(stuckCardMark(card.status.state));
  return `${renderStatusText(card.status)}${parts.length > 0 ? `\n  ${parts.join('; ')}` : ''}`;
}

function renderNotice(notice: TransitionNotice): string {
  // With no earlier status, this is what the first check found; a state that did not change is said once.
  // States read as their names, and a task the provider does not know as "not found" (its state
  // is `unknown`), as on Slack and Discord: never "unknown → unknown" for a task that went missing.
  const headline = noticeHeadline(notice);
  const from = headline.type === 'changed' ? headline.before.label.toLowerCase() : 'first check';
  const to = headline.now.label.toLowerCase();
  // Back where it was: the states passed through are the change ("running → pending → running").
  const backAgain = headline.type === 'changed' && from === to;
  const via = notice.skippedStates.length > 0 && !backAgain ? ` (via ${notice.skippedStates.join(' → ')})` : '';
  const path = backAgain ? notice.skippedStates.map((state) => ` → ${state}`).join('') : '';
  const state = headline.type === 'unchanged' ? headline.words.toLowerCase() : `${from}${path} → ${to}${via}`;
  const raw = notice.current.rawStatus ? ` (${notice.current.rawStatus})` : '';
  const lines = [`${presentState(notice.current.state).mark} ${notice.current.kind} ${notice.current.id}: ${state}${raw}`];
  const itemFailure = itemFailureText(notice);
  if (itemFailure) lines.push(itemFailure);
  if (notice.current.progress !== null) lines.push(`progress ${Math.round(notice.current.progress)}%`);
  for (const item of notice.changedItems.slice(0, MAX_LISTED_ITEMS)) lines.push(`${presentState(item.state).mark} ${item.name} ${item.rawStatus}${item.progress === null ? '' : ` ${Math.round(item.progress)}%`}`);
  if (notice.changedItems.length > MAX_LISTED_ITEMS) lines.push(`… and ${notice.changedItems.length - MAX_LISTED_ITEMS} more`);
  lines.push(...endingSentences(notice));
  if (notice.durationMs !== null) lines.push(notice.usual ? comparedWithUsualText(notice.durationMs, notice.usual) : `took ${formatDuration(notice.durationMs)}`);
  return lines.join('\n');
}

function renderResult(result: CommandResult, time: TimeStyle): string {
  switch (result.type) {
    case 'help':
    case 'error':
    case 'watching':
    case 'unwatched':
    case 'watch-list':
      return `bot> ${resultTextIn(result, time)}`;
    case 'statuses': {
      const parts = result.statuses.map((status) => renderStatusText(status));
      for (const failure of result.failures) {
        const ids = failure.refs.map((ref) => `${ref.kind} ${ref.id}`).join(', ');
        parts.push(`✖ ${ids}: ${describeProviderFailure(failure.error).what}${failure.error.retryable ? ' (trying again later may help)' : ''}`);
      }
      return `bot> ${parts.join('\n')}`;
    }
    default:
      // Results added later (subscriptions, mutes) all carry their text.
      return `bot> ${result.text}`;
  }
}
