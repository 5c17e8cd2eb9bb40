import type Redis from 'ioredis';
import type { Job } from 'bullmq';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { NEVER_FAIL_ATTEMPTS, SupervisedGroupQueue, rescheduleGroupJob, stopGracefully, type GroupJobData } from '../../../src/jobs/engines/supervised-group-queue';
import { SILENT_WATCH_LOGGER } from '../../../src/jobs/watch-engine-logger';
import { startTestRedis, uniqueQueueName } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';

let fixture: RedisFixture;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

const logger = SILENT_WATCH_LOGGER;

function groupQueue(name: string): SupervisedGroupQueue<GroupJobData> {
  return new SupervisedGroupQueue<GroupJobData>({
    name,
    connection: redis,
    prefix: 'sgq',
    jobIdOf: (groupId) => `sweep-${groupId}`,
    dataOf: (groupId) => ({ v: 1, groupId }),
    retryDelayMs: 1000,
    logger,
    label: 'test',
  });
}

describe('supervised group queue', () => {
  test('given a group ensured twice, then it has one job that never runs out of attempts', async () => {
    const groups = groupQueue(uniqueQueueName('ensure'));
    try {
      await groups.ensure('g1');
      await groups.ensure('g1');
      const jobs = await groups.queue.getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs.map((job) => job.id)).toEqual(['sweep-g1']);
      expect(jobs[0]?.opts.attempts).toBe(NEVER_FAIL_ATTEMPTS);
    } finally {
      await groups.queue.obliterate({ force: true });
      await groups.queue.close();
    }
  });

  test('given a job that reschedules itself and is throttled twice, then its level grows, and a run without throttling resets it', async () => {
    const groups = groupQueue(uniqueQueueName('throttle'));
    const levels: number[] = [];
    let runs = 0;
    const worker = groups.worker(
      async (job: Job<GroupJobData>, token?: string) => {
        runs += 1;
        const throttled = runs <= 2 ? { retryAfterMs: 0 } : null;
        // A tiny back-off so that the test waits for the order of runs, not for a clock.
        return rescheduleGroupJob(job, token, { nextAt: Date.now(), throttled, backoff: { intervalMs: 1, maxIntervalMs: 5 } }, (level) => levels.push(level));
      },
      { concurrency: 1, lockDurationMs: 5000, stalledIntervalMs: 5000 },
    );
    try {
      await groups.ensure('g1');
      await waitFor('four runs', () => runs >= 4, 10_000);
      expect(levels).toEqual([1, 2]);
      await waitFor('the level reset', async () => (await groups.queue.getJob('sweep-g1'))?.data.throttleLevel === 0, 5000);
    } finally {
      await worker.close();
      await groups.queue.obliterate({ force: true });
      await groups.queue.close();
    }
  });

  test('given an idle group, then its sleeping job is removed with it; given a group that got a member meanwhile, then its job is put back', async () => {
    const groups = groupQueue(uniqueQueueName('idle'));
    try {
      // Two jobs sleeping until their next run, as a group job is between runs.
      for (const groupId of ['idle', 'busy']) await groups.queue.add('sweep', { v: 1, groupId }, { jobId: `sweep-${groupId}`, delay: 60_000 });
      const removed: string[] = [];
      await groups.removeIfIdle('idle', async (groupId) => (removed.push(groupId), true));
      await groups.removeIfIdle('busy', async () => false);
      expect(removed).toEqual(['idle']);
      expect(await groups.queue.getJob('sweep-idle')).toBeUndefined();
      expect(await groups.queue.getJob('sweep-busy')).toBeDefined();
    } finally {
      await groups.queue.obliterate({ force: true });
      await groups.queue.close();
    }
  });

  test('given Redis gone, then a graceful stop still ends within its bound', async () => {
    const own = await startTestRedis({ appendOnly: false });
    const connection = createRedisConnection(own.url);
    const groups = new SupervisedGroupQueue<GroupJobData>({
      name: 'gone',
      connection,
      prefix: 'sgq',
      jobIdOf: (groupId) => `sweep-${groupId}`,
      dataOf: (groupId) => ({ v: 1, groupId }),
      retryDelayMs: 1000,
      logger,
      label: 'test',
    });
    const worker = groups.worker(async () => 'done', { concurrency: 1, lockDurationMs: 5000, stalledIntervalMs: 5000 });
    await worker.waitUntilReady();
    await own.stop();
    const outcome = await Promise.race([
      stopGracefully({ workers: [worker], queues: [groups.queue], redis: connection }, 300).then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 15_000).unref()),
    ]);
    expect(outcome).toBe('stopped');
  });
});
