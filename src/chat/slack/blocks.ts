/**
 * Block Kit rendering of task statuses, status cards and state-change notices. Every text
 * that came from a user or a provider is escaped (see `mrkdwn.ts`); every message stays
 * inside Block Kit's limits (50 blocks, 3000 characters per text, 10 context elements) and
 * carries a plain fallback `text` for notifications and screen readers.
 */
import { expectationText } from '../render/duration-estimate-text';
import { escapedWithTimes, slackTimeStyle } from '../render/time-text';
import type { types as SlackTypes } from '@slack/bolt';
import type { QueryFailure } from '../../commands/types';
import type { StatusCard, TransitionNotice } from '../../jobs/notifier';
import type { TaskItem, TaskStatus } from '../../providers/types';
import { formatDuration } from '../../util/duration';
import { listWithin } from '../render/list-within';
import { formatProgressBar } from '../render/progress-bar';
import { describeProviderFailure } from '../render/provider-failure-text';
import { itemFailureText, noticeHeadline } from '../render/notice-headline';
import { itemNoteTextOf, taskSummaryText } from '../render/task-summary-text';
import { presentState, presentStatus } from '../render/state-presentation';
import { presentUnchecked } from '../render/unchecked-text';
import { itemHeading, taskKindLabel } from '../render/task-kind-label';
import { selectionOfResult } from '../render/task-selection';
import { cardWithEnding, describeWatchEnd, noticeEndingLines } from '../render/watch-end-text';
import { stuckCardMark } from '../render/stuck-text';
import { encodeSelection } from './button-value';
import { codeSpan, escapeMrkdwn, truncateMrkdwn } from './mrkdwn';

/** A Block Kit block. */
export type SlackBlock = SlackTypes.KnownBlock;

/** A message ready for `chat.postMessage`, `chat.update` or `respond`. */
export interface SlackMessage {
  /** Plain fallback, shown in notifications; escaped like the blocks. */
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** `action_id` of the "Refresh" button. */
export const REFRESH_ACTION_ID = 'taskwatch_refresh';
/** `action_id` of the "Watch" button. */
export const WATCH_ACTION_ID = 'taskwatch_watch';

/** Block Kit's limit on blocks per message. */
export const MAX_BLOCKS = 50;
/** Items (URLs/objects) listed per task before "and N more". */
export const MAX_LISTED_ITEMS = 10;
/** Up to this many statuses get full detail; more are listed one line each. */
export const MAX_DETAILED_STATUSES = 8;

const section = (text: string): SlackTypes.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text) } });

const context = (parts: readonly string[]): SlackTypes.ContextBlock | null => {
  const kept = parts.filter((part) => part.length > 0);
  if (kept.length === 0) return null;
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(kept.join('  ·  ')) }] };
};

/** Slack renders `<!date^...>` in the reader's time zone; the fallback is the ISO time. */
function slackDate(iso: string | null): string | null {
  if (!iso) return null;
  const epochMs = Date.parse(iso);
  if (!Number.isFinite(epochMs)) return null;
  return `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time_secs}|${escapeMrkdwn(iso)}>`;
}

/** `✅ *DCDN refresh* `123` — *Succeeded*` */
function headline(status: TaskStatus): string {
  const { mark, label } = presentStatus(status);
  return `${mark} *${taskKindLabel(status.kind)}* ${codeSpan(status.id, 120)} — *${label}*`;
}

function statusDetailLine(status: TaskStatus): string {
  const parts = [`Raw status: ${codeSpan(status.rawStatus || 'none', 80)}`];
  const bar = formatProgressBar(status.progress);
  if (bar) parts.push(bar);
  return parts.join('   ');
}

function itemLine(item: TaskItem): string {
  const { mark } = presentState(item.state);
  const parts = [`${mark} ${codeSpan(item.name, 160)}`, codeSpan(item.rawStatus || 'none', 40)];
  if (item.progress !== null) parts.push(`${Math.round(item.progress)}%`);
  const note = itemNoteTextOf(item);
  if (note) parts.push(`_${escapeMrkdwn(note.slice(0, 200))}_`);
  return parts.join(' ');
}

