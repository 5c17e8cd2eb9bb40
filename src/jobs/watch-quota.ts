/**
 * Limits on how much one channel, person or API token may watch. Every watch of a (kind,
 * account, region) draws on one shared rate budget, so without limits one script registering
 * 50 IDs 60 times a minute pushes everyone's checks back. Two kinds of limit:
 * - active watches per channel, per chat user and per API token (a count: room comes back
 *   when watches end or are unwatched);
 * - new watches per minute per chat user and per API token (a rate: room comes back when the
 *   one-minute window ends).
 * Counts live in Redis, so they hold across every web process. A check and the watch it admits
 * are not one transaction: two requests at the same moment may together pass a limit by one
 * request's IDs, which is fine for a limit that protects a shared budget.
 */
import type { Redis } from 'ioredis';
import type { WatchStore } from './watch-life/watch-store';
import { QUOTA_COMMANDS, runLua } from './lua-commands';

/** The limits, as the configuration gives them. */
export interface WatchLimits {
  readonly activePerChannel: number;
  readonly activePerUser: number;
  readonly activePerToken: number;
  readonly newPerMinutePerUser: number;
  readonly newPerMinutePerToken: number;
}

/** Who starts watches: a chat user (`slack:U0123`) or an API token (its name). */
export interface QuotaRequester {
  readonly scope: 'user' | 'token';
  readonly id: string;
}

/** What the command handler and the adapters need of a {@link WatchQuota}. */
export type WatchLimiter = Pick<WatchQuota, 'admit' | 'started'>;

/** Which limit refused. */
export type QuotaLimitName = 'active_per_channel' | 'active_per_user' | 'active_per_token' | 'new_per_minute_per_user' | 'new_per_minute_per_token';

/** The answer of {@link WatchQuota.admit}. */
export type QuotaDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly limit: QuotaLimitName;
      /** The limit's value. */
      readonly max: number;
      /** For a rate limit: seconds until the window has room again. */
      readonly retryAfterSeconds?: number;
    };

const WINDOW_MS = 60_000;


/** Checks and records watch quotas in Redis. */
export class WatchQuota {
  /**
   * @param redis the connection (the rate budget's).
   * @param store the watch engine's store, to tell active watches from ended ones.
   * @param prefix where the quota keys live, e.g. `taskwatch:tw:quota`.
   */
  constructor(
    private readonly redis: Redis,
    private readonly store: WatchStore,
    private readonly prefix: string,
    private readonly limits: WatchLimits,
  ) {}

  /**
   * Decides whether `requester` may start `count` new watches in `channel` (`<platform>:<id>`),
   * and when it may, counts them against the per-minute limit. Check before anything reaches a
   * cloud; call {@link WatchQuota.started} with the watch IDs once they are started.
   */
  async admit(requester: QuotaRequester, channel: string, count: number, options: { readonly consume?: boolean } = {}): Promise<QuotaDecision> {
    if (count <= 0) return { allowed: true };
    const channelActive = await this.activeOf(await this.store.channelWatchIds(channel));
    if (channelActive + count > this.limits.activePerChannel) return { allowed: false, limit: 'active_per_channel', max: this.limits.activePerChannel };
    const [activeLimit, activeName, rateLimit, rateName] =
      requester.scope === 'user'
        ? ([this.limits.activePerUser, 'active_per_user', this.limits.newPerMinutePerUser, 'new_per_minute_per_user'] as const)
        : ([this.limits.activePerToken, 'active_per_token', this.limits.newPerMinutePerToken, 'new_per_minute_per_token'] as const);
    const ownKey = this.ownKey(requester);
    const own = await this.redis.smembers(ownKey);
    const ownActive = await this.activeOf(own, ownKey);
    if (ownActive + count > activeLimit) return { allowed: false, limit: activeName, max: activeLimit };
    const rateKey = `${this.prefix}:rate:${requester.scope}:${requester.id}`;
    // A look ahead (consume: false) asks without counting, e.g. before a query that precedes the watch.
    const left = options.consume === false ? await this.peekRate(rateKey, count, rateLimit) : await runLua(this.redis, QUOTA_COMMANDS.takeWatchRate, { keys: { counter: rateKey }, args: { count, limit: rateLimit, windowMs: WINDOW_MS } });
    if (left > 0) return { allowed: false, limit: rateName, max: rateLimit, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
    return { allowed: true };
  }

  /** Notes the watches `requester` started, so that they count against its active limit until they end. */
  async started(requester: QuotaRequester, watchIds: readonly string[]): Promise<void> {
    if (watchIds.length === 0) return;
    await this.redis.sadd(this.ownKey(requester), ...watchIds);
  }

  private async peekRate(rateKey: string, count: number, limit: number): Promise<number> {
    const current = Number((await this.redis.get(rateKey)) ?? 0);
    if (current + count <= limit) return 0;
    const left = await this.redis.pttl(rateKey);
    return left > 0 ? left : WINDOW_MS;
  }

  private ownKey(requester: QuotaRequester): string {
    return `${this.prefix}:active:${requester.scope}:${requester.id}`;
  }

  /** How many of `watchIds` are still running; ended ones are dropped from `cleanKey` on the way. */
  private async activeOf(watchIds: readonly string[], cleanKey?: string): Promise<number> {
    if (watchIds.length === 0) return 0;
    const records = await this.store.loadWatches(watchIds);
    const active = new Set(records.filter((record) => record.endReason === null).map((record) => record.watchId));
    const ended = watchIds.filter((id) => !active.has(id));
    if (cleanKey !== undefined && ended.length > 0) await this.redis.srem(cleanKey, ...ended);
    return active.size;
  }
}
