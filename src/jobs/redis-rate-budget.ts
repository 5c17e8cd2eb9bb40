/**
 * A {@link RateBudget} shared by every process on one Redis: a sliding one-second window per
 * quota key, kept in a sorted set and updated by one Lua script, so two workers polling under
 * the same credential together stay inside the API's documented quota.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { budgetAbortedError, waitForBudget, type RateBudget } from '../providers/rate-budget';

/**
 * KEYS: window. ARGV: limit, windowMs, member. Returns 0 when a call may go now (and records
 * it), else the ms until the oldest call in the window leaves it. Times come from the server's
 * clock so that every process measures the same window.
 */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
`;

/** Options of {@link RedisRateBudget}. */
export interface RedisRateBudgetOptions {
  /** Prefix of the window keys; default `taskwatch:rate`. */
  readonly prefix?: string;
  /** Window length; default 1000 ms (quotas are per second). */
  readonly windowMs?: number;
}

const COMMAND = 'taskwatch_rateAcquire';

/** The cross-process rate budget. The client it is given stays owned by the caller. */
export class RedisRateBudget implements RateBudget {
  private readonly prefix: string;
  private readonly windowMs: number;
  private sequence = 0;
  private readonly processTag = randomBytes(6).toString('hex');

  constructor(
    private readonly redis: Redis,
    options: RedisRateBudgetOptions = {},
  ) {
    this.prefix = options.prefix ?? 'taskwatch:rate';
    this.windowMs = options.windowMs ?? 1000;
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: ACQUIRE });
  }

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    const limit = Math.max(1, Math.floor(perSecond));
    const windowKey = `${this.prefix}:${key}`;
    for (;;) {
      if (signal?.aborted) throw budgetAbortedError();
      this.sequence += 1;
      const member = `${this.processTag}-${this.sequence}`;
      const call = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number>>)[COMMAND] as (
        ...args: (string | number)[]
      ) => Promise<number>;
      const waitMs = Number(await call.call(this.redis, windowKey, limit, this.windowMs, member));
      if (waitMs <= 0) return;
      await waitForBudget(waitMs, signal);
    }
  }
}