/** Slack's room for a list in one section: 2,900 characters, 40 kept for "…and N more". */
function fittedList(lines: readonly string[]): string {
  return listWithin(lines, { maxChars: 2900, maxLines: MAX_LISTED_ITEMS, reserve: 40 });
}

function contextParts(status: TaskStatus): string[] {
  const parts: string[] = [];
  if (status.region) parts.push(`Region: ${codeSpan(status.region, 40)}`);
  if (status.account && status.account !== 'default') parts.push(`Account: ${codeSpan(status.account, 64)}`);
  if (status.requestId) parts.push(`RequestId: ${codeSpan(status.requestId, 80)}`);
  const observed = slackDate(status.observedAt);
  if (observed) parts.push(`Checked ${observed}`);
  return parts;
}

/** The full blocks of one status: headline, details, items, context. */
function detailedStatusBlocks(status: TaskStatus): SlackBlock[] {
  const lines = [headline(status), statusDetailLine(status)];
  const summary = taskSummaryText(status);
  if (summary) lines.push(escapeMrkdwn(summary.slice(0, 500)));
  const blocks: SlackBlock[] = [section(lines.join('\n'))];
  if (status.items.length > 0) {
    const label = itemHeading(status.kind);
    blocks.push(section(`*${label} (${status.items.length}):*\n${fittedList(status.items.map(itemLine))}`));
  }
  const footer = context(contextParts(status));
  if (footer) blocks.push(footer);
  return blocks;
}

/** One line per status, for replies about many tasks. */
function compactStatusLine(status: TaskStatus): string {
  const { mark, label } = presentStatus(status);
  const parts = [`${mark} ${codeSpan(status.id, 80)} *${label}*`, codeSpan(status.rawStatus || 'none', 40)];
  const bar = formatProgressBar(status.progress);
  if (bar) parts.push(bar);
  if (status.items.length > 0) parts.push(`(${status.items.length} ${status.items.length === 1 ? 'item' : 'items'})`);
  return parts.join(' ');
}

function compactStatusBlocks(statuses: readonly TaskStatus[]): SlackBlock[] {
  const first = statuses[0] as TaskStatus;
  const blocks: SlackBlock[] = [section(`*${statuses.length} ${taskKindLabel(first.kind)} tasks*`)];
  // Sections of at most 20 lines keep each text field well under 3000 characters.
  const lines = statuses.map(compactStatusLine);
  for (let start = 0; start < lines.length; start += 20) blocks.push(section(lines.slice(start, start + 20).join('\n')));
  const requestIds = [...new Set(statuses.map((status) => status.requestId).filter((id): id is string => Boolean(id)))];
  const parts: string[] = [];
  if (first.region) parts.push(`Region: ${codeSpan(first.region, 40)}`);
  if (first.account && first.account !== 'default') parts.push(`Account: ${codeSpan(first.account, 64)}`);
  if (requestIds.length > 0) {
    const shown = requestIds.slice(0, 3).map((id) => codeSpan(id, 80)).join(', ');
    parts.push(`RequestId: ${shown}${requestIds.length > 3 ? ` and ${requestIds.length - 3} more` : ''}`);
  }
  const footer = context(parts);
  if (footer) blocks.push(footer);
  return blocks;
}

function failureBlocks(failure: QueryFailure): SlackBlock[] {
  const { what, advice } = describeProviderFailure(failure.error);
  const ids = failure.refs.map((ref) => ref.id).filter((id) => id.length > 0);
  const kind = failure.refs[0]?.kind;
  const subject = kind ? `${taskKindLabel(kind)}${ids.length > 0 ? ` ${listIds(ids)}` : ''}` : 'the tasks';
  const blocks: SlackBlock[] = [section(`⚠️ *Could not query ${subject}.*\n${escapeMrkdwn(what)}\n${escapeMrkdwn(advice)}`)];
  const parts: string[] = [];
  if (failure.error.providerCode) parts.push(`Error code: ${codeSpan(failure.error.providerCode, 80)}`);
  if (failure.error.requestId) parts.push(`RequestId: ${codeSpan(failure.error.requestId, 80)}`);
  const footer = context(parts);
  if (footer) blocks.push(footer);
  return blocks;
}

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => codeSpan(id, 80)).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

