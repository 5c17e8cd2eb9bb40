import type Redis from 'ioredis';
import type { TaskStatus } from '../../../src/providers/types';
import { groupIdOf, taskKeyOf, watchIdOf, type ResolvedTask } from '../../../src/jobs/watch-life/watch-keys';
import { WatchLife, watchStateOf, type WatchState } from '../../../src/jobs/watch-life/watch-life';
import { UNWATCHED_ENDING, endingForStatus } from '../../../src/jobs/watch-life/watch-policy';
import { WatchStore } from '../../../src/jobs/watch-life/watch-store';
import { uniqueQueueName } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';

let fixture: RedisFixture;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

const TASK: ResolvedTask = { kind: 'dts', account: 'default', region: 'ap-guangzhou', id: 'dts-life-1' };

// Every time here is relative to one clock, started from the real one, and handed to every part.
const start = Date.now();

function status(state: TaskStatus['state'], rawStatus: string, atMs: number): TaskStatus {
  return {
    ...TASK,
    found: true,
    state,
    terminal: state === 'succeeded' || state === 'failed',
    rawStatus,
    progress: null,
    summary: null,
    items: [],
    createdAt: new Date(start).toISOString(),
    updatedAt: null,
    requestId: `req-${atMs}`,
    observedAt: new Date(atMs).toISOString(),
  };
}

