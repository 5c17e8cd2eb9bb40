import type Redis from 'ioredis';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { uniqueQueueName } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';

let fixture: RedisFixture;
let first: Redis;
let second: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  first = fixture.redis;
  // A second process's connection.
  second = createRedisConnection(fixture.server.url);
});

afterAll(async () => {
  await second?.quit();
  await fixture?.stop();
});

describe('RedisRateBudget', () => {
  test('given two processes sharing a quota of 3/s, then the fourth call waits until the window moves', async () => {
    const prefix = uniqueQueueName('rate');
    const budgets = [new RedisRateBudget(first, { prefix }), new RedisRateBudget(second, { prefix })];
    await budgets[0]?.acquire('api|-|AKID', 3);
    await budgets[1]?.acquire('api|-|AKID', 3);
    await budgets[0]?.acquire('api|-|AKID', 3);
    let fourthDone = false;
    const fourth = budgets[1]?.acquire('api|-|AKID', 3).then(() => (fourthDone = true));
    // While three calls sit in the window, the fourth has not been granted.
    expect(await first.zcard(`${prefix}:api|-|AKID`)).toBe(3);
    expect(fourthDone).toBe(false);
    await fourth;
    expect(fourthDone).toBe(true);
  });

  test('given an aborted wait, then acquire rejects as throttled', async () => {
    const prefix = uniqueQueueName('rate');
    const budget = new RedisRateBudget(first, { prefix });
    await budget.acquire('k', 1);
    const controller = new AbortController();
    const waiting = budget.acquire('k', 1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'throttled' });
  });
});