/** Keeps a message within the block limit, saying how much was cut; `tail` blocks are kept last. */
function withinBlockLimit(blocks: SlackBlock[], tail: SlackBlock[] = []): SlackBlock[] {
  const room = MAX_BLOCKS - tail.length;
  if (blocks.length <= room) return [...blocks, ...tail];
  const kept = blocks.slice(0, room - 1);
  kept.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…${blocks.length - kept.length} more blocks were cut to fit Slack's limits.` }] });
  return [...kept, ...tail];
}

function fallbackForStatuses(statuses: readonly TaskStatus[], failures: readonly QueryFailure[]): string {
  const parts: string[] = [];
  if (statuses.length === 1) {
    const status = statuses[0] as TaskStatus;
    parts.push(`${taskKindLabel(status.kind)} ${status.id}: ${presentStatus(status).label} (${status.rawStatus || 'no status'})`);
  } else if (statuses.length > 1) {
    const counts = new Map<string, number>();
    for (const status of statuses) {
      const label = presentStatus(status).label.toLowerCase();
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const summary = [...counts].map(([label, count]) => `${count} ${label}`).join(', ');
    parts.push(`${statuses.length} ${taskKindLabel((statuses[0] as TaskStatus).kind)} tasks: ${summary}`);
  }
  if (failures.length > 0) parts.push(`${failures.length} ${failures.length === 1 ? 'query' : 'queries'} failed`);
  return escapeMrkdwn(parts.join('; ').slice(0, 500)) || 'No tasks';
}

/** Options for {@link renderQueryReply}. */
export interface QueryReplyOptions {
  /** Show the Refresh and Watch buttons (default true). */
  readonly buttons?: boolean;
  /** A line on top, e.g. a note that the answer is only visible to the user. */
  readonly note?: string;
}

/** Renders the answer to a query: each task's status, each failure, and the action buttons. */
export function renderQueryReply(statuses: readonly TaskStatus[], failures: readonly QueryFailure[], options: QueryReplyOptions = {}): SlackMessage {
  const body: SlackBlock[] = [];
  if (options.note) body.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(escapeMrkdwn(options.note)) }] });
  if (statuses.length > MAX_DETAILED_STATUSES) {
    body.push(...compactStatusBlocks(statuses));
  } else {
    statuses.forEach((status, index) => {
      if (index > 0) body.push({ type: 'divider' });
      body.push(...detailedStatusBlocks(status));
    });
  }
  for (const failure of failures) {
    if (body.length > 0) body.push({ type: 'divider' });
    body.push(...failureBlocks(failure));
  }

  const tail: SlackBlock[] = [];
  const selection = options.buttons === false ? null : selectionOfResult(statuses, failures);
  const value = selection ? encodeSelection(selection) : null;
  if (value) {
    tail.push({
      type: 'actions',
      block_id: 'taskwatch_actions',
      elements: [
        { type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh', emoji: true }, value },
        { type: 'button', action_id: WATCH_ACTION_ID, text: { type: 'plain_text', text: 'Watch', emoji: true }, value },
      ],
    });
  }
  return { text: fallbackForStatuses(statuses, failures), blocks: withinBlockLimit(body, tail) };
}

