/**
 * Remembered task durations on a real redis-server: the store alone (bounded memory, one count
 * per task), and the watch engine recording endings it polled from the cloud sandbox, driven by
 * a manual clock so every duration is known exactly.
 */
import type Redis from 'ioredis';
import { DurationStore } from '../../../src/jobs/durations/duration-store';
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import { createMetrics, type TaskwatchMetrics } from '../../../src/observability/metrics';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { startTestEngine, type TestEngine } from '../jobs/engine-setup';
import { recordedEvents } from '../jobs/recording-notifier';

const CHANNEL = { platform: 'slack', channelId: 'C-DURATIONS' } as const;
const GROUP: DurationGroup = { kind: 'redis', account: 'default', subtype: 'FLUSH_INSTANCE', size: null };

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

describe('duration store', () => {
  test('given 10,000 ended tasks in one group, then the group keeps only its last 200 and two keys, with a TTL', async () => {
    const namespace = uniqueQueueName('durations');
    const store = new DurationStore(redis, namespace);
    const endings = Array.from({ length: 10_000 }, (_, index) => index);
    // Several at once, as several workers would: the script keeps each step atomic.
    for (let offset = 0; offset < endings.length; offset += 500) {
      await Promise.all(
        endings.slice(offset, offset + 500).map((index) => store.record(GROUP, `redis-key${index}`, { taskId: String(index), durationMs: 1000 + index, failed: index % 10 === 0, endedAt: index })),
      );
    }
    expect(await redis.llen(store.sampleKey(GROUP))).toBe(200);
    expect((await redis.keys(`${namespace}:*`)).sort()).toEqual([store.groupsKey(), store.sampleKey(GROUP)].sort());
    expect(await redis.ttl(store.sampleKey(GROUP))).toBeGreaterThan(0);
    const [summary] = await store.summaries();
    // The newest 200: durations 10,800 .. 10,999 ms, one in ten failed.
    expect(summary).toMatchObject({ group: GROUP, count: 200, medianMs: 10_899, p95Ms: 10_989, failureRate: 0.1 });
    expect(summary?.slowest).toMatchObject({ taskId: '9999', durationMs: 10_999 });
  });

  test('given one task recorded twice (two sweeps saw it end), then it counts once and its start marker is gone', async () => {
    const store = new DurationStore(redis, uniqueQueueName('durations'));
    await store.noteStart('redis-twice', 5);
    expect(await store.record(GROUP, 'redis-twice', { taskId: '7', durationMs: 60_000, failed: false, endedAt: 60_005 })).toBe(true);
    expect(await store.record(GROUP, 'redis-twice', { taskId: '7', durationMs: 60_000, failed: false, endedAt: 60_005 })).toBe(false);
    expect(await store.samples(GROUP)).toHaveLength(1);
    expect(await store.startOf('redis-twice')).toBeNull();
  });

  test('given two TCSS tasks followed through the same "latest" watch key, then both count', async () => {
    const store = new DurationStore(redis, uniqueQueueName('durations'));
    const tcss: DurationGroup = { kind: 'tcss', account: 'default', subtype: null, size: null };
    expect(await store.record(tcss, 'tcss-latest', { taskId: '101', durationMs: 1000, failed: false, endedAt: 1 })).toBe(true);
    expect(await store.record(tcss, 'tcss-latest', { taskId: '102', durationMs: 2000, failed: false, endedAt: 2 })).toBe(true);
    expect((await store.samples(tcss)).map((sample) => sample.taskId)).toEqual(['102', '101']);
  });
});

