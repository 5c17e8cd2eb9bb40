/**
 * A test file's Redis with one connection to it: the set-up of tests that drive scripts, stores
 * and queues on a real `redis-server` directly, without an engine. Each keeps its keys apart with
 * a fresh prefix (`uniqueQueueName`), so one server serves the whole file.
 */
import type Redis from 'ioredis';
import { createRedisConnection } from '../../src/jobs/redis-connection';
import { startTestRedis, type TestRedis } from './redis';

/** A running Redis and its connection. */
export interface RedisFixture {
  /** The server, owned by the test file (`url`, `kill`, `restart`). */
  readonly server: TestRedis;
  /** A connection to it, as the engines make one (`createRedisConnection`). */
  readonly redis: Redis;
  /** Closes the connection (disconnecting if it cannot quit), then stops the server. */
  stop(): Promise<void>;
}

/** Starts a Redis without an append-only file and connects to it; call `stop()` in afterAll. */
export async function startRedisFixture(): Promise<RedisFixture> {
  const server = await startTestRedis({ appendOnly: false });
  const redis = createRedisConnection(server.url);
  return {
    server,
    redis,
    stop: async () => {
      await redis.quit().catch(() => redis.disconnect());
      await server.stop();
    },
  };
}
