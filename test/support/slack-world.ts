/**
 * The world an end-to-end watch test into Slack runs in: its own `redis-server`, the cloud
 * sandbox, the real providers and SDKs over loopback, and the real watch engine posting through
 * the real SlackNotifier to the fake Slack. The sandbox, the providers and the engine share one
 * manual clock, so a test moves every task and every schedule by advancing it.
 */
import { createSlackNotifier } from '../../src/chat/slack/slack-notifier';
import { createWatchEngine, type WatchEngine } from '../../src/jobs/engines/watch-engine';
import { createRedisConnection } from '../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../src/jobs/redis-rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../src/providers/registry';
import { CloudSandbox } from '../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../src/util/clock';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from './engine-settings';
import { startTestRedis, uniqueQueueName, type TestRedis } from './redis';

/** Options of {@link startSlackWorld}. */
export interface SlackWorldOptions {
  /** Starts the engine's fresh key prefix (see `uniqueQueueName`). */
  readonly name: string;
  /** The fake Slack's bot token; tests assert it never reaches a message. */
  readonly botToken: string;
  /** The clock every part shares; default a `ManualClock` starting now. */
  readonly clock?: ManualClock;
}

/** A running Slack world. */
export interface SlackWorld {
  readonly redisServer: TestRedis;
  readonly clock: ManualClock;
  readonly slack: FakeSlack;
  readonly sandbox: CloudSandbox;
  readonly registry: ClosableProviderRegistry;
  readonly prefix: string;
  /** The started engine. */
  readonly engine: WatchEngine;
  /** A new, unstarted engine like the first (same Redis, prefix, providers, clock), as after a restart; `stop` stops it too. */
  newEngine(): WatchEngine;
  /** Stops every engine made here, then the providers, sandbox, fake Slack and Redis. */
  stop(): Promise<void>;
}

/** Starts a {@link SlackWorld}; if a part fails to start, the parts already started are stopped. */
export async function startSlackWorld(options: SlackWorldOptions): Promise<SlackWorld> {
  // Each part's stop, in the order started; the world stops them in reverse.
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async (): Promise<void> => {
    for (const stopPart of stops.reverse()) await stopPart();
    stops.length = 0;
  };
  try {
    const redisServer = await startTestRedis({ appendOnly: false });
    stops.push(() => redisServer.stop());
    // One clock for the sandbox, the providers and the engine, starting now: Redis TTLs and SDK
    // signatures run on real time, so the test holds on any day.
    const clock = options.clock ?? new ManualClock();
    const slack = await startFakeSlack({ botToken: options.botToken });
    stops.push(() => slack.stop());
    const sandbox = await CloudSandbox.start({ clock });
    stops.push(() => sandbox.stop());
    const prefix = uniqueQueueName(options.name);
    const redis = createRedisConnection(redisServer.url);
    stops.push(() => redis.quit().then(() => undefined, () => redis.disconnect()));
    const registry = createProviderRegistry(
      { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
      { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
    );
    stops.push(() => registry.close());
    const engines: WatchEngine[] = [];
    // Engine stops are idempotent; a test may have stopped one already.
    stops.push(async () => {
      for (const made of engines) await made.stop();
    });
    const newEngine = (): WatchEngine => {
      const made = createWatchEngine({
        connection: redisServer.url,
        prefix,
        providers: registry,
        notifiers: [createSlackNotifier({ apiUrl: slack.apiUrl, botToken: options.botToken, signingSecret: null, appToken: null })],
        watch: TEST_WATCH_CONFIG,
        role: 'all',
        now: () => clock.now(),
        deliverySpacingMs: { slack: 10 },
        tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 500 },
      });
      engines.push(made);
      return made;
    };
    const engine = newEngine();
    await engine.start();
    return { redisServer, clock, slack, sandbox, registry, prefix, engine, newEngine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
