import type Redis from 'ioredis';
import type { TaskStatus } from '../../../src/providers/types';
import { taskKeyOf, watchIdOf, type ResolvedTask } from '../../../src/jobs/watch-life/watch-keys';
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

const TASK: ResolvedTask = { kind: 'dts', account: 'default', region: 'ap-guangzhou', id: 'dts-1' };

function status(state: TaskStatus['state'], rawStatus: string): TaskStatus {
  return {
    ...TASK,
    found: true,
    state,
    terminal: state === 'succeeded',
    rawStatus,
    progress: null,
    summary: null,
    items: [],
    createdAt: '2026-11-23T12:00:00.000Z',
    updatedAt: null,
    requestId: 'req-1',
    observedAt: '2026-11-23T12:00:05.000Z',
  };
}

describe('watch store records', () => {
  test('given a task and watch written by version 1, then this release reads them, records the next change on them, and the history still holds the version-1 status', async () => {
    const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
    const taskKey = taskKeyOf(TASK);
    const watchId = watchIdOf(taskKey, 'slack:C1');
    const pending = status('pending', 'created');
    // Exactly what version 1 wrote: every field, empty ones included, and the current status in the history too.
    await redis.hset(store.keys.task(taskKey), {
      v: '1', kind: 'dts', account: 'default', region: 'ap-guangzhou', id: 'dts-1', groupId: 'dts-0123456789ab',
      seq: '1', pollingSince: '1700000000000', everFound: '1', endReason: '', status: JSON.stringify(pending),
    });
    await redis.hset(store.keys.history(taskKey), '1', JSON.stringify(pending));
    await redis.sadd(store.keys.subscribers(taskKey), watchId);
    await redis.hset(store.keys.watch(watchId), {
      v: '1', taskKey, channel: 'slack:C1', requestedBy: 'U1', cardMessageId: '1.1', deliveredSeq: '1', cardSeq: '1',
      startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', endReason: '', endMessage: '', endPosted: '', endCarded: '',
    });

    expect((await store.loadTask(taskKey))?.status).toEqual(pending);
    expect(await store.loadWatch(watchId)).toMatchObject({ v: 1, deliveredSeq: 1, endReason: null });

    const running = status('running', 'running');
    const { seq, watchIds } = await store.recordChange(taskKey, running, Date.now());
    expect(seq).toBe(2);
    expect(watchIds).toEqual([watchId]);
    const task = await store.loadTask(taskKey);
    expect(task).toMatchObject({ v: 2, seq: 2, everFound: true, groupId: 'dts-0123456789ab' });
    expect(task?.status).toEqual(running);
    // The status moved out of the hash, so the hash keeps Redis's compact encoding.
    expect(await redis.hexists(store.keys.task(taskKey), 'status')).toBe(0);
    const history = await store.loadHistory(taskKey);
    expect(history.get(1)).toEqual(pending);
    expect(history.get(2)).toEqual(running);
  });

  test('given two subscribers, then the history keeps a status until the slower one was told of it, and none once both were', async () => {
    const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
    const taskKey = taskKeyOf(TASK);
    const [fast, slow] = ['slack:C1', 'slack:C2'].map((channel) => watchIdOf(taskKey, channel)) as [string, string];
    for (const [watchId, channel] of [[fast, 'slack:C1'], [slow, 'slack:C2']] as const) {
      await store.subscribe({ watchId, taskKey, task: TASK, channel, requestedBy: 'U1', cardMessageId: '1.1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', realNow: Date.now(), cardSeq: 0 });
    }
    await store.recordChange(taskKey, status('pending', 'created'), Date.now());
    await store.recordChange(taskKey, status('running', 'running'), Date.now());
    expect([...(await redis.hkeys(store.keys.history(taskKey)))]).toEqual(['1']);

    await store.claimDelivery(fast, 'job-fast', Date.now(), 60_000);
    await store.releaseDelivery(fast, 'job-fast', { deliveredSeq: 2 });
    expect(await store.trimHistory(taskKey, 2)).toBe(0);
    expect(await redis.hkeys(store.keys.history(taskKey))).toEqual(['1']);

    await store.claimDelivery(slow, 'job-slow', Date.now(), 60_000);
    await store.releaseDelivery(slow, 'job-slow', { deliveredSeq: 2 });
    expect(await store.trimHistory(taskKey, 2)).toBe(1);
    expect(await redis.exists(store.keys.history(taskKey))).toBe(0);
  });

  test('given a watch that ended with its reply still owed, then no history is trimmed until that ending is posted', async () => {
    const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
    const taskKey = taskKeyOf(TASK);
    const [stays, ends] = ['slack:C1', 'slack:C2'].map((channel) => watchIdOf(taskKey, channel)) as [string, string];
    for (const [watchId, channel] of [[stays, 'slack:C1'], [ends, 'slack:C2']] as const) {
      await store.subscribe({ watchId, taskKey, task: TASK, channel, requestedBy: 'U1', cardMessageId: '1.1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', realNow: Date.now(), cardSeq: 0 });
    }
    await store.recordChange(taskKey, status('pending', 'created'), Date.now());
    await store.recordChange(taskKey, status('running', 'running'), Date.now());
    for (const watchId of [stays, ends]) {
      await store.claimDelivery(watchId, `job-${watchId}`, Date.now(), 60_000);
      await store.releaseDelivery(watchId, `job-${watchId}`, { deliveredSeq: 1 });
    }
    expect(await store.endWatch({ watchId: ends, taskKey, channel: 'slack:C2' }, 'dts-group', { reason: 'unwatched', facts: { fact: 'unwatched' } }, Date.now())).toBe(true);

    // The staying subscriber catches up; the ended one, no longer a subscriber, still needs seq 1.
    await store.claimDelivery(stays, 'job-catch-up', Date.now(), 60_000);
    await store.releaseDelivery(stays, 'job-catch-up', { deliveredSeq: 2 });
    expect(await store.trimHistory(taskKey, 2)).toBe(0);
    expect(await redis.hkeys(store.keys.history(taskKey))).toEqual(['1']);
    // Its ending posted, nothing is owed any more.
    await store.claimDelivery(ends, 'job-ending', Date.now(), 60_000);
    await store.releaseDelivery(ends, 'job-ending', { deliveredSeq: 2, endPosted: '1' }, taskKey);
    expect(await store.trimHistory(taskKey, 2)).toBe(1);
    expect(await redis.hexists(store.keys.task(taskKey), 'endingsOwed')).toBe(0);
  });

  test('given a change noted in the same millisecond as the outbox entry being flushed, then settling that flush keeps the new note', async () => {
    const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
    const taskKey = taskKeyOf(TASK);
    const watchId = watchIdOf(taskKey, 'slack:C1');
    await store.subscribe({ watchId, taskKey, task: TASK, channel: 'slack:C1', requestedBy: 'U1', cardMessageId: '1.1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', realNow: 1_000, cardSeq: 0 });
    await store.recordChange(taskKey, status('pending', 'created'), 5_000);
    const [flushed] = await store.outboxEntries(10_000, 10);
    expect(flushed).toEqual({ watchId, notedAt: 5_000 });

    // The next change lands before the flush settles, in the same millisecond.
    await store.recordChange(taskKey, status('running', 'running'), 5_000);
    await store.settleOutbox(flushed as { watchId: string; notedAt: number });
    expect(await store.outboxEntries(10_000, 10)).toEqual([{ watchId, notedAt: 5_001 }]);
  });

  describe('given the check a command made before posting its card', () => {
    const base = { task: TASK, channel: 'slack:C1', requestedBy: 'U1', cardMessageId: '1.1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z' };

    test('when nothing was recorded since the caller read the task, then the check is its first seq, the watch is told up to it, nothing is owed, and the first poll waits', async () => {
      const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
      const taskKey = taskKeyOf(TASK);
      const watchId = watchIdOf(taskKey, 'slack:C1');
      const seq = await store.subscribe({ ...base, watchId, taskKey, realNow: 1_000, cardSeq: 'checked', checked: { status: status('running', 'running'), expectedSeq: 0, dueAt: 6_000 }, progress: 'thread' });
      expect(seq).toBe(1);
      const task = await store.loadTask(taskKey);
      expect(task).toMatchObject({ seq: 1, everFound: true, status: expect.objectContaining({ state: 'running', rawStatus: 'running' }) });
      expect(await store.loadWatch(watchId)).toMatchObject({ deliveredSeq: 1, cardSeq: 1, progress: 'thread' });
      expect(await store.outboxEntries(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      expect(await store.nextCheckOf(task?.groupId ?? '', taskKey)).toBe(6_000);
      // A first poll that sees the same state has nothing to tell.
      expect(await store.recordObservation(task as NonNullable<typeof task>, { ...status('running', 'running'), observedAt: '2026-11-23T12:00:09.000Z' }, 7_000)).toMatchObject({ seq: 1 });
      expect((await store.loadTask(taskKey))?.seq).toBe(1);
    });

    test('when a sweep recorded first, then the check is dropped, the card counts as showing nothing yet, and the watch is noted so its card is edited', async () => {
      const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
      const taskKey = taskKeyOf(TASK);
      const other = watchIdOf(taskKey, 'slack:C0');
      await store.subscribe({ ...base, channel: 'slack:C0', watchId: other, taskKey, realNow: 1_000, cardSeq: 0 });
      await store.recordChange(taskKey, status('running', 'running'), 2_000);
      const watchId = watchIdOf(taskKey, 'slack:C1');
      const seq = await store.subscribe({ ...base, watchId, taskKey, realNow: 3_000, cardSeq: 'checked', checked: { status: status('pending', 'created'), expectedSeq: 0, dueAt: 9_000 } });
      expect(seq).toBe(1);
      expect((await store.loadTask(taskKey))?.status).toMatchObject({ state: 'running' });
      expect(await store.loadWatch(watchId)).toMatchObject({ deliveredSeq: 0, cardSeq: 0, progress: 'card' });
      expect((await store.outboxEntries(Number.MAX_SAFE_INTEGER, 10)).map((entry) => entry.watchId)).toContain(watchId);
    });
  });

  describe('given two sweeps of one group that overlap and read the task before either recorded', () => {
    const observed = (state: TaskStatus['state'], rawStatus: string, observedAt: string): TaskStatus => ({ ...status(state, rawStatus), observedAt });

    async function subscribedTask(): Promise<{ store: WatchStore; taskKey: string; watchId: string }> {
      const store = new WatchStore(redis, `${uniqueQueueName('records')}:tw`);
      const taskKey = taskKeyOf(TASK);
      const watchId = watchIdOf(taskKey, 'slack:C1');
      await store.subscribe({ watchId, taskKey, task: TASK, channel: 'slack:C1', requestedBy: 'U1', cardMessageId: '1.1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', realNow: Date.now(), cardSeq: 0 });
      return { store, taskKey, watchId };
    }

    test('when both saw the same state, then only the first is recorded and the second is judged against it', async () => {
      const { store, taskKey } = await subscribedTask();
      const stale = await store.loadTask(taskKey);
      if (!stale) throw new Error('no task record');
      expect(await store.recordObservation(stale, observed('running', 'running', '2026-11-23T12:00:05.000Z'), Date.now())).toMatchObject({ seq: 0 });

      const judgedAgainst = await store.recordObservation(stale, observed('running', 'running', '2026-11-23T12:00:06.000Z'), Date.now());
      expect(judgedAgainst).toMatchObject({ seq: 1 });
      expect(judgedAgainst?.status?.observedAt).toBe('2026-11-23T12:00:05.000Z');
      expect((await store.loadTask(taskKey))?.seq).toBe(1);
    });

    test('when the second saw a later state, then it is recorded after the first, which becomes its previous', async () => {
      const { store, taskKey } = await subscribedTask();
      const stale = await store.loadTask(taskKey);
      if (!stale) throw new Error('no task record');
      await store.recordObservation(stale, observed('running', 'running', '2026-11-23T12:00:05.000Z'), Date.now());
      await store.recordObservation(stale, observed('succeeded', 'success', '2026-11-23T12:00:06.000Z'), Date.now());

      const task = await store.loadTask(taskKey);
      expect(task).toMatchObject({ seq: 2, status: { state: 'succeeded' } });
      expect((await store.loadHistory(taskKey)).get(1)).toMatchObject({ state: 'running' });
    });

    test('when the slower one observed earlier, then its observation never replaces the newer one', async () => {
      const { store, taskKey } = await subscribedTask();
      const stale = await store.loadTask(taskKey);
      if (!stale) throw new Error('no task record');
      await store.recordObservation(stale, observed('succeeded', 'success', '2026-11-23T12:00:09.000Z'), Date.now());

      expect(await store.recordObservation(stale, observed('running', 'running', '2026-11-23T12:00:05.000Z'), Date.now())).toBeNull();
      expect(await store.loadTask(taskKey)).toMatchObject({ seq: 1, status: { state: 'succeeded' } });
    });

    test('when the task ended in between, then the late observation is dropped', async () => {
      const { store, taskKey } = await subscribedTask();
      const stale = await store.loadTask(taskKey);
      if (!stale) throw new Error('no task record');
      await store.recordObservation(stale, observed('failed', 'failed', '2026-11-23T12:00:05.000Z'), Date.now());
      await store.endTask(stale, { reason: 'terminal', facts: { fact: 'task_finished', state: 'failed' } });

      expect(await store.recordObservation(stale, observed('running', 'running', '2026-11-23T12:00:07.000Z'), Date.now())).toBeNull();
      expect(await store.loadTask(taskKey)).toMatchObject({ seq: 1, endReason: 'terminal', status: { state: 'failed' } });
    });
  });
});
