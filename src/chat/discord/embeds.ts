/**
 * Discord rendering of task statuses, status cards and state-change notices as embeds with
 * buttons. Every text that came from a user or a provider is escaped (see
 * `discord-markdown.ts`), and every message stays inside Discord's limits: 10 embeds, 25
 * fields per embed, 256 characters per title, 1024 per field value, 4096 per description and
 * 6000 for all embeds of a message together; 100 characters per button custom ID.
 */
import { expectationText } from '../render/duration-estimate-text';
import { discordTimeStyle, escapedWithTimes } from '../render/time-text';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { QueryFailure, TaskSelection } from '../../commands/types';
import type { StatusCard, TransitionNotice } from '../../jobs/notifier';
import type { TaskItem, TaskState, TaskStatus } from '../../providers/types';
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
import { encodeCustomId } from './custom-id';
import { codeSpan, cutText, discordLength, escapeDiscordMarkdown, plainDiscordText } from './discord-markdown';
import { kindTakesNoId } from '../../providers/kinds';

/** A message ready to send: content, embeds and button rows, in Discord's JSON shape. */
export interface DiscordMessage {
  readonly content: string;
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
}

/** Discord's limits, as the API enforces them. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
} as const;

/** Up to this many statuses and failures get an embed each; more share one compact embed. */
export const MAX_DETAILED_EMBEDS = 5;
/** The embed budget kept below Discord's 6000 for safety against counting differences. */
const EMBED_BUDGET = 5800;

/** Embed colours by state: readable on both Discord themes. */
export const STATE_COLOURS: Readonly<Record<TaskState | 'not_found' | 'failure', number>> = {
  pending: 0xf1c40f,
  running: 0x3498db,
  succeeded: 0x2ecc71,
  failed: 0xe74c3c,
  unknown: 0x95a5a6,
  not_found: 0x7f8c8d,
  failure: 0xe67e22,
};

/** Button labels, as users see them. */
export const BUTTON_LABELS = { refresh: 'Refresh', watch: 'Watch', unwatch: 'Stop watching' } as const;

function colourOf(status: Pick<TaskStatus, 'found' | 'state'>): number {
  return status.found ? STATE_COLOURS[status.state] : STATE_COLOURS.not_found;
}

/** Discord shows `<t:...>` in each reader's time zone; null for an unparsable time. */
function discordTime(iso: string | null, style: 'R' | 'f' = 'R'): string | null {
  if (!iso) return null;
  const epochMs = Date.parse(iso);
  return Number.isFinite(epochMs) ? `<t:${Math.floor(epochMs / 1000)}:${style}>` : null;
}

function field(name: string, value: string, inline: boolean): APIEmbedField {
  return { name: cutText(name, DISCORD_LIMITS.fieldName), value: cutText(value === '' ? '\u200b' : value, DISCORD_LIMITS.fieldValue), inline };
}

/** Discord's count of an embed's text toward the 6000-character message limit. */
export function embedLength(embed: APIEmbed): number {
  let total = discordLength(embed.title ?? '') + discordLength(embed.description ?? '') + discordLength(embed.footer?.text ?? '');
  total += discordLength(embed.author?.name ?? '');
  for (const item of embed.fields ?? []) total += discordLength(item.name) + discordLength(item.value);
  return total;
}

/** Discord's room for a list: `maxChars` as Discord counts them, 24 kept for "…and N more". */
function fittedList(lines: readonly string[], maxChars: number, maxLines: number = 20): string {
  return listWithin(lines, { maxChars, maxLines, reserve: 24, measure: discordLength });
}

function itemLine(item: TaskItem): string {
  const { mark } = presentState(item.state);
  const parts = [`${mark} ${codeSpan(item.name, 160)}`, codeSpan(item.rawStatus || 'none', 40)];
  if (item.progress !== null) parts.push(`${Math.round(item.progress)}%`);
  const note = itemNoteTextOf(item);
  if (note) parts.push(`*${escapeDiscordMarkdown(cutText(note, 160))}*`);
  return parts.join(' ');
}

function statusTitle(status: TaskStatus): string {
  const { mark } = presentStatus(status);
  return cutText(`${mark} ${taskKindLabel(status.kind)} ${escapeDiscordMarkdown(status.id)}`, DISCORD_LIMITS.title);
}

