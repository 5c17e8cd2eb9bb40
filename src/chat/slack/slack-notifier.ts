/**
 * The watch engine's way into Slack. Cards are channel messages posted with
 * `chat.postMessage` and edited with `chat.update`; each state change is a reply in the card's
 * thread. A 429 is never waited out here: the web client is built with
 * `rejectRateLimitedCalls`, and the notifier turns the rejection into a
 * {@link NotifierRateLimitedError} so the engine's notification queue delays that channel
 * only, while other channels keep posting.
 */
import type { webApi } from '@slack/bolt';
import type { SlackConfig } from './slack-settings';
import { NotifierRateLimitedError, NotifierTargetGoneError, type ChannelAddress, type ChannelNotice, type NotifierGoneReason, type ChannelSummary, type Notifier, type StatusCard, type StuckNotice, type TransitionNotice } from '../../jobs/notifier';
import { channelNoticeText } from '../render/channel-notice-text';
import { muteSummaryText } from '../render/mute-summary-text';
import { stuckReplyText } from '../render/stuck-text';
import { renderStatusCard, renderTextReply, renderTransitionNotice, type SlackMessage } from './blocks';
import { createRedactingLogger } from './redacting-logger';
import type { TaskwatchLogger } from '../../observability/taskwatch-logger';
import { readSlackApiFailure, SlackApiError } from './slack-api-failure';
import { createSlackWebClient, SLACK_NOTIFIER_RETRY_CONFIG } from './slack-web-client';
import { SLACK_CAPABILITIES } from './slack-capabilities';

/** What {@link SlackNotifier} needs. */
export interface SlackNotifierOptions {
  /**
   * A web client created with `rejectRateLimitedCalls: true` and no retries of its own
   * (`createSlackWebClient(config, logger, SLACK_NOTIFIER_RETRY_CONFIG)`): the notification
   * queue retries.
   */
  readonly client: webApi.WebClient;
}

/** Posts and edits status cards and thread replies in Slack. */
export class SlackNotifier implements Notifier {
  readonly platform = 'slack' as const;
  readonly capabilities = SLACK_CAPABILITIES;
  private readonly client: webApi.WebClient;

  constructor(options: SlackNotifierOptions) {
    this.client = options.client;
  }

  /** Posts a card; resolves to its message `ts`. */
  async postCard(channel: ChannelAddress, card: StatusCard): Promise<string> {
    const message = renderStatusCard(card);
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({ channel: channel.channelId, ...postable(message), unfurl_links: false, unfurl_media: false }),
    );
    if (typeof result.ts !== 'string') throw new SlackApiError({ method: 'chat.postMessage', reason: 'no_ts', retryAfterMs: null });
    return result.ts;
  }

  /** Edits a card in place. */
  async updateCard(channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void> {
    const message = renderStatusCard(card);
    await this.call('chat.update', () => this.client.chat.update({ channel: channel.channelId, ts: messageId, ...postable(message) }));
  }

  /** Replies in the card's thread; `broadcast` also shows the reply in the channel. */
  async postThreadReply(channel: ChannelAddress, messageId: string, notice: TransitionNotice, options: { readonly broadcast: boolean }): Promise<void> {
    const message = renderTransitionNotice(notice);
    await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel: channel.channelId,
        thread_ts: messageId,
        reply_broadcast: options.broadcast,
        ...postable(message),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  /** Says in the card's thread that the task runs far past its usual time; `broadcast` also shows it in the channel. */
  async postStuckReply(channel: ChannelAddress, messageId: string, notice: StuckNotice, options: { readonly broadcast: boolean }): Promise<void> {
    const message = renderTextReply(stuckReplyText(notice));
    await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel: channel.channelId,
        thread_ts: messageId,
        reply_broadcast: options.broadcast,
        ...postable(message),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  /** Posts a mute summary as one channel message; resolves to its `ts`. */
  async postSummary(channel: ChannelAddress, summary: ChannelSummary): Promise<string> {
    const { title, lines } = muteSummaryText(summary);
    const message = renderTextReply([title, ...lines.map((line) => `• ${line}`)].join('\n'));
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({ channel: channel.channelId, ...postable(message), unfurl_links: false, unfurl_media: false }),
    );
    return typeof result.ts === 'string' ? result.ts : '';
  }

  /** Posts a channel notice (e.g. a suspended subscription) as one channel message; resolves to its `ts`. */
  async postNotice(channel: ChannelAddress, notice: ChannelNotice): Promise<string> {
    const message = renderTextReply(channelNoticeText(notice));
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({ channel: channel.channelId, ...postable(message), unfurl_links: false, unfurl_media: false }),
    );
    return typeof result.ts === 'string' ? result.ts : '';
  }

  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const failure = readSlackApiFailure(method, error);
      if (failure.retryAfterMs !== null) throw new NotifierRateLimitedError(failure.retryAfterMs);
      const gone = SLACK_GONE_REASONS[failure.reason];
      if (gone) throw new NotifierTargetGoneError(gone);
      throw new SlackApiError(failure);
    }
  }
}

/**
 * Slack error words that mean a channel or card can never be posted to again. Anything else
 * (5xx, network errors, `fatal_error`, even a revoked token) may heal and is retried.
 */
const SLACK_GONE_REASONS: Readonly<Record<string, NotifierGoneReason>> = {
  channel_not_found: 'channel_not_found',
  is_archived: 'archived',
  not_in_channel: 'not_in_channel',
  message_not_found: 'card_deleted',
};

/** The web client's argument types want a mutable block array. */
function postable(message: SlackMessage): { text: string; blocks: SlackMessage['blocks'] } {
  return { text: message.text, blocks: [...message.blocks] };
}

/**
 * A notifier with its own web client, for processes that post notifications but take no
 * commands (`--role worker`). Logs go through the same redaction as the adapter's.
 */
export function createSlackNotifier(config: Pick<SlackConfig, 'apiUrl' | 'botToken' | 'signingSecret' | 'appToken'>, logger?: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>): SlackNotifier {
  const secrets = [config.botToken, config.signingSecret, config.appToken].filter((secret): secret is string => Boolean(secret));
  const boltLogger = logger ? createRedactingLogger(logger, secrets) : undefined;
  return new SlackNotifier({ client: createSlackWebClient(config, boltLogger, SLACK_NOTIFIER_RETRY_CONFIG) });
}
