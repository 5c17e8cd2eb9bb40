/**
 * How every Slack web client in taskwatch is built. 429s are rejected rather than awaited:
 * the client's default pauses its whole request queue, every channel's calls included, for
 * Retry-After and retries up to ten times over about half an hour. Retries are kept for
 * network errors and 5xx answers only, and are few and quick.
 */
import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { SlackConfig } from './slack-settings';

/** The retry policy: two quick retries for network errors and 5xx answers. */
export const SLACK_RETRY_CONFIG = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true } as const;

/**
 * The retry policy of the watch engine's notifier: none. The notification queue retries a
 * failed delivery itself, with a back-off that grows with the outage, and frees the worker
 * meanwhile; retrying inside the client would hold a worker asleep for every call to a channel
 * that is down, delaying the channels that are up.
 */
export const SLACK_NOTIFIER_RETRY_CONFIG = { retries: 0, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true } as const;

/** A web client retry policy (p-retry options). */
export type SlackRetryConfig = { readonly retries: number; readonly factor: number; readonly minTimeout: number; readonly maxTimeout: number; readonly randomize: boolean };

/** Options for `new WebClient` and Bolt's `clientOptions`. */
export interface SlackWebClientOptions {
  slackApiUrl?: string;
  rejectRateLimitedCalls: true;
  retryConfig: { retries: number; factor: number; minTimeout: number; maxTimeout: number; randomize: boolean };
  /** Milliseconds before a Web API call is abandoned. */
  timeout: number;
  logger?: BoltLogger;
}

/** Web client options taskwatch uses everywhere. A fresh object each call: Bolt and the socket client mutate theirs. */
export function createSlackWebClientOptions(config: Pick<SlackConfig, 'apiUrl'>, logger?: BoltLogger, retryConfig: SlackRetryConfig = SLACK_RETRY_CONFIG): SlackWebClientOptions {
  return {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { ...retryConfig },
    timeout: 10_000,
    ...(logger ? { logger } : {}),
  };
}

/** A web client for the bot token with taskwatch's options (`retryConfig`: see {@link SLACK_NOTIFIER_RETRY_CONFIG}). */
export function createSlackWebClient(config: Pick<SlackConfig, 'apiUrl' | 'botToken'>, logger?: BoltLogger, retryConfig: SlackRetryConfig = SLACK_RETRY_CONFIG): webApi.WebClient {
  return new webApi.WebClient(config.botToken, createSlackWebClientOptions(config, logger, retryConfig));
}
