/**
 * Redis clients for the watch engine and the shared rate budget. BullMQ workers block on their
 * connection, so every client here retries forever instead of failing queued commands.
 */
import IORedis, { type Redis } from 'ioredis';

/** Where Redis is: a `redis://`, `rediss://` or `unix:` URL, or a host and port. */
export type RedisConnectionTarget = string | { readonly host: string; readonly port: number };

/** Creates a client; the caller owns it and must `quit()` it. */
export function createRedisConnection(target: RedisConnectionTarget): Redis {
  if (typeof target !== 'string') return new IORedis({ host: target.host, port: target.port, maxRetriesPerRequest: null });
  if (target.startsWith('unix:')) return new IORedis({ path: new URL(target).pathname, maxRetriesPerRequest: null });
  return new IORedis(target, { maxRetriesPerRequest: null });
}