/** Renders a watch's status card: the task's latest status and the watch around it. */
export function renderStatusCard(card: StatusCard): SlackMessage {
  const unchecked = card.unchecked ? presentUnchecked(card.unchecked) : null;
  // A card whose first check gave no status says why instead of showing a state.
  const blocks = unchecked
    ? [section(`${unchecked.mark} *${taskKindLabel(card.status.kind)}* ${codeSpan(card.status.id, 120)} — *${unchecked.label}*\n${escapeMrkdwn(unchecked.reason)}`)]
    : detailedStatusBlocks(cardWithEnding(card).status);
  const watch = card.watch;
  if (watch) {
    const parts: string[] = [];
    if (watch.endReason) {
      parts.push(`👀 ${escapeMrkdwn(describeWatchEnd(watch.endReason))}`);
    } else {
      const since = slackDate(watch.startedAt);
      parts.push(`👀 Watching${since ? ` since ${since}` : ''}`);
      const next = slackDate(watch.nextCheckAt);
      if (next) parts.push(`next check ${next}`);
      const deadline = slackDate(watch.deadlineAt);
      if (deadline) parts.push(`until ${deadline} at the latest`);
      const expected = card.expected;
      if (expected) parts.push(`⏱ ${escapedWithTimes(slackTimeStyle, (time) => expectationText(expected, time), escapeMrkdwn)}`);
      if (card.stuck) parts.push(escapeMrkdwn(stuckCardMark(card.status.state)));
    }
    const footer = context(parts);
    if (footer) blocks.push(footer);
  }
  const { label } = presentStatus(card.status);
  const headline = unchecked ? `${unchecked.label}: ${unchecked.reason}` : `${label} (${card.status.rawStatus || 'no status'})`;
  const text = escapeMrkdwn(`${taskKindLabel(card.status.kind)} ${card.status.id}: ${headline}`.slice(0, 500));
  return { text, blocks: withinBlockLimit(blocks) };
}

/** Renders a thread reply about a state change: old -> new, progress, changed items, the ending. */
export function renderTransitionNotice(notice: TransitionNotice): SlackMessage {
  const current = notice.current;
  const headline = noticeHeadline(notice);
  const itemFailure = itemFailureText(notice);
  const change =
    headline.type === 'changed'
      ? `${headline.before.mark} ${headline.before.label} → ${headline.now.mark} *${headline.now.label}*`
      : `${headline.now.mark} *${headline.type === 'unchanged' ? headline.words : headline.now.label}*`;
  const lines = [`${change}  ${taskKindLabel(current.kind)} ${codeSpan(current.id, 120)}`];
  if (itemFailure) lines.push(escapeMrkdwn(itemFailure));
  lines.push(statusDetailLine(current));
  if (notice.skippedStates.length > 0) {
    lines.push(`Passed through: ${notice.skippedStates.map((state) => presentState(state).label).join(' → ')}`);
  }
  const summary = taskSummaryText(current);
  if (summary) lines.push(escapeMrkdwn(summary.slice(0, 500)));
  const blocks: SlackBlock[] = [section(lines.join('\n'))];
  if (notice.changedItems.length > 0) {
    blocks.push(section(`*Changed (${notice.changedItems.length}):*\n${fittedList(notice.changedItems.map(itemLine))}`));
  }
  const ending = noticeEndingLines(notice, escapeMrkdwn);
  if (ending.length > 0) blocks.push(section(ending.join('\n')));
  const footer = context(contextParts(current));
  if (footer) blocks.push(footer);

  const state = headline.type === 'changed' ? `${headline.before.label} -> ${headline.now.label}` : headline.type === 'unchanged' ? headline.words : headline.now.label;
  const fallback = [
    `${taskKindLabel(current.kind)} ${current.id}: ${state}${itemFailure ? `; ${itemFailure}` : ''}`,
    notice.durationMs !== null ? `after ${formatDuration(notice.durationMs)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { text: escapeMrkdwn(fallback.slice(0, 500)), blocks: withinBlockLimit(blocks) };
}

/** Renders a plain text reply (help, errors, confirmations) from the chat-neutral command layer. */
export function renderTextReply(text: string): SlackMessage {
  return renderMrkdwnReply(escapeMrkdwn(text));
}

/** Renders a reply already written in mrkdwn (escaped text with markup such as `<!date^...>`). */
export function renderMrkdwnReply(escaped: string): SlackMessage {
  // A long help text is split across sections at line ends rather than cut; an entity such
  // as `&lt;` is never split because a line is only broken where it is longer than a section.
  const blocks: SlackBlock[] = [];
  let chunk = '';
  for (const line of escaped.split(/(?<=\n)/)) {
    if (chunk.length + line.length > 2900 && chunk.length > 0) {
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk += line.length > 2900 ? truncateMrkdwn(line, 2900) : line;
  }
  if (chunk.length > 0) blocks.push(section(chunk));
  return { text: truncateMrkdwn(escaped, 2900), blocks: blocks.slice(0, MAX_BLOCKS) };
}
