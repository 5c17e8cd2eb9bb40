/**
 * The world an end-to-end watch test into Discord runs in: its own `redis-server` and the
 * Discord harness on it (the real discord.js client and adapter against the fake Discord, the
 * real providers against the cloud sandbox, the real watch engine, all on the harness's manual
 * clock). For tests that start a harness per test on one Redis, use `startDiscordHarness`.
 */
import { startDiscordHarness, type DiscordHarness, type DiscordHarnessOptions } from '../integration/discord/discord-harness';
import { startTestRedis, type TestRedis } from './redis';

/** A running Discord world: the harness, with the Redis its engine runs on. */
export interface DiscordWorld extends DiscordHarness {
  readonly redisServer: TestRedis;
  /** Stops the harness, then Redis. */
  stop(): Promise<void>;
}

/** Starts Redis and a harness running the watch engine on it; `options` as the harness takes them. */
export async function startDiscordWorld(options: Omit<DiscordHarnessOptions, 'redisUrl'> = {}): Promise<DiscordWorld> {
  const redisServer = await startTestRedis({ appendOnly: false });
  let harness: DiscordHarness;
  try {
    harness = await startDiscordHarness({ ...options, redisUrl: redisServer.url });
  } catch (error) {
    await redisServer.stop();
    throw error;
  }
  return {
    ...harness,
    redisServer,
    stop: async () => {
      await harness.stop();
      await redisServer.stop();
    },
  };
}
