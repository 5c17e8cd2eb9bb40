/**
 * The watch engine's way into Discord. Cards are channel messages posted and edited through the
 * bot's own channel-message API (`POST`/`PATCH /channels/:id/messages`), never through an
 * interaction webhook, whose token dies 15 minutes after the command: a watch lasts hours.
 * Each state change goes into a public thread started from the card. Discord gives such a
 * thread the card message's own ID, so the thread is found again after a restart without
 * any stored state. When the bot may not create threads (403, code 50013), replies go under
 * the card in the channel instead, and the channel is told once how to grant the permission.
 *
 * Rate limits: the REST client must be created with `rejectOnRateLimit` for `/channels`
 * routes (see {@link DISCORD_REST_RATE_LIMIT_OPTIONS}), so a 429 (or a bucket discord.js
 * knows to be empty) is never waited out here: it becomes a {@link NotifierRateLimitedError}
 * and the engine's notification queue delays that channel only.
 */
import { REST, Routes, type RESTOptions } from 'discord.js';
import type { DiscordConfig } from './discord-settings';
import { NotifierRateLimitedError, NotifierTargetGoneError, type ChannelAddress, type ChannelNotice, type ChannelSummary, type Notifier, type StatusCard, type StuckNotice, type TransitionNotice } from '../../jobs/notifier';
import { channelNoticeText } from '../render/channel-notice-text';
import { muteSummaryText } from '../render/mute-summary-text';
import { stuckReplyText } from '../render/stuck-text';
import { DISCORD_ERROR_CODES, DiscordApiError, describeDiscordFailure, isPermissionFailure, readDiscordFailure } from './discord-api-failure';
import { SILENT_LOGGER, type TaskwatchLogger } from '../../observability/taskwatch-logger';
import { renderStatusCard, renderTextReply, renderTransitionNotice, type DiscordMessage } from './embeds';
import { DISCORD_CAPABILITIES } from './discord-capabilities';

/** Every message taskwatch sends pings nobody, whatever its text contains. */
export const NO_MENTIONS = { parse: [] as [] };

/**
 * REST options that turn rate limits on channel routes into errors instead of waits. Interaction
 * replies (`/interactions`, `/webhooks`) still wait: they are answers someone is looking at.
 */
export const DISCORD_REST_RATE_LIMIT_OPTIONS: Pick<RESTOptions, 'rejectOnRateLimit'> = {
  rejectOnRateLimit: (data) => data.route.startsWith('/channels'),
};

/** How long the bot waits before trying to create threads again in a channel that refused. */
export const THREAD_RETRY_AFTER_MS = 10 * 60_000;

/** Thread targets remembered per card, at most this many. */
const MAX_REMEMBERED_CARDS = 5000;

/** Auto-archive after a day of silence; a new reply unarchives the thread. */
const THREAD_AUTO_ARCHIVE_MINUTES = 1440;

/** Said once per channel when the bot cannot create threads there. */
export const THREAD_PERMISSION_HINT =
  'taskwatch cannot start threads in this channel, so updates are posted here as replies to the status card. ' +
  'To get a thread per task instead, allow the taskwatch role "Create Public Threads" and "Send Messages in Threads" ' +
  '(Server Settings > Roles, or this channel\'s Edit Channel > Permissions).';

/** What {@link DiscordNotifier} needs. */
export interface DiscordNotifierOptions {
  /** A REST client with the bot token set and {@link DISCORD_REST_RATE_LIMIT_OPTIONS}. */
  readonly rest: REST;
  readonly logger?: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>;
  /** Epoch ms, for the thread-permission retry; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Where a card's replies go. `channel`: under the card, because threads were refused until
 * `until`; `hint` says whether the refusal was a permission the channel can be told about.
 */
type ThreadTarget = { readonly type: 'thread'; readonly threadId: string } | { readonly type: 'channel'; readonly until: number; readonly hint: boolean };

/** Turns a message into a REST body; nothing taskwatch sends may ping anyone. */
export function restBody(message: DiscordMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { content: message.content, embeds: message.embeds, components: message.components, allowed_mentions: NO_MENTIONS, ...extra };
}

/** Posts and edits status cards and their threads in Discord. */
export class DiscordNotifier implements Notifier {
  readonly platform = 'discord' as const;
  readonly capabilities = DISCORD_CAPABILITIES;
  private readonly rest: REST;
  private readonly logger: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>;
  private readonly now: () => number;
  private readonly targets = new Map<string, ThreadTarget>();
  /** Channels already told how to grant thread permissions. */
  private readonly hinted = new Set<string>();

