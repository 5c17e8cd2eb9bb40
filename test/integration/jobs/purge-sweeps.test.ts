/**
 * The watch sweep's window listing is a capability, not CDN prefetch by name: many watched CDN
 * purge tasks of one account are checked by listing `DescribePurgeTasks` by window, on a real
 * redis-server against the cloud sandbox under one manual clock, with the recording notifier.
 */
import type Redis from 'ioredis';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { startTestEngine, type TestEngine } from './engine-setup';
import { TEST_WATCH_CONFIG } from '../../support/engine-settings';
import { cardsShowing, recordedEvents } from './recording-notifier';

const CHANNEL = { platform: 'slack', channelId: 'C-PURGE' } as const;
const TASKS = 30;

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;
let sandbox: CloudSandbox | undefined;
let running: TestEngine | undefined;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await sandbox?.stop();
  await running?.stop();
  await fixture?.stop();
});

test('given many watched purge tasks of one account, then later sweeps list their window instead of one call per task, and every task still ends', async () => {
  // One clock for the sandbox's task lifecycles and the engine's judgement of task times.
  const clock = new ManualClock(Date.now());
  sandbox = await CloudSandbox.start({ clock });
  const prefix = uniqueQueueName('purge');
  running = await startTestEngine(
    { redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, role: 'all', watch: { ...TEST_WATCH_CONFIG, intervalMs: 400, maxIntervalMs: 400 } },
    () => clock.now(),
  );
  const ids = Array.from({ length: TASKS }, (_, index) =>
    sandbox!.addTask({
      kind: 'purge',
      items: [{ name: `https://cdn.example.com/${index}/`, steps: [{ afterMs: 0, status: 'process' }, { afterMs: 60_000, status: index % 5 === 0 ? 'fail' : 'done' }] }],
      attributes: { PurgeType: 'path', FlushType: 'flush' },
    }),
  );
  await running.engine.watch({ refs: ids.map((id) => ({ kind: 'purge', id })), channel: CHANNEL, requestedBy: 'U1' });
  await waitFor('every card running', async () => (await cardsShowing(redis, prefix, 'running')) === TASKS, 30_000);

  const before = sandbox.calls.length;
  clock.advance(60_000);
  await waitFor('every card ended', async () => (await cardsShowing(redis, prefix, 'succeeded', 'terminal')) + (await cardsShowing(redis, prefix, 'failed', 'terminal')) === TASKS, 30_000);

  const after = sandbox.calls.slice(before).filter((call) => call.action === 'DescribePurgeTasks');
  expect(after.some((call) => typeof call.params['StartTime'] === 'string')).toBe(true);
  // Naive polling needs at least one call per task to see it end.
  expect(after.length).toBeLessThan(TASKS / 3);
  expect(sandbox.calls.some((call) => call.action === 'DescribePushTasks')).toBe(false);
  const replies = (await recordedEvents(redis, prefix)).filter((event) => event.type === 'reply');
  expect(replies.filter((reply) => reply.state === 'failed')).toHaveLength(TASKS / 5);
  expect(replies.filter((reply) => reply.state === 'succeeded')).toHaveLength(TASKS - TASKS / 5);
});
