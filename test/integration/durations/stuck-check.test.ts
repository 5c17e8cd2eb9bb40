/**
 * The "said once" fact of a stuck task on a real redis-server, with two StuckChecks on two
 * connections acting at once, as two workers would. The watch records are written as the watch
 * scripts leave them (a subscriber set, a watch hash with its card); the engine end to end is in
 * `stuck-task.test.ts`.
 */
import type Redis from 'ioredis';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { DurationStore } from '../../../src/jobs/durations/duration-store';
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import { StuckCheck } from '../../../src/jobs/durations/stuck-check';
import { WatchKeys } from '../../../src/jobs/watch-life/watch-keys';
import { SILENT_WATCH_LOGGER } from '../../../src/jobs/watch-engine-logger';
import { ManualClock } from '../../../src/util/clock';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { taskStatus } from '../../support/task-status';

const MINUTE = 60_000;
const GROUP: DurationGroup = { kind: 'redis', account: 'default', subtype: 'FLUSH_INSTANCE', size: null };

let redisServer: TestRedis;
let connections: Redis[];

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  connections = [createRedisConnection(redisServer.url), createRedisConnection(redisServer.url)];
});

afterAll(async () => {
  for (const connection of connections ?? []) await connection.quit();
  await redisServer?.stop();
});

test('given two workers checking the same stuck task at once, then each watch is noted once, put in the outbox, and only one worker takes it to tell', async () => {
  const namespace = `${uniqueQueueName('stuck')}:tw`;
  const keys = new WatchKeys(namespace);
  const clock = new ManualClock();
  const checks = connections.map((redis) => {
    const durations = new DurationStore(redis, namespace);
    return { durations, stuck: new StuckCheck(redis, namespace, keys, durations, { now: () => clock.now(), ttlSeconds: 3600, logger: SILENT_WATCH_LOGGER }) };
  });
  const [first, second] = checks as [(typeof checks)[number], (typeof checks)[number]];
  for (let minute = 1; minute <= 10; minute += 1) await first.durations.record(GROUP, `past${minute}`, { taskId: `p${minute}`, durationMs: minute * MINUTE, failed: false, endedAt: minute });
  const redis = connections[0]!;
  await redis.sadd(keys.subscribers('redis:t1'), 'w-carded', 'w-ended', 'w-uncarded');
  await redis.hset(keys.watch('w-carded'), 'cardMessageId', '1.2');
  await redis.hset(keys.watch('w-ended'), 'cardMessageId', '1.3', 'endReason', 'unwatched');
  await redis.hset(keys.watch('w-uncarded'), 'cardMessageId', '');

  const status = taskStatus({ kind: 'redis', id: 't1', account: 'default', subtype: 'FLUSH_INSTANCE', items: [], state: 'running', terminal: false, createdAt: new Date(clock.now()).toISOString() });
  clock.advance(15 * MINUTE);
  // At the threshold itself (max(1.5 x 10, 10 + 5) = 15 min) it is not stuck yet.
  expect(await first.stuck.check('redis:t1', status)).toBe(0);
  clock.advance(1000);
  const noted = await Promise.all([first.stuck.check('redis:t1', status), second.stuck.check('redis:t1', status), first.stuck.check('redis:t1', status)]);
  // Only the active watch with a card, and only once.
  expect(noted.reduce((sum, count) => sum + count, 0)).toBe(1);
  expect(await redis.zrange(keys.outbox(), 0, -1)).toEqual(['w-carded']);
  expect(await first.stuck.isOwed('w-carded')).toBe(true);

  const taken = await Promise.all([first.stuck.take('w-carded'), second.stuck.take('w-carded')]);
  expect(taken.filter((facts) => facts !== null)).toHaveLength(1);
  expect(taken.find((facts) => facts !== null)).toMatchObject({ p95Ms: 10 * MINUTE, thresholdMs: 15 * MINUTE, usual: { count: 10 } });
  expect(await second.stuck.toldFacts('w-carded')).not.toBeNull();

  // A failed post gives it back to be told later; a later check does not note it again.
  await second.stuck.restore('w-carded');
  expect(await first.stuck.isOwed('w-carded')).toBe(true);
  expect(await first.stuck.check('redis:t1', status)).toBe(0);
  expect(await redis.ttl(first.stuck.stuckKey('w-carded'))).toBeGreaterThan(3500);
});