function footerOf(requestIds: readonly (string | null)[]): APIEmbed['footer'] | undefined {
  const ids = [...new Set(requestIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return undefined;
  const shown = ids.slice(0, 3).map((id) => plainDiscordText(cutText(id, 80)));
  return { text: `RequestId: ${shown.join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}` };
}

/** The fields every status shows: state, raw status, progress, region, account. */
function statusFields(status: TaskStatus): APIEmbedField[] {
  const fields = [field('State', presentStatus(status).label, true), field('Raw status', codeSpan(status.rawStatus || 'none', 80), true)];
  const bar = formatProgressBar(status.progress);
  if (bar) fields.push(field('Progress', bar, true));
  if (status.region) fields.push(field('Region', codeSpan(status.region, 40), true));
  if (status.account && status.account !== 'default') fields.push(field('Account', codeSpan(status.account, 64), true));
  return fields;
}

/**
 * The full embed of one status. `budget` bounds the embed's total length: the per-item
 * details field gets what the rest leaves, cut with "…and N more".
 */
function detailedStatusEmbed(status: TaskStatus, budget: number, extraFields: readonly APIEmbedField[] = []): APIEmbed {
  const embed: APIEmbed = {
    title: statusTitle(status),
    color: colourOf(status),
    fields: [...statusFields(status), ...extraFields],
    timestamp: Number.isFinite(Date.parse(status.observedAt)) ? new Date(status.observedAt).toISOString() : undefined,
  };
  const summary = taskSummaryText(status);
  if (summary) embed.description = escapeDiscordMarkdown(cutText(summary, 500));
  const footer = footerOf([status.requestId]);
  if (footer) embed.footer = footer;
  if (status.items.length > 0) {
    const name = `${itemHeading(status.kind)} (${status.items.length})`;
    const room = Math.min(DISCORD_LIMITS.fieldValue, budget - embedLength(embed) - discordLength(name));
    if (room > 60) embed.fields = [...(embed.fields ?? []), field(name, fittedList(status.items.map(itemLine), room, 10), false)];
  }
  return embed;
}

function compactStatusLine(status: TaskStatus): string {
  const { mark, label } = presentStatus(status);
  const parts = [`${mark} ${codeSpan(status.id, 80)} **${label}**`, codeSpan(status.rawStatus || 'none', 40)];
  const bar = formatProgressBar(status.progress);
  if (bar) parts.push(bar);
  if (status.items.length > 0) parts.push(`(${status.items.length} ${status.items.length === 1 ? 'item' : 'items'})`);
  return parts.join(' ');
}

function failureSubject(failure: QueryFailure): string {
  const ids = failure.refs.map((ref) => ref.id).filter((id) => id.length > 0);
  const kind = failure.refs[0]?.kind;
  if (!kind) return 'the tasks';
  if (kindTakesNoId(kind) || ids.length === 0) return taskKindLabel(kind);
  const shown = ids.slice(0, 5).join(', ');
  return `${taskKindLabel(kind)} ${shown}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}`;
}

function failureEmbed(failure: QueryFailure): APIEmbed {
  const { what, advice } = describeProviderFailure(failure.error);
  const embed: APIEmbed = {
    title: cutText(`⚠️ Could not query ${escapeDiscordMarkdown(failureSubject(failure))}`, DISCORD_LIMITS.title),
    color: STATE_COLOURS.failure,
    description: escapeDiscordMarkdown(cutText(`${what}\n${advice}`, 1000)),
  };
  if (failure.error.providerCode) embed.fields = [field('Error code', codeSpan(failure.error.providerCode, 80), true)];
  const footer = footerOf([failure.error.requestId ?? null]);
  if (footer) embed.footer = footer;
  return embed;
}

/** One embed for many statuses: a line each, cut with "…and N more". */
function compactEmbed(statuses: readonly TaskStatus[], failures: readonly QueryFailure[]): APIEmbed {
  const first = statuses[0];
  const lines = statuses.map(compactStatusLine);
  for (const failure of failures) {
    lines.push(`⚠️ Could not query ${escapeDiscordMarkdown(failureSubject(failure))}: ${escapeDiscordMarkdown(cutText(describeProviderFailure(failure.error).what, 200))}`);
  }
  const title = first ? `${statuses.length} ${taskKindLabel(first.kind)} ${statuses.length === 1 ? 'task' : 'tasks'}` : 'Task query';
  const worst = statuses.find((status) => status.state === 'failed') ?? statuses.find((status) => status.state === 'running') ?? first;
  const embed: APIEmbed = {
    title,
    color: failures.length > 0 && statuses.length === 0 ? STATE_COLOURS.failure : worst ? colourOf(worst) : STATE_COLOURS.unknown,
    description: fittedList(lines, 3900, 60),
  };
  const fields: APIEmbedField[] = [];
  if (first?.region) fields.push(field('Region', codeSpan(first.region, 40), true));
  if (first?.account && first.account !== 'default') fields.push(field('Account', codeSpan(first.account, 64), true));
  if (fields.length > 0) embed.fields = fields;
  const footer = footerOf([...statuses.map((status) => status.requestId), ...failures.map((failure) => failure.error.requestId ?? null)]);
  if (footer) embed.footer = footer;
  return embed;
}

/** The buttons acting on a selection; no row when the selection does not fit a custom ID. */
export function selectionButtons(selection: TaskSelection | null): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  if (!selection) return [];
  const refresh = encodeCustomId('refresh', selection);
  const watch = encodeCustomId('watch', selection);
  const unwatch = encodeCustomId('unwatch', selection);
  if (!refresh || !watch || !unwatch) return [];
  const button = (customId: string, label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    custom_id: customId,
    label,
    style,
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(refresh, BUTTON_LABELS.refresh, ButtonStyle.Secondary),
        button(watch, BUTTON_LABELS.watch, ButtonStyle.Primary),
        button(unwatch, BUTTON_LABELS.unwatch, ButtonStyle.Danger),
      ],
    },
  ];
}