describe('watch engine remembers durations', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let running: TestEngine;
  let prefix: string;
  let metrics: TaskwatchMetrics;

  beforeEach(async () => {
    clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock });
    prefix = uniqueQueueName('durations');
    metrics = createMetrics({ defaultMetrics: false });
    running = await startTestEngine({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, role: 'all' }, () => clock.now(), metrics);
  });

  afterEach(async () => {
    await running?.stop();
    await sandbox?.stop();
  });

  async function cardsShowing(state: string): Promise<number> {
    return (await recordedEvents(redis, prefix)).filter((event) => (event.type === 'card' || event.type === 'update') && event.state === state).length;
  }

  test('given Redis tasks ending after 1, 2 and 3 min (StartTime from the cloud), then their group holds exactly those durations', async () => {
    const ids = [60_000, 120_000, 180_000].map((doneAt) =>
      sandbox.addTask({
        kind: 'redis',
        region: 'ap-guangzhou',
        attributes: { TaskType: 'FLUSH_INSTANCE' },
        steps: [
          { afterMs: 0, status: 'preparing' },
          { afterMs: 1000, status: 'running' },
          { afterMs: doneAt, status: doneAt === 180_000 ? 'failed' : 'succeed' },
        ],
      }),
    );
    await running.engine.watch({ refs: ids.map((id) => ({ kind: 'redis' as const, id, region: 'ap-guangzhou' })), channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('three cards pending', async () => (await cardsShowing('pending')) >= 3);
    for (let minute = 1; minute <= 3; minute += 1) {
      clock.advance(60_000);
      await waitFor(`${minute} ended`, async () => ((await running.engine.durations.summaries())[0]?.count ?? 0) >= minute);
    }
    const summaries = await running.engine.durations.summaries();
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ group: GROUP, count: 3, medianMs: 120_000, p95Ms: 180_000, failureRate: 1 / 3 });
    expect(summaries[0]?.slowest).toMatchObject({ taskId: ids[2], durationMs: 180_000, failed: true });

    // /metrics shows the same endings, labelled by kind and account only (groups stay in Redis).
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('taskwatch_task_duration_seconds_bucket{le="60",kind="redis",account="default"} 1');
    expect(exposition).toContain('taskwatch_task_duration_seconds_bucket{le="120",kind="redis",account="default"} 2');
    expect(exposition).toContain('taskwatch_task_duration_seconds_count{kind="redis",account="default"} 3');
    expect(exposition).toContain('taskwatch_task_duration_seconds_sum{kind="redis",account="default"} 360');
  });

  test('given a TCSS task first seen pending (no start time from the cloud), then it counts from that sighting; a DTS task first seen running does not count', async () => {
    sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_New' }, { afterMs: 30_000, status: 'Task_Running' }, { afterMs: 90_000, status: 'Task_Finish' }] });
    const dts = sandbox.addTask({ kind: 'dts', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }, { afterMs: 90_000, status: 'success' }] });
    await running.engine.watch({ refs: [{ kind: 'tcss', id: 'latest' }, { kind: 'dts', id: dts, region: 'ap-guangzhou' }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('TCSS pending and DTS running on their cards', async () => (await cardsShowing('pending')) >= 1 && (await cardsShowing('running')) >= 1);
    clock.advance(90_000);
    await waitFor('both ended', async () => (await cardsShowing('succeeded')) >= 2);
    const summaries = await running.engine.durations.summaries();
    expect(summaries.map((summary) => [summary.group.kind, summary.count, summary.medianMs])).toEqual([['tcss', 1, 90_000]]);
    // Nothing is left behind for the ended tasks.
    expect(await redis.keys(`${prefix}:tw:dur:start:*`)).toEqual([]);
  });

  test('given a sample Redis cannot read (wrong type), then the card still fills in and the task still ends: durations never hold a watch up', async () => {
    await redis.set(new DurationStore(redis, `${prefix}:tw`).sampleKey(GROUP), 'not a list');
    const id = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', attributes: { TaskType: 'FLUSH_INSTANCE' }, steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 60_000, status: 'succeed' }] });
    await running.engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', async () => (await cardsShowing('pending')) >= 1);
    clock.advance(60_000);
    await waitFor('card succeeded', async () => (await cardsShowing('succeeded')) >= 1);
  });
});
