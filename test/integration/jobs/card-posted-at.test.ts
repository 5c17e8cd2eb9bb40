/**
 * When a watch's card was posted, as its record keeps it for platforms whose edits have a time
 * window: set by a subscription that posted a card, unknown for a card posted elsewhere, kept by
 * a revived watch (which goes on on its own card). Real redis-server and the Lua scripts.
 */
import type Redis from 'ioredis';
import { groupIdOf, taskKeyOf, watchIdOf, type ResolvedTask } from '../../../src/jobs/watch-life/watch-keys';
import { WatchLife } from '../../../src/jobs/watch-life/watch-life';
import { UNWATCHED_ENDING } from '../../../src/jobs/watch-life/watch-policy';
import { WatchStore, type SubscribeInput } from '../../../src/jobs/watch-life/watch-store';
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

const TASK: ResolvedTask = { kind: 'dts', account: 'default', region: 'ap-guangzhou', id: 'dts-card-1' };
// Every time here is relative to one clock, started from the real one.
const start = Date.now();

describe('when a watch card was posted', () => {
  const taskKey = taskKeyOf(TASK);
  const channel = 'slack:C-POSTED';
  const watchId = watchIdOf(taskKey, channel);
  const input = (overrides: Partial<SubscribeInput>): SubscribeInput => ({
    watchId,
    taskKey,
    task: TASK,
    channel,
    requestedBy: 'U1',
    cardMessageId: 'card-1',
    startedAt: new Date(start).toISOString(),
    deadlineAt: new Date(start + 86_400_000).toISOString(),
    realNow: start,
    ...overrides,
  });

  test('given a card posted by the subscription, then the record keeps its time; a revival keeps it, a new card replaces it, a card posted elsewhere has none', async () => {
    const store = new WatchStore(redis, `${uniqueQueueName('posted')}:tw`);
    const life = new WatchLife(store);

    await life.subscribe(input({ cardPostedAt: start + 100 }));
    expect((await life.read.loadWatch(watchId))?.cardPostedAt).toBe(start + 100);

    // Ended, its ending untold: watched again, it goes on on its own card, posted when it was.
    expect(await life.endWatch({ watchId, taskKey, channel }, groupIdOf(TASK), UNWATCHED_ENDING, start + 1000)).toBe(true);
    expect(await life.subscribe(input({ cardMessageId: '', revive: true, startedAt: new Date(start + 2000).toISOString(), cardPostedAt: start + 2000 }))).toBeGreaterThanOrEqual(0);
    expect(await life.read.loadWatch(watchId)).toMatchObject({ cardMessageId: 'card-1', cardPostedAt: start + 100 });

    await life.subscribe(input({ cardMessageId: 'card-2', cardPostedAt: start + 3000 }));
    expect(await life.read.loadWatch(watchId)).toMatchObject({ cardMessageId: 'card-2', cardPostedAt: start + 3000 });

    // A button's message: posted before the watch, at a time the engine does not know.
    await life.subscribe(input({ cardMessageId: 'button-message' }));
    expect(await life.read.loadWatch(watchId)).toMatchObject({ cardMessageId: 'button-message', cardPostedAt: null });
  });
});
