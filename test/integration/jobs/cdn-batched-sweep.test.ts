/**
 * The CDN batched sweep on a real redis-server against the cloud sandbox: once many watched
 * CDN tasks of one account have been seen, the engine lists their time window a page at a time
 * instead of calling DescribePushTasks once per task.
 */
import type Redis from 'ioredis';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { TEST_WATCH_CONFIG, startTestEngine, type TestEngine } from './engine-setup';
import { cardsShowing, recordedEvents } from './recording-notifier';

const CHANNEL = { platform: 'slack', channelId: 'C-CDN' } as const;
const TASKS = 60;

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
  for (let index = 0; index < TASKS; index += 1) {
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
  expect(summaries).toHaveLength(TASKS);

  await waitFor('every card running', async () => (await cardsShowing(redis, prefix, 'running')) === TASKS, 30_000);
  const describedById = new Set(sandbox.calls.filter((call) => call.action === 'DescribePushTasks' && typeof call.params['TaskId'] === 'string').map((call) => call.params['TaskId']));
  expect(describedById.size).toBe(TASKS);

  const before = sandbox.calls.length;
  clock.advance(60_000);
  await waitFor('every card succeeded', async () => (await cardsShowing(redis, prefix, 'succeeded', 'terminal')) === TASKS, 30_000);

  const after = sandbox.calls.slice(before).filter((call) => call.action === 'DescribePushTasks');
  const listings = after.filter((call) => typeof call.params['StartTime'] === 'string');
  expect(listings.length).toBeGreaterThan(0);
  expect(listings.every((call) => call.params['Limit'] === 100)).toBe(true);
  // Naive polling needs at least one call per task to see it finish.
  expect(after.length).toBeLessThan(TASKS / 4);
  expect(after.every((call) => call.errorCode === null)).toBe(true);
  const replies = (await recordedEvents(redis, prefix)).filter((event) => event.type === 'reply');
  expect(replies).toHaveLength(TASKS);
  expect(replies.every((reply) => reply.previousState === 'running' && reply.state === 'succeeded' && reply.endReason === 'terminal')).toBe(true);
});
