/**
 * A platform whose cards can be edited only for a while after they were posted (Feishu: 14 days;
 * a Mattermost server can set minutes): the delivery edits the card while it is young, and past
 * the window keeps it as posted, the thread replies telling the changes, as on a platform
 * without edits. Real redis-server and BullMQ, the DCDN API of the cloud sandbox through the real
 * provider; the engine and the sandbox share one manual clock, which judges the window.
 */
import type Redis from 'ioredis';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { ChannelAddress, DeliveryCapabilities, Notifier, StatusCard, TransitionNotice } from '../../../src/jobs/notifier';
import { createProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { sandboxAccountsWithRefused, TEST_WATCH_CONFIG } from '../../support/engine-settings';

const CHANNEL = { platform: 'slack', channelId: 'C-WINDOW' } as const;
const EDIT_WINDOW_MS = 60_000;

/** One call the engine made, with the state it showed. */
interface Call {
  readonly type: 'card' | 'update' | 'reply';
  readonly state: string;
  readonly progress: number | null;
}

/** Records every call; it can edit a card only within {@link EDIT_WINDOW_MS} of posting it. */
class WindowedNotifier implements Notifier {
  readonly platform = 'slack' as const;
  readonly capabilities: DeliveryCapabilities = { pacingMs: 0, edits: true, threads: true, editWindowMs: EDIT_WINDOW_MS };
  readonly calls: Call[] = [];

  async postCard(_channel: ChannelAddress, card: StatusCard): Promise<string> {
    this.calls.push({ type: 'card', state: card.status.state, progress: card.status.progress });
    return 'card-1';
  }

  async updateCard(_channel: ChannelAddress, _messageId: string, card: StatusCard): Promise<void> {
    this.calls.push({ type: 'update', state: card.status.state, progress: card.status.progress });
  }

  async postThreadReply(_channel: ChannelAddress, _messageId: string, notice: TransitionNotice): Promise<void> {
    this.calls.push({ type: 'reply', state: notice.current.state, progress: notice.current.progress });
  }

  of(type: Call['type']): Call[] {
    return this.calls.filter((call) => call.type === type);
  }
}

describe('a platform whose card edits have a time window', () => {
  let redisServer: TestRedis;
  let redis: Redis;
  let sandbox: CloudSandbox;
  let engine: WatchEngine | null = null;
  let registry: ReturnType<typeof createProviderRegistry> | null = null;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    redisServer = await startTestRedis({ appendOnly: false });
    redis = createRedisConnection(redisServer.url);
    sandbox = await CloudSandbox.start({ clock });
  });

  afterAll(async () => {
    await engine?.stop();
    registry?.close();
    await redis?.quit();
    await sandbox?.stop();
    await redisServer?.stop();
  });

  it('given a card edited while young, then past the window it is left as posted and the ending is told by a reply only', async () => {
    const prefix = uniqueQueueName('window');
    registry = createProviderRegistry(
      { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
      { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
    );
    const notifier = new WindowedNotifier();
    engine = createWatchEngine({ connection: redisServer.url, prefix, providers: registry, notifiers: [notifier], watch: TEST_WATCH_CONFIG, role: 'all', now: () => clock.now() });
    await engine.start();
    const running = engine;
    const id = sandbox.addTask({
      kind: 'dcdn',
      items: [
        {
          name: 'http://example.com/window.png',
          steps: [
            { afterMs: 0, status: 'Pending', percent: 0 },
            { afterMs: 1000, status: 'Refreshing', percent: 20 },
            { afterMs: 2000, status: 'Refreshing', percent: 70 },
            { afterMs: 2000 + EDIT_WINDOW_MS, status: 'Complete', percent: 100 },
          ],
        },
      ],
    });

    await running.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    expect(notifier.of('card')).toEqual([{ type: 'card', state: 'pending', progress: 0 }]);
    clock.advance(1000);
    await waitFor('running told and shown', () => notifier.of('reply').some((call) => call.state === 'running') && notifier.of('update').some((call) => call.state === 'running'));
    clock.advance(1000);
    await waitFor('progress shown on the card', () => notifier.of('update').some((call) => call.progress === 70));
    const updatesInWindow = notifier.of('update').length;

    clock.advance(EDIT_WINDOW_MS);
    await waitFor('the ending told', () => notifier.of('reply').some((call) => call.state === 'succeeded'));
    await waitFor('watch over', async () => (await running.list(CHANNEL)).length === 0);
    await waitFor('notify queue drained', async () => {
      const counts = await running.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });

    expect(notifier.of('update')).toHaveLength(updatesInWindow);
    expect(notifier.of('update').some((call) => call.state === 'succeeded')).toBe(false);
    expect(notifier.of('reply').map((call) => call.state)).toEqual(['running', 'succeeded']);
  });
});
