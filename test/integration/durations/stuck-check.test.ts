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
import { uniqueQueueName } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { taskStatus } from '../../support/task-status';

const MINUTE = 60_000;
const GROUP: DurationGroup = { kind: 'redis', account: 'default', subtype: 'FLUSH_INSTANCE', size: null };

let fixture: RedisFixture;
let connections: Redis[];

beforeAll(async () => {
  fixture = await startRedisFixture();
  // Two workers' connections: the fixture's and one more.
  connections = [fixture.redis, createRedisConnection(fixture.server.url)];
});

afterAll(async () => {
  await connections?.[1]?.quit();
  await fixture?.stop();
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

  const taken = await Promise.all([first.stuck.take('w-carded', 'job-a', 1_000, MINUTE), second.stuck.take('w-carded', 'job-b', 1_000, MINUTE)]);
  expect(taken.filter((facts) => facts !== null)).toHaveLength(1);
  expect(taken.find((facts) => facts !== null)).toMatchObject({ p95Ms: 10 * MINUTE, thresholdMs: 15 * MINUTE, usual: { count: 10 } });
  const [teller, other] = taken[0] !== null ? ['job-a', 'job-b'] : ['job-b', 'job-a'];
  // Being told is not told yet: the card shows no mark until the post is recorded.
  expect(await second.stuck.toldFacts('w-carded')).toBeNull();

  // A failed post gives it back to be told later (only by its teller); a later check does not note it again.
  await first.stuck.restore('w-carded', other);
  expect(await first.stuck.take('w-carded', other, 2_000, MINUTE)).toBeNull();
  await second.stuck.restore('w-carded', teller);
  expect(await first.stuck.isOwed('w-carded')).toBe(true);
  expect(await first.stuck.check('redis:t1', status)).toBe(0);
  expect(await redis.ttl(first.stuck.stuckKey('w-carded'))).toBeGreaterThan(3500);

  // Posted, then recorded told: said, and never taken again.
  expect(await first.stuck.take('w-carded', teller, 3_000, MINUTE)).not.toBeNull();
  await first.stuck.settle('w-carded');
  expect(await second.stuck.toldFacts('w-carded')).not.toBeNull();
  expect(await first.stuck.isOwed('w-carded')).toBe(false);
  expect(await second.stuck.take('w-carded', other, 3_000 + 2 * MINUTE, MINUTE)).toBeNull();
});

test('given a teller that died between taking a stuck fact and recording it told, then its own job takes it again at once, and any delivery once its lease lapsed', async () => {
  const namespace = `${uniqueQueueName('stuck')}:tw`;
  const redis = connections[0]!;
  const stuck = new StuckCheck(redis, namespace, new WatchKeys(namespace), new DurationStore(redis, namespace), { now: Date.now, ttlSeconds: 3600, logger: SILENT_WATCH_LOGGER });
  await redis.hset(stuck.stuckKey('w1'), 'state', 'owed', 'facts', JSON.stringify({ p95Ms: 1 }));

  expect(await stuck.take('w1', 'job-dead', 10_000, MINUTE)).toEqual({ p95Ms: 1 });
  // The teller dies here: still owed, held by its lease.
  expect(await stuck.isOwed('w1')).toBe(true);
  expect(await stuck.take('w1', 'job-next', 10_000 + MINUTE - 1, MINUTE)).toBeNull();
  // The same delivery job, run again after its worker died, takes its own lease back.
  expect(await stuck.take('w1', 'job-dead', 20_000, MINUTE)).toEqual({ p95Ms: 1 });
  // It dies again; once the lease lapsed, the next delivery of the watch takes it.
  expect(await stuck.take('w1', 'job-next', 20_000 + MINUTE + 1, MINUTE)).toEqual({ p95Ms: 1 });
  // The first teller's late failure gives nothing back; its late success still records it told.
  await stuck.restore('w1', 'job-dead');
  expect(await redis.hget(stuck.stuckKey('w1'), 'state')).toBe('telling');
  await stuck.settle('w1');
  expect(await stuck.toldFacts('w1')).toEqual({ p95Ms: 1 });
  await stuck.restore('w1', 'job-next');
  expect(await stuck.isOwed('w1')).toBe(false);

  // A fact gone (expired) is not made again by a late record.
  await stuck.settle('w-gone');
  expect(await redis.exists(stuck.stuckKey('w-gone'))).toBe(0);
});
