/**
 * The subscription engine's refusals, through the command handler: the engine hands up a reason
 * and its facts, and the command layer words them. Real providers (official SDKs) against the
 * cloud sandbox, the real subscription engine on a real redis-server. The one stand-in is a
 * registry whose CDN provider lacks the optional `listWindow` capability, which no real
 * provider lacks today.
 */
import type Redis from 'ioredis';
import { handleCommand } from '../../../src/commands/handle-command';
import type { CommandContext, CommandResult, CommandServices } from '../../../src/commands/types';
import { createSubscriptionEngine, type SubscriptionEngine } from '../../../src/jobs/engines/subscription-engine';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import type { ProviderRegistry, TaskKind } from '../../../src/providers/types';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { RecordingWatchService } from '../../support/recording-watch-service';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { sandboxAccountsWithRefused } from '../../support/engine-settings';

const CHANNEL = { platform: 'slack', channelId: 'C-REFUSE' } as const;
const context: CommandContext = { platform: 'slack', channel: CHANNEL, userId: 'U0USER' };

let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  redis = createRedisConnection(redisServer.url);
});

afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
});

/** The registry, with every provider stripped of `listWindow` while `listing.off` is true. */
function withoutListing(registry: ProviderRegistry, listing: { off: boolean }): ProviderRegistry {
  return {
    get: (kind: TaskKind, account?: string) => {
      const provider = registry.get(kind, account);
      if (!listing.off) return provider;
      const { listWindow: _dropped, ...rest } = provider;
      return { ...rest, describe: provider.describe.bind(provider) };
    },
    accountNames: (cloud) => registry.accountNames(cloud),
    defaultRegion: (kind, account) => registry.defaultRegion(kind, account),
  };
}

/** One logged line. */
interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

describe('subscription refusals', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let registry: ClosableProviderRegistry;
  let subscriptions: SubscriptionEngine | null;
  const listing = { off: false };
  const logged: LogLine[] = [];

  const start = async (role: 'web' | 'all'): Promise<CommandServices> => {
    const prefix = uniqueQueueName('refuse');
    registry = createProviderRegistry(
      { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
      { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
    );
    const providers = withoutListing(registry, listing);
    subscriptions = createSubscriptionEngine({
      connection: redisServer.url,
      prefix,
      providers,
      watches: new RecordingWatchService(),
      notifiers: [],
      role,
      now: () => clock.now(),
      tuning: { intervalMs: 50, supervisorIntervalMs: 100, lockDurationMs: 1500, stalledIntervalMs: 500 },
      logger: {
        debug: (fields, message) => logged.push({ level: 'debug', fields, message }),
        info: (fields, message) => logged.push({ level: 'info', fields, message }),
        warn: (fields, message) => logged.push({ level: 'warn', fields, message }),
        error: (fields, message) => logged.push({ level: 'error', fields, message }),
      },
    });
    await subscriptions.start();
    return { providers, subscriptions };
  };

  const textOf = (result: CommandResult): string => ('text' in result ? result.text : '');

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    sandbox = await CloudSandbox.start({ clock });
    listing.off = false;
    logged.length = 0;
    subscriptions = null;
  });

  afterEach(async () => {
    await subscriptions?.stop();
    registry?.close();
    await sandbox?.stop();
  });

  test('given a kind channels cannot subscribe to, then the answer says so and suggests watching, and nothing is stored', async () => {
    const services = await start('web');

    const result = await handleCommand({ type: 'subscribe', kind: 'dts' }, context, services);

    expect(result).toMatchObject({ type: 'error', visibility: 'ephemeral' });
    expect(textOf(result)).toBe('The cloud query failed: Channels cannot subscribe to DTS job tasks; watch them one by one instead. Retrying will not help: check the task ID, region and account.');
    expect(await services.subscriptions!.list(CHANNEL)).toEqual([]);
  });

  test('given an account whose provider cannot list a window, then subscribing to a listing kind is refused in words, and nothing is stored', async () => {
    const services = await start('web');
    listing.off = true;

    const result = await handleCommand({ type: 'subscribe', kind: 'cdn' }, context, services);

    expect(result).toMatchObject({ type: 'error', visibility: 'ephemeral' });
    expect(textOf(result)).toBe(
      'The cloud query failed: This CDN account cannot list CDN prefetch tasks. Retrying will not help: no credentials are configured for this cloud; ask an admin to add them.',
    );
    expect(await services.subscriptions!.list(CHANNEL)).toEqual([]);
  });

  test('given a provider that stops listing after the subscription, then its sweep fails with the reason logged as facts, and is tried again', async () => {
    const services = await start('all');
    const subscribed = await handleCommand({ type: 'subscribe', kind: 'cdn' }, context, services);
    expect(subscribed).toMatchObject({ type: 'subscribed' });
    listing.off = true;

    const failures = (): LogLine[] => logged.filter((line) => line.message.startsWith('subscription sweep failed'));
    await waitFor('two failed sweeps', async () => failures().length >= 2);

    const [first] = failures();
    expect(first?.level).toBe('warn');
    expect(first?.fields).toMatchObject({ err: expect.objectContaining({ code: 'cannot_list', facts: { reason: 'cannot_list', kind: 'cdn', scope: 'provider' } }) });
    // Facts, not a sentence, reach the log.
    expect(JSON.stringify(first?.fields)).not.toMatch(/cannot list CDN/i);
  });
});