/** Options for {@link renderQueryReply}. */
export interface QueryReplyOptions {
  /** Show the buttons (default true). */
  readonly buttons?: boolean;
  /** A line of content above the embeds, e.g. why the buttons are missing. Escaped here. */
  readonly note?: string;
}

/** Renders the answer to a query: an embed per status and failure (or one compact embed), and the buttons. */
export function renderQueryReply(statuses: readonly TaskStatus[], failures: readonly QueryFailure[], options: QueryReplyOptions = {}): DiscordMessage {
  let embeds: APIEmbed[];
  const count = statuses.length + failures.length;
  if (count === 0) {
    embeds = [{ title: 'No tasks', color: STATE_COLOURS.unknown, description: 'The query named no task.' }];
  } else if (count <= MAX_DETAILED_EMBEDS) {
    const failureEmbeds = failures.map(failureEmbed);
    const left = EMBED_BUDGET - failureEmbeds.reduce((total, embed) => total + embedLength(embed), 0);
    const each = Math.floor(left / Math.max(1, statuses.length));
    embeds = [...statuses.map((status) => detailedStatusEmbed(status, each)), ...failureEmbeds];
  } else {
    embeds = [compactEmbed(statuses, failures)];
  }
  const selection = options.buttons === false ? null : selectionOfResult(statuses, failures);
  const components = selectionButtons(selection);
  let note = options.note ?? '';
  if (selection && components.length === 0) {
    note = [note, 'Too many task IDs for buttons here: use /task-status watch to watch them.'].filter(Boolean).join('\n');
  }
  return { content: cutText(escapeDiscordMarkdown(note), DISCORD_LIMITS.content), embeds, components };
}

function watchField(watch: NonNullable<StatusCard['watch']>, expected?: StatusCard['expected'], stuck?: string): APIEmbedField {
  if (watch.endReason) return field('Watch', `👀 ${describeWatchEnd(watch.endReason)}`, false);
  const parts = [`👀 Watching${discordTime(watch.startedAt) ? ` since ${discordTime(watch.startedAt)}` : ''}`];
  const next = discordTime(watch.nextCheckAt);
  if (next) parts.push(`next check ${next}`);
  const deadline = discordTime(watch.deadlineAt, 'f');
  if (deadline) parts.push(`until ${deadline} at the latest`);
  if (expected) parts.push(`⏱ ${escapedWithTimes(discordTimeStyle, (time) => expectationText(expected, time), escapeDiscordMarkdown)}`);
  if (stuck) parts.push(escapeDiscordMarkdown(stuck));
  return field('Watch', parts.join(', '), false);
}

