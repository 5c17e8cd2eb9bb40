/**
 * A {@link RateBudget} shared by every process on one Redis: a sliding one-second window per
 * quota key, kept in a sorted set and updated by one Lua command (`lua/acquireRate-1.lua`), so two workers polling under
 * the same credential together stay inside the API's documented quota.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { budgetAbortedError, waitForBudget, type RateBudget } from '../providers/rate-budget';
import { RATE_COMMANDS, defineLuaCommands, runLua } from './lua-commands';

/** Options of {@link RedisRateBudget}. */
export interface RedisRateBudgetOptions {
  /** Prefix of the window keys; default `taskwatch:rate`. */
  readonly prefix?: string;
  /** Window length; default 1000 ms (quotas are per second). */
  readonly windowMs?: number;
}

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
    defineLuaCommands(redis);
  }

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    const limit = Math.max(1, Math.floor(perSecond));
    const windowKey = `${this.prefix}:${key}`;
    for (;;) {
      if (signal?.aborted) throw budgetAbortedError();
      this.sequence += 1;
      const member = `${this.processTag}-${this.sequence}`;
      const waitMs = await runLua(this.redis, RATE_COMMANDS.acquireRate, { keys: { window: windowKey }, args: { limit, windowMs: this.windowMs, member } });
      if (waitMs <= 0) return;
      await waitForBudget(waitMs, signal);
    }
  }
}