describe('the life of a watch', () => {
  const store = () => new WatchStore(redis, `${uniqueQueueName('life')}:tw`);

  test('given a task watched in three channels, when it is polled, changes, is told, ends and expires, then each watch passes through its states in order and every invariant holds at every step', async () => {
    const watchStore = store();
    const life = new WatchLife(watchStore);
    const taskKey = taskKeyOf(TASK);
    const groupId = groupIdOf(TASK);
    const channels = ['slack:CA', 'slack:CB', 'discord:CC'];
    const [a, b, c] = channels.map((channel) => watchIdOf(taskKey, channel)) as [string, string, string];
    const all = [a, b, c];
    const seen = new Map<string, WatchState[]>(all.map((watchId) => [watchId, []]));

    const step = async (): Promise<void> => {
      const task = await life.read.loadTask(taskKey);
      for (const watchId of all) {
        const state = watchStateOf(await life.read.loadWatch(watchId), task);
        const states = seen.get(watchId) as WatchState[];
        if (states[states.length - 1] !== state) states.push(state);
      }
      expect(await life.invariantBreaches({ ...TASK, taskKey, groupId }, all)).toEqual([]);
    };

    // subscribed: three channels, each with its own card (the "waiting" placeholder, seq 0).
    for (const [index, channel] of channels.entries()) {
      const watchId = all[index] as string;
      expect(await life.reserve(watchId, `token-${index}`, start, 30_000)).toBe('new');
      await life.subscribe({
        watchId,
        taskKey,
        task: TASK,
        channel,
        requestedBy: 'U1',
        cardMessageId: `card-${index}`,
        startedAt: new Date(start).toISOString(),
        deadlineAt: new Date(start + 86_400_000).toISOString(),
        realNow: start,
        cardSeq: 0,
        reservation: `token-${index}`,
      });
    }
    await step();

    // changed: the first observation is recorded for every subscriber.
    let task = (await life.read.loadTask(taskKey))!;
    expect(await life.observe(task, status('pending', 'Pending', start + 1000), start + 1000)).not.toBeNull();
    await step();

    // told, then polled: each channel is told once (a second claimant is refused meanwhile), then its card shows it.
    task = (await life.read.loadTask(taskKey))!;
    for (const watchId of all) {
      expect(await life.claimDelivery(watchId, 'job-1', start + 1100, 60_000)).toBe(true);
      expect(await life.claimDelivery(watchId, 'job-2', start + 1100, 60_000)).toBe(false);
      await life.tell(watchId, 'job-1', task, task.seq, false);
    }
    await step();
    for (const watchId of all) await life.showOnCard(watchId, task.seq, false);
    await step();

    // polled again with nothing new: nothing is recorded, nothing owed.
    task = (await life.read.loadTask(taskKey))!;
    await life.observe(task, status('pending', 'Pending', start + 2000), start + 2000);
    expect((await life.read.loadTask(taskKey))!.seq).toBe(task.seq);
    await step();

    // changed and told again, for one channel; the others stay "changed" until they are told.
    task = (await life.read.loadTask(taskKey))!;
    await life.observe(task, status('running', 'Running', start + 3000), start + 3000);
    await step();
    task = (await life.read.loadTask(taskKey))!;
    await life.claimDelivery(a, 'job-3', start + 3100, 60_000);
    await life.tell(a, 'job-3', task, task.seq, false);
    await step();
    await life.showOnCard(a, task.seq, false);
    await step();

    // ending owed: the task succeeds; every watch owes its ending, the task counts three.
    const done = status('succeeded', 'Succeeded', start + 4000);
    await life.observe(task, done, start + 4000);
    await life.endTask(task, endingForStatus(done, true, start + 4000)!);
    await step();
    expect(Number(await redis.hget(watchStore.keys.task(taskKey), 'endingsOwed'))).toBe(3);
    // Ended is final: ending it again changes nothing.
    expect(await life.endWatch({ watchId: a, taskKey, channel: 'slack:CA' }, groupId, UNWATCHED_ENDING, start + 4100)).toBe(false);
    expect((await life.read.loadWatch(a))!.endReason).toBe('terminal');

    // ended: A by its thread reply, B by a mute summary, C given up on (its channel is gone for good).
    task = (await life.read.loadTask(taskKey))!;
    await life.claimDelivery(a, 'job-4', start + 4200, 60_000);
    await life.tell(a, 'job-4', task, task.seq, true);
    await life.markToldBySummary(b, taskKey, task.seq, true);
    expect(await life.abandon({ watchId: c, taskKey, channel: 'discord:CC' }, groupId, 'channel_gone')).toBe(true);
    await step();
    expect(await redis.hget(watchStore.keys.task(taskKey), 'endingsOwed')).toBeNull();

    // expired: once its card shows the ending, a watch's record expires (C's already does).
    for (const watchId of [a, b]) {
      expect(await life.expireIfFinished(watchId)).toBe(false);
      await life.showOnCard(watchId, task.seq, true);
      expect(await life.expireIfFinished(watchId)).toBe(true);
    }
    await step();
    for (const watchId of all) await redis.del(watchStore.keys.watch(watchId));
    await step();

    expect(seen.get(a)).toEqual(['subscribed', 'changed', 'told', 'polled', 'changed', 'told', 'polled', 'ending owed', 'ended', 'expired']);
    expect(seen.get(b)).toEqual(['subscribed', 'changed', 'told', 'polled', 'changed', 'ending owed', 'ended', 'expired']);
    expect(seen.get(c)).toEqual(['subscribed', 'changed', 'told', 'polled', 'changed', 'ending owed', 'ended', 'expired']);
  });

  test('given records that break the invariants, then each breach is named', async () => {
    const watchStore = store();
    const life = new WatchLife(watchStore);
    const taskKey = taskKeyOf(TASK);
    const groupId = groupIdOf(TASK);
    const watchId = watchIdOf(taskKey, 'slack:CA');
    await life.subscribe({
      watchId,
      taskKey,
      task: TASK,
      channel: 'slack:CA',
      requestedBy: 'U1',
      cardMessageId: 'card',
      startedAt: new Date(start).toISOString(),
      deadlineAt: new Date(start + 86_400_000).toISOString(),
      realNow: start,
      cardSeq: 0,
    });
    expect(await life.invariantBreaches({ ...TASK, taskKey, groupId }, [watchId])).toEqual([]);
    // As a writer around the life would: told beyond what was recorded, an ending nobody counts, the task no longer polled.
    await redis.hset(watchStore.keys.watch(watchId), { deliveredSeq: '5', endReason: 'succeeded' });
    await redis.zrem(watchStore.keys.due(groupId), taskKey);
    const breaches = await life.invariantBreaches({ ...TASK, taskKey, groupId }, [watchId]);
    expect(breaches.map((breach) => breach.split(':')[0])).toEqual(['1', '3', '4']);
  });
});