/** The selection a card's buttons act on: its one task. */
function selectionOfStatus(status: TaskStatus): TaskSelection {
  return {
    kind: status.kind,
    ids: kindTakesNoId(status.kind) ? [] : [status.id],
    ...(status.region ? { region: status.region } : {}),
    ...(status.account && status.account !== 'default' ? { account: status.account } : {}),
  };
}

/** Renders a watch's status card: the task's latest status, the watch around it, and the buttons. */
export function renderStatusCard(card: StatusCard): DiscordMessage {
  const extra = card.watch ? [watchField(card.watch, card.expected, card.stuck ? stuckCardMark(card.status.state) : undefined)] : [];
  const unchecked = card.unchecked ? presentUnchecked(card.unchecked) : null;
  // A card whose first check gave no status says why instead of showing a state.
  const embed: APIEmbed = unchecked
    ? {
        title: cutText(`${unchecked.mark} ${taskKindLabel(card.status.kind)} ${escapeDiscordMarkdown(card.status.id)}`, DISCORD_LIMITS.title),
        description: escapeDiscordMarkdown(unchecked.reason),
        fields: [field('State', unchecked.label, true), ...extra],
      }
    : detailedStatusEmbed(cardWithEnding(card).status, EMBED_BUDGET, extra);
  return { content: '', embeds: [embed], components: selectionButtons(selectionOfStatus(card.status)) };
}

/** Renders a thread reply about a state change: old -> new, progress, changed items, the ending. */
export function renderTransitionNotice(notice: TransitionNotice): DiscordMessage {
  const current = notice.current;
  const headline = noticeHeadline(notice);
  const itemFailure = itemFailureText(notice);
  const change =
    headline.type === 'changed'
      ? `${headline.before.mark} ${headline.before.label} → ${headline.now.mark} ${headline.now.label}`
      : `${headline.now.mark} ${headline.type === 'unchanged' ? headline.words : headline.now.label}`;
  const fields = [field('Raw status', codeSpan(current.rawStatus || 'none', 80), true)];
  const bar = formatProgressBar(current.progress);
  if (bar) fields.push(field('Progress', bar, true));
  if (current.region) fields.push(field('Region', codeSpan(current.region, 40), true));
  if (notice.skippedStates.length > 0) {
    fields.push(field('Passed through', notice.skippedStates.map((state) => presentState(state).label).join(' → '), false));
  }
  const ending = noticeEndingLines(notice, escapeDiscordMarkdown);
  if (ending.length > 0) fields.push(field(notice.endReason ? 'Watch ended' : 'Note', ending.join('\n'), false));

  const embed: APIEmbed = {
    title: cutText(`${change}: ${taskKindLabel(current.kind)} ${escapeDiscordMarkdown(current.id)}`, DISCORD_LIMITS.title),
    color: colourOf(current),
    fields,
  };
  const summary = taskSummaryText(current);
  const description = [itemFailure ? cutText(itemFailure, 500) : '', summary ? cutText(summary, 500) : ''].filter(Boolean).join('\n');
  if (description) embed.description = escapeDiscordMarkdown(description);
  const footer = footerOf([current.requestId]);
  if (footer) embed.footer = footer;
  if (notice.changedItems.length > 0) {
    const name = `Changed (${notice.changedItems.length})`;
    const room = Math.min(DISCORD_LIMITS.fieldValue, EMBED_BUDGET - embedLength(embed) - discordLength(name));
    if (room > 60) embed.fields = [...fields, field(name, fittedList(notice.changedItems.map(itemLine), room, 10), false)];
  }
  return { content: '', embeds: [embed], components: [] };
}

/**
 * Renders a plain reply (help, errors, confirmations) from the chat-neutral command layer as
 * escaped message content; a text longer than a message goes into an embed description.
 */
export function renderTextReply(text: string): DiscordMessage {
  return renderMarkdownReply(escapeDiscordMarkdown(text));
}

/** Renders a reply already written in Discord markdown (escaped text with markup such as `<t:...>`). */
export function renderMarkdownReply(escaped: string): DiscordMessage {
  if (discordLength(escaped) <= DISCORD_LIMITS.content) return { content: escaped, embeds: [], components: [] };
  return { content: '', embeds: [{ description: cutText(escaped, DISCORD_LIMITS.description) }], components: [] };
}
