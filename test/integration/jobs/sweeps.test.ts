/**
 * How sweeps poll, on a real redis-server against the cloud sandbox under a manual clock, with
 * the recording notifier:
 * - CDN: once many watched CDN tasks of one account have been seen, the engine lists their time
 *   window a page at a time instead of calling DescribePushTasks once per task.
 * - One-ID APIs: a sweep can take a long time (hundreds of tasks at the rate budget's pace, or
 *   one call that hangs until the provider gives up); a change it sees early is delivered while
 *   the sweep goes on, not when it ends.
 */
import type Redis from 'ioredis';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { groupIdOf, taskKeyOf } from '../../../src/jobs/watch-life/watch-keys';
import { WatchStore } from '../../../src/jobs/watch-life/watch-store';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { startTestEngine, type TestEngine } from './engine-setup';
import { TEST_WATCH_CONFIG } from '../../support/engine-settings';
import { cardsShowing, recordedEvents } from './recording-notifier';

const CHANNEL = { platform: 'slack', channelId: 'C-CDN' } as const;
const CDN_TASKS = 60;
const ONE_ID_TASKS = 10;

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;
let sandbox: CloudSandbox | undefined;
let running: TestEngine | undefined;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterEach(async () => {
  // The sandbox first: it drops a hung call, so the engine's in-flight sweep ends at once.
  await sandbox?.stop();
  await running?.stop();
  running = undefined;
  sandbox = undefined;
});

afterAll(async () => {
  await fixture?.stop();
});

describe('a CDN sweep', () => {
  test('given many watched CDN tasks of one account, then each later sweep lists their window in far fewer calls than one per task, and every task still ends', async () => {
    const clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock });
    const prefix = uniqueQueueName('cdn');
    running = await startTestEngine(
      { redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, role: 'all', watch: { ...TEST_WATCH_CONFIG, intervalMs: 400, maxIntervalMs: 400 } },
      () => clock.now(),
    );
    // Half the tasks prefetch three URLs, so the listing spans more than one 100-row page and
    // some task's rows straddle two pages.
    const ids: string[] = [];
    for (let index = 0; index < CDN_TASKS; index += 1) {
      const urls = index % 2 === 0 ? 1 : 3;
      ids.push(
        sandbox.addTask({
          kind: 'cdn',
          items: Array.from({ length: urls }, (_, url) => ({
            name: `https://cdn.example.com/${index}/${url}.js`,
            steps: [
              { afterMs: 0, status: 'process', percent: 10 },
              { afterMs: 60_000, status: 'done', percent: 100 },
            ],
          })),
        }),
      );
    }
    const summaries = await running.engine.watch({ refs: ids.map((id) => ({ kind: 'cdn', id })), channel: CHANNEL, requestedBy: 'U1' });
    expect(summaries).toHaveLength(CDN_TASKS);

    await waitFor('every card running', async () => (await cardsShowing(redis, prefix, 'running')) === CDN_TASKS, 30_000);
    const describedById = new Set(sandbox.calls.filter((call) => call.action === 'DescribePushTasks' && typeof call.params['TaskId'] === 'string').map((call) => call.params['TaskId']));
    expect(describedById.size).toBe(CDN_TASKS);

    const before = sandbox.calls.length;
    clock.advance(60_000);
    await waitFor('every card succeeded', async () => (await cardsShowing(redis, prefix, 'succeeded', 'terminal')) === CDN_TASKS, 30_000);

    const after = sandbox.calls.slice(before).filter((call) => call.action === 'DescribePushTasks');
    const listings = after.filter((call) => typeof call.params['StartTime'] === 'string');
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((call) => call.params['Limit'] === 100)).toBe(true);
    // Naive polling needs at least one call per task to see it finish.
    expect(after.length).toBeLessThan(CDN_TASKS / 4);
    expect(after.every((call) => call.errorCode === null)).toBe(true);
    const replies = (await recordedEvents(redis, prefix)).filter((event) => event.type === 'reply');
    expect(replies).toHaveLength(CDN_TASKS);
    expect(replies.every((reply) => reply.previousState === 'running' && reply.state === 'succeeded' && reply.endReason === 'terminal')).toBe(true);
  });
});

describe('a long sweep of a one-ID API', () => {
  test('given a sweep held up by one call that hangs, when the other tasks it checked have changed, then their replies are posted while it still waits', async () => {
    const clock = new ManualClock();
    const cloud = await CloudSandbox.start({ clock });
    sandbox = cloud;
    const prefix = uniqueQueueName('long-sweep');
    // Tasks are checked every 30 s, so after the first look the group sleeps and exactly one
    // sweep runs when woken; the supervisor's own flush is pushed out of the way.
    running = await startTestEngine(
      {
        redisUrl: redisServer.url,
        prefix,
        sandboxUrl: sandbox.url,
        role: 'all',
        watch: { intervalMs: 30_000, maxIntervalMs: 30_000, deadlineMs: 86_400_000, broadcastFailures: false },
        supervisorIntervalMs: 60_000,
        // The hung call holds the sweep this long: ample time for a reply posted along the way.
        providerTimeoutMs: 10_000,
      },
      () => clock.now(),
    );
    const region = 'ap-guangzhou';
    const plant = (): string =>
      cloud.addTask({ kind: 'redis', region, steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 60_000, status: 'running' }] });
    const ids = Array.from({ length: ONE_ID_TASKS }, plant);
    await running.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id, region })), channel: { platform: 'slack', channelId: 'C-LONG' }, requestedBy: 'U1' });
    // Every task seen once: its card shows the state, and no reply is posted for a first look.
    await waitFor('every card pending', async () => (await cardsShowing(redis, prefix, 'pending')) === ONE_ID_TASKS, 30_000);

    // All tasks due now; the next call hangs until the provider's timeout.
    const store = new WatchStore(redis, `${prefix}:tw`);
    await store.reschedule(groupIdOf({ kind: 'redis', account: 'default', region }), ids.map((id) => taskKeyOf({ kind: 'redis', account: 'default', region, id })), Date.now());
    sandbox.injectFault({ cloud: 'tencent', action: 'DescribeTaskInfo', type: 'hang', count: 1 });
    clock.advance(60_000);
    // Watching a known task in one more channel wakes the sleeping sweep. Its status is already
    // recorded, so its card needs no check first: the hung call is the sweep's own.
    await running.engine.watch({ refs: [{ kind: 'redis', id: ids[0]!, region }], channel: { platform: 'slack', channelId: 'C-LONG-2' }, requestedBy: 'U1' });
    const [pollQueue] = running.engine.queues;
    if (!pollQueue) throw new Error('no poll queue');
    await waitFor('a sweep running', async () => (await pollQueue.getActiveCount()) > 0, 30_000);

    await waitFor('the first reply', async () => (await recordedEvents(redis, prefix)).some((event) => event.type === 'reply'), 30_000);
    expect(await pollQueue.getActiveCount()).toBe(1);
    const replies = (await recordedEvents(redis, prefix)).filter((event) => event.type === 'reply');
    expect(replies.every((reply) => reply.previousState === 'pending' && reply.state === 'running')).toBe(true);
  }, 60_000);
});
