/**
 * A sweep of a one-ID poll group can take a long time: hundreds of tasks at the rate budget's
 * pace, or one call that hangs until the provider gives up. A change it sees early is delivered
 * while the sweep goes on, not when it ends.
 * Real redis-server, the cloud sandbox under a manual clock, the recording notifier.
 */
import type Redis from 'ioredis';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { groupIdOf, taskKeyOf } from '../../../src/jobs/watch-keys';
import { WatchStore } from '../../../src/jobs/watch-store';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { startTestEngine, type TestEngine } from './engine-setup';
import { cardsShowing, recordedEvents } from './recording-notifier';

const TASKS = 10;

let redisServer: TestRedis;
let redis: Redis;
let sandbox: CloudSandbox;
let running: TestEngine;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  redis = createRedisConnection(redisServer.url);
});

afterAll(async () => {
  await running?.stop();
  await sandbox?.stop();
  await redis?.quit();
  await redisServer?.stop();
});

test('given a sweep held up by one call that hangs, when the other tasks it checked have changed, then their replies are posted while it still waits', async () => {
  const clock = new ManualClock();
  sandbox = await CloudSandbox.start({ clock });
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
    },
    () => clock.now(),
  );
  const region = 'ap-guangzhou';
  const plant = (): string =>
    sandbox.addTask({ kind: 'redis', region, steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 60_000, status: 'running' }] });
  const ids = Array.from({ length: TASKS }, plant);
  await running.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id, region })), channel: { platform: 'slack', channelId: 'C-LONG' }, requestedBy: 'U1' });
  // Every task seen once: its card shows the state, and no reply is posted for a first look.
  await waitFor('every card pending', async () => (await cardsShowing(redis, prefix, 'pending')) === TASKS, 30_000);

  // All tasks due now; the next call hangs until the provider's 3 s timeout.
  const store = new WatchStore(redis, `${prefix}:tw`);
  await store.reschedule(groupIdOf({ kind: 'redis', account: 'default', region }), ids.map((id) => taskKeyOf({ kind: 'redis', account: 'default', region, id })), Date.now());
  sandbox.injectFault({ cloud: 'tencent', action: 'DescribeTaskInfo', type: 'hang', count: 1 });
  clock.advance(60_000);
  // Watching one more task wakes the sleeping sweep.
  await running.engine.watch({ refs: [{ kind: 'redis', id: plant(), region }], channel: { platform: 'slack', channelId: 'C-LONG' }, requestedBy: 'U1' });
  const [pollQueue] = running.engine.queues;
  if (!pollQueue) throw new Error('no poll queue');
  await waitFor('a sweep running', async () => (await pollQueue.getActiveCount()) > 0, 30_000);

  await waitFor('the first reply', async () => (await recordedEvents(redis, prefix)).some((event) => event.type === 'reply'), 30_000);
  expect(await pollQueue.getActiveCount()).toBe(1);
  const replies = (await recordedEvents(redis, prefix)).filter((event) => event.type === 'reply');
  expect(replies.every((reply) => reply.previousState === 'pending' && reply.state === 'running')).toBe(true);
}, 60_000);
