/**
 * Builds the watch engine and the subscription engine the way the composition root does:
 * real providers against the cloud sandbox, the Redis rate budget, mutes holding deliveries,
 * and an in-memory notifier that records every call with the task it was about.
 */
import type Redis from 'ioredis';
import { ChannelMutes } from '../../../src/jobs/subscriptions/channel-mute';
import { createSubscriptionEngine, type SubscriptionEngine } from '../../../src/jobs/engines/subscription-engine';
import { NotifierRateLimitedError, formatChannelAddress, type ChannelAddress, type ChannelNotice, type ChannelSummary, type Notifier, type StatusCard, type TransitionNotice } from '../../../src/jobs/notifier';
import type { SubscriptionEngineOptions } from '../../../src/jobs/engines/subscription-engine';
import type { CloudAccount } from '../../../src/config';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../../../src/providers/registry';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';

/** One notifier call. */
export interface NotifierEvent {
  readonly type: 'card' | 'update' | 'reply' | 'summary' | 'notice';
  readonly channel: string;
  readonly messageId: string;
  readonly taskId: string | null;
  readonly state: string | null;
  readonly endReason?: string | null;
  readonly summary?: ChannelSummary;
  readonly notice?: ChannelNotice;
}

/** Records every call in memory, in order. */
export class MemoryNotifier implements Notifier {
  readonly platform = 'slack' as const;
  readonly events: NotifierEvent[] = [];
  /** How many of the next summaries to refuse as Slack would with a 429. */
  refuseSummaries = 0;
  private next = 1;

  async postCard(channel: ChannelAddress, card: StatusCard): Promise<string> {
    const messageId = `m${this.next++}`;
    this.events.push({ type: 'card', channel: formatChannelAddress(channel), messageId, taskId: card.status.id, state: card.status.state });
    return messageId;
  }

  async updateCard(channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void> {
    this.events.push({ type: 'update', channel: formatChannelAddress(channel), messageId, taskId: card.status.id, state: card.status.state, endReason: card.watch?.endReason ?? null });
  }

  async postThreadReply(channel: ChannelAddress, messageId: string, notice: TransitionNotice): Promise<void> {
    this.events.push({ type: 'reply', channel: formatChannelAddress(channel), messageId, taskId: notice.current.id, state: notice.current.state, endReason: notice.endReason });
  }

  async postSummary(channel: ChannelAddress, summary: ChannelSummary): Promise<string> {
    if (this.refuseSummaries > 0) {
      this.refuseSummaries -= 1;
      throw new NotifierRateLimitedError(200);
    }
    const messageId = `m${this.next++}`;
    this.events.push({ type: 'summary', channel: formatChannelAddress(channel), messageId, taskId: null, state: null, summary });
    return messageId;
  }

  async postNotice(channel: ChannelAddress, notice: ChannelNotice): Promise<string> {
    const messageId = `m${this.next++}`;
    this.events.push({ type: 'notice', channel: formatChannelAddress(channel), messageId, taskId: null, state: null, notice });
    return messageId;
  }

  of(filter: Partial<NotifierEvent>): NotifierEvent[] {
    return this.events.filter((event) => Object.entries(filter).every(([key, value]) => (event as unknown as Record<string, unknown>)[key] === value));
  }
}

/** A running watch engine plus subscriptions. */
export interface TestStack {
  readonly engine: WatchEngine;
  readonly subscriptions: SubscriptionEngine;
  readonly redis: Redis;
  stop(): Promise<void>;
}

/** Starts both engines in role `all` on `redisUrl` under `prefix`. */
export async function startStack(options: {
  redisUrl: string;
  prefix: string;
  sandboxUrl: string;
  notifier: Notifier;
  now: () => number;
  /** The back-off of refused notifications and summaries; default the production one. */
  deliveryRetry?: { minMs: number; maxMs: number };
  /** The configured accounts; default the sandbox's. */
  accounts?: readonly CloudAccount[];
  /** Re-authorization, audit and logger of the subscription engine. */
  subscriptionAccess?: Pick<SubscriptionEngineOptions, 'authorize' | 'audit' | 'logger'>;
}): Promise<TestStack> {
  const redis = createRedisConnection(options.redisUrl);
  const registry = createProviderRegistry(
    { accounts: options.accounts ?? sandboxAccountsWithRefused(options.sandboxUrl), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${options.prefix}:rate` }), now: options.now },
  );
  const mutes = new ChannelMutes(redis, options.prefix, options.now);
  const engine = createWatchEngine({
    connection: options.redisUrl,
    prefix: options.prefix,
    providers: registry,
    notifiers: [options.notifier],
    watch: { ...TEST_WATCH_CONFIG, ...(options.deliveryRetry ? { deliveryRetryMs: options.deliveryRetry.minMs, deliveryRetryMaxMs: options.deliveryRetry.maxMs } : {}) },
    role: 'all',
    now: options.now,
    deliverySpacingMs: { slack: 0 },
    tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 300 },
    deliveryHold: mutes.hold,
  });
  const subscriptions = createSubscriptionEngine({
    connection: options.redisUrl,
    prefix: options.prefix,
    providers: registry,
    watches: engine,
    notifiers: [options.notifier],
    role: 'all',
    now: options.now,
    tuning: { intervalMs: 100, overlapMs: 60_000, statusLookbackMs: 3_600_000, supervisorIntervalMs: 200, lockDurationMs: 1500, stalledIntervalMs: 500 },
    ...(options.deliveryRetry ? { deliveryRetry: options.deliveryRetry } : {}),
    ...options.subscriptionAccess,
  });
  await engine.start();
  await subscriptions.start();
  return {
    engine,
    subscriptions,
    redis,
    stop: async () => {
      await subscriptions.stop();
      await engine.stop();
      registry.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export { waitFor } from '../../support/wait';
