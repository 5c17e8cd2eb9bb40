/**
 * The per-token request limit of the HTTP API: a fixed one-minute window per token. In memory
 * for a single process; in Redis when several web processes serve the API, so a token's limit
 * holds across all of them rather than once per process.
 */
import type { Redis } from 'ioredis';

/** Counts a token's requests; resolves to 0 when one may go, else the seconds until it may. */
export interface ApiRateWindow {
  take(tokenKey: string): Promise<number>;
}

const WINDOW_MS = 60_000;

/** One process's windows. `now` is real time (epoch ms). */
export class InMemoryApiRateWindow implements ApiRateWindow {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(tokenKey: string): Promise<number> {
    const now = this.now();
    const window = this.windows.get(tokenKey);
    if (!window || now - window.start >= WINDOW_MS) {
      this.windows.set(tokenKey, { start: now, count: 1 });
      return Promise.resolve(0);
    }
    if (window.count < this.limit) {
      window.count += 1;
      return Promise.resolve(0);
    }
    return Promise.resolve(Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000)));
  }
}

/**
 * Counts in Redis, atomically: the first request of a window starts it with a one-minute
 * expiry. KEYS: the token's counter. ARGV: limit, window ms. Returns 0, or ms left in the window.
 */
const TAKE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) left = tonumber(ARGV[2]) end
return left
`;

/** Windows shared by every process on one Redis. `tokenKey` is a digest, never a token. */
export class RedisApiRateWindow implements ApiRateWindow {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
    private readonly prefix = 'taskwatch:api-rate',
  ) {}

  async take(tokenKey: string): Promise<number> {
    const left = Number(await this.redis.eval(TAKE, 1, `${this.prefix}:${tokenKey}`, this.limit, WINDOW_MS));
    return left <= 0 ? 0 : Math.max(1, Math.ceil(left / 1000));
  }
}