  constructor(options: DiscordNotifierOptions) {
    this.rest = options.rest;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.now = options.now ?? Date.now;
  }

  /** Posts a card as a channel message; resolves to its message ID. */
  async postCard(channel: ChannelAddress, card: StatusCard): Promise<string> {
    const message = (await this.call(() => this.rest.post(Routes.channelMessages(channel.channelId), { body: restBody(renderStatusCard(card)) }))) as { id?: unknown };
    if (typeof message.id !== 'string') throw new DiscordApiError({ status: null, code: null, method: 'POST', route: '/channels/:id/messages', retryAfterMs: null, errorName: 'NoMessageId' });
    return message.id;
  }

  /** Edits a card in place through the channel-message API (valid long after any interaction token). */
  /** Posts the one message that sums up what happened while the channel was muted. */
  async postSummary(channel: ChannelAddress, summary: ChannelSummary): Promise<string> {
    const { title, lines } = muteSummaryText(summary);
    const message = renderTextReply([title, ...lines.map((line) => `• ${line}`)].join('\n'));
    const posted = (await this.call(() => this.rest.post(Routes.channelMessages(channel.channelId), { body: restBody(message) }))) as { id?: unknown };
    return typeof posted.id === 'string' ? posted.id : '';
  }

  /** Posts a channel notice (e.g. a suspended subscription) as one channel message. */
  async postNotice(channel: ChannelAddress, notice: ChannelNotice): Promise<string> {
    const posted = (await this.call(() => this.rest.post(Routes.channelMessages(channel.channelId), { body: restBody(renderTextReply(channelNoticeText(notice))) }))) as { id?: unknown };
    return typeof posted.id === 'string' ? posted.id : '';
  }

