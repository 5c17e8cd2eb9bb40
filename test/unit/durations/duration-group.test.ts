import {
  MIN_TASKS_FOR_ESTIMATE,
  durationGroupId,
  durationGroupOf,
  estimateDuration,
  expectationOf,
  observedDurationMs,
  sizeBucketOf,
  summarizeDurations,
} from '../../../src/jobs/durations/duration-group';
import type { TaskStatus } from '../../../src/providers/types';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

function status(state: TaskStatus['state'], at: number, fields: Partial<TaskStatus> = {}): TaskStatus {
  return {
    kind: 'cdn',
    id: '1',
    account: 'default',
    region: null,
    found: true,
    state,
    terminal: state === 'succeeded' || state === 'failed',
    rawStatus: state,
    progress: null,
    summary: null,
    items: [],
    createdAt: null,
    updatedAt: null,
    requestId: null,
    observedAt: new Date(at).toISOString(),
    ...fields,
  };
}

describe('observedDurationMs', () => {
  test('given a cloud start time, then the duration runs from it to the cloud last update', () => {
    const created = new Date(T0).toISOString();
    const ended = status('succeeded', T0 + 300_000, { createdAt: created, updatedAt: new Date(T0 + 240_000).toISOString() });
    expect(observedDurationMs(status('running', T0 + 200_000, { createdAt: created }), ended, null)).toBe(240_000);
  });

  test('given no cloud start but a first sighting while pending, then the duration runs from that sighting to the ending observation', () => {
    expect(observedDurationMs(status('running', T0 + 10_000), status('failed', T0 + 70_000), T0)).toBe(70_000);
  });

  test('given a task first seen mid-way without a start time, then nothing is known', () => {
    expect(observedDurationMs(status('running', T0), status('succeeded', T0 + 60_000), null)).toBeNull();
  });

  test('given an ending seen again (previous already terminal) or a task not yet ended, then nothing is recorded', () => {
    const created = { createdAt: new Date(T0).toISOString() };
    expect(observedDurationMs(status('succeeded', T0 + 1, created), status('succeeded', T0 + 2, created), null)).toBeNull();
    expect(observedDurationMs(status('pending', T0, created), status('running', T0 + 5, created), null)).toBeNull();
  });

  test('given a task already ended at first sight, then it counts only when the cloud says when it ended', () => {
    const created = new Date(T0).toISOString();
    expect(observedDurationMs(null, status('succeeded', T0 + 3_600_000, { createdAt: created }), null)).toBeNull();
    expect(observedDurationMs(null, status('succeeded', T0 + 3_600_000, { createdAt: created, updatedAt: new Date(T0 + 5000).toISOString() }), null)).toBe(5000);
  });
});

describe('groups', () => {
  test('given CDN tasks of different sizes and areas, then they fall in different groups with stable IDs', () => {
    const items = (count: number): TaskStatus['items'] => Array.from({ length: count }, (_, index) => ({ name: `u${index}`, state: 'running', rawStatus: 'process', progress: 0 }));
    const one = durationGroupOf(status('running', T0, { items: items(1), subtype: 'mainland' }));
    const many = durationGroupOf(status('running', T0, { items: items(150), subtype: 'mainland' }));
    expect(one).toEqual({ kind: 'cdn', account: 'default', subtype: 'mainland', size: '1' });
    expect(many.size).toBe('101+');
    expect(durationGroupId(one)).not.toBe(durationGroupId(many));
    expect(durationGroupId(one)).toBe(durationGroupId({ ...one }));
    expect([1, 2, 10, 11, 100, 101].map(sizeBucketOf)).toEqual(['1', '2-10', '2-10', '11-100', '11-100', '101+']);
  });
});

describe('summaries and estimates', () => {
  const samples = (durations: readonly number[]) => durations.map((durationMs, index) => ({ taskId: String(index), durationMs, failed: index === 0, endedAt: index }));

  test('given a sample, then median and 95th percentile are durations that happened, and the slowest task is named', () => {
    const summary = summarizeDurations({ kind: 'redis', account: 'a', subtype: null, size: null }, samples([4, 1, 3, 2, 100]));
    expect(summary).toMatchObject({ count: 5, medianMs: 3, p95Ms: 100, failureRate: 0.2, slowest: { taskId: '4', durationMs: 100 } });
  });

  test(`given fewer than ${MIN_TASKS_FOR_ESTIMATE} ended tasks, then there is no estimate; with ${MIN_TASKS_FOR_ESTIMATE}, the range spans the 10th to 90th percentile`, () => {
    expect(estimateDuration(samples([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBeNull();
    const minutes = [3, 3, 4, 4, 4, 4, 5, 5, 6, 20].map((minute) => minute * 60_000);
    expect(estimateDuration(samples(minutes))).toEqual({ lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 10 });
  });
});

describe('the subtype survives storage', () => {
  test('given a Redis status with a TaskType, then the stored status keeps it, so a card finds its group again', async () => {
    const { decodeStatus, encodeStatus } = await import('../../../src/jobs/watch-life/watch-records');
    const identity = { kind: 'redis' as const, id: '18215', account: 'default', region: 'ap-guangzhou' };
    const stored = encodeStatus(status('running', T0, { ...identity, subtype: 'FLUSH_INSTANCE' }), identity);
    expect(decodeStatus(stored, identity)?.subtype).toBe('FLUSH_INSTANCE');
    expect(decodeStatus(encodeStatus(status('running', T0, identity), identity), identity)).not.toHaveProperty('subtype');
  });
});

describe('sharedValue', () => {
  test('given rows that agree, then their value is the subtype; given rows that differ or say nothing, then there is none', async () => {
    const { sharedValue } = await import('../../../src/providers/provider-context');
    expect(sharedValue(['mainland', 'mainland'])).toBe('mainland');
    expect(sharedValue(['mainland', 'overseas'])).toBeNull();
    expect(sharedValue([null, null])).toBeNull();
    expect(sharedValue([])).toBeNull();
  });
});

describe('expectationOf', () => {
  const estimate = { lowMs: 60_000, highMs: 240_000, medianMs: 120_000, count: 12 };

  test('given a known start, then the task is typically done a median after it, while that is ahead', () => {
    expect(expectationOf(estimate, T0, T0 + 30_000).typicalEndAt).toBe(new Date(T0 + 120_000).toISOString());
    expect(expectationOf(estimate, T0, T0 + 120_000).typicalEndAt).toBeNull();
  });

  test('given a known start, then the expectation carries it, also once the typical end has passed', () => {
    expect(expectationOf(estimate, T0, T0 + 30_000).startedAt).toBe(new Date(T0).toISOString());
    expect(expectationOf(estimate, T0, T0 + 600_000).startedAt).toBe(new Date(T0).toISOString());
  });

  test('given a start ahead of the clock (a drifting cloud clock), then nothing is said of since when it runs', () => {
    expect(expectationOf(estimate, T0 + 5000, T0).startedAt).toBeUndefined();
  });

  test('given no known start, then only the range is said', () => {
    expect(expectationOf(estimate, null, T0)).toEqual({ ...estimate, typicalEndAt: null });
  });
});