  async updateCard(channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void> {
    await this.call(() => this.rest.patch(Routes.channelMessage(channel.channelId, messageId), { body: restBody(renderStatusCard(card)) }));
  }

  /**
   * Posts a state change in the card's thread (started on first use), or under the card in the
   * channel where threads are not allowed. `broadcast` also shows it in the channel.
   */
  async postThreadReply(channel: ChannelAddress, messageId: string, notice: TransitionNotice, options: { readonly broadcast: boolean }): Promise<void> {
    const message = renderTransitionNotice(notice);
    const target = await this.threadFor(channel, messageId, notice);
    if (target.type === 'thread') {
      await this.postInThread(target.threadId, message);
      if (options.broadcast) await this.postUnderCard(channel, messageId, message);
      return;
    }
    // A card inside a thread cannot have a thread of its own; that needs no permission hint.
    const hint = !target.hint || this.hinted.has(channel.channelId) ? '' : THREAD_PERMISSION_HINT;
    await this.postUnderCard(channel, messageId, hint ? { ...message, content: hint } : message);
    if (hint) this.hinted.add(channel.channelId);
  }

  /** Says in the card's thread (or under the card) that the task runs far past its usual time; `broadcast` also shows it in the channel. */
  async postStuckReply(channel: ChannelAddress, messageId: string, notice: StuckNotice, options: { readonly broadcast: boolean }): Promise<void> {
    const message = renderTextReply(stuckReplyText(notice));
    const target = await this.threadFor(channel, messageId, { current: notice });
    if (target.type === 'thread') {
      await this.postInThread(target.threadId, message);
      if (options.broadcast) await this.postUnderCard(channel, messageId, message);
      return;
    }
    await this.postUnderCard(channel, messageId, message);
  }

  /** Posts in a thread; a thread archived after a quiet day is unarchived and tried once more. */
  private async postInThread(threadId: string, message: DiscordMessage): Promise<void> {
    try {
      await this.rest.post(Routes.channelMessages(threadId), { body: restBody(message) });
      return;
    } catch (error) {
      if (readDiscordFailure(error).code !== DISCORD_ERROR_CODES.threadArchived) throw this.translate(error);
    }
    await this.call(() => this.rest.patch(Routes.channel(threadId), { body: { archived: false } }));
    await this.call(() => this.rest.post(Routes.channelMessages(threadId), { body: restBody(message) }));
  }

  private async postUnderCard(channel: ChannelAddress, messageId: string, message: DiscordMessage): Promise<void> {
    // fail_if_not_exists: false keeps the reply even if someone deleted the card.
    const reference = { message_reference: { message_id: messageId, channel_id: channel.channelId, fail_if_not_exists: false } };
    await this.call(() => this.rest.post(Routes.channelMessages(channel.channelId), { body: restBody(message, reference) }));
  }

  /** Finds or starts the card's thread; falls back to the channel when threads are not allowed. */
  private async threadFor(channel: ChannelAddress, messageId: string, notice: { readonly current: Pick<TransitionNotice['current'], 'kind' | 'id'> }): Promise<ThreadTarget> {
    const known = this.targets.get(messageId);
    if (known && (known.type === 'thread' || known.until > this.now())) return known;
    let target: ThreadTarget;
    try {
      const name = `${notice.current.kind} ${notice.current.id}`.slice(0, 100);
      const thread = (await this.rest.post(Routes.threads(channel.channelId, messageId), {
        body: { name, auto_archive_duration: THREAD_AUTO_ARCHIVE_MINUTES },
      })) as { id?: unknown };
      target = { type: 'thread', threadId: typeof thread.id === 'string' ? thread.id : messageId };
    } catch (error) {
      const failure = readDiscordFailure(error);
      if (failure.code === DISCORD_ERROR_CODES.threadAlreadyCreated) {
        // Started before (e.g. before a restart): a message's thread has the message's ID.
        target = { type: 'thread', threadId: messageId };
      } else if (isPermissionFailure(failure)) {
        this.logger.warn(`Discord thread creation refused (${describeDiscordFailure(failure)}); replying in the channel instead`);
        target = { type: 'channel', until: this.now() + THREAD_RETRY_AFTER_MS, hint: true };
      } else if (failure.code === DISCORD_ERROR_CODES.invalidChannelType) {
        target = { type: 'channel', until: Number.POSITIVE_INFINITY, hint: false };
      } else {
        throw this.translate(error);
      }
    }
    this.remember(messageId, target);
    return target;
  }

  private remember(messageId: string, target: ThreadTarget): void {
    this.targets.delete(messageId);
    this.targets.set(messageId, target);
    if (this.targets.size > MAX_REMEMBERED_CARDS) this.targets.delete(this.targets.keys().next().value as string);
  }

  private translate(error: unknown): Error {
    const failure = readDiscordFailure(error);
    if (failure.retryAfterMs !== null) return new NotifierRateLimitedError(failure.retryAfterMs);
    // Gone for good: the channel was deleted, the card was deleted, or the bot can no longer
    // see the channel. A missing permission (50013) can be granted, so it is retried.
    if (failure.code === DISCORD_ERROR_CODES.unknownChannel) return new NotifierTargetGoneError('channel_not_found');
    if (failure.code === DISCORD_ERROR_CODES.unknownMessage) return new NotifierTargetGoneError('card_deleted');
    if (failure.code === DISCORD_ERROR_CODES.missingAccess) return new NotifierTargetGoneError('not_in_channel');
    return new DiscordApiError(failure);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.translate(error);
    }
  }
}

/** REST options for a base URL override (`DISCORD_API_URL`); discord.js appends `/v10`. */
export function discordRestOptions(config: Pick<DiscordConfig, 'apiUrl'>): Partial<RESTOptions> {
  return { ...DISCORD_REST_RATE_LIMIT_OPTIONS, ...(config.apiUrl ? { api: config.apiUrl } : {}) };
}

/**
 * A notifier with its own REST client, for processes that post notifications but hold no
 * gateway connection (`--role worker`).
 */
export function createDiscordNotifier(config: Pick<DiscordConfig, 'apiUrl' | 'token'>, logger?: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>): DiscordNotifier {
  const rest = new REST(discordRestOptions(config)).setToken(config.token);
  return new DiscordNotifier({ rest, ...(logger ? { logger } : {}) });
}
