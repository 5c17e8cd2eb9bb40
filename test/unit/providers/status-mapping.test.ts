import { CDN_STATUS_TABLE, mapCdnStatus } from '../../../src/providers/tencent-cdn';
import { DCDN_STATUS_TABLE } from '../../../src/providers/alibaba-dcdn';
import { DTS_STATUS_TABLE } from '../../../src/providers/tencent-dts';
import { REDIS_STATUS_TABLE } from '../../../src/providers/tencent-redis';
import { TCSS_STATUS_TABLE } from '../../../src/providers/tencent-tcss';
import { aggregateItems, mapRawStatus, parsePercent, type StatusTable } from '../../../src/providers/status-mapping';
import type { TaskItem, TaskState } from '../../../src/providers/types';

const DOCUMENTED: ReadonlyArray<[string, StatusTable, ReadonlyArray<[string, TaskState]>]> = [
  ['cdn', CDN_STATUS_TABLE, [['process', 'running'], ['done', 'succeeded'], ['fail', 'failed'], ['invalid', 'failed']]],
  ['dcdn', DCDN_STATUS_TABLE, [['Pending', 'pending'], ['Refreshing', 'running'], ['Complete', 'succeeded'], ['Failed', 'failed']]],
  ['dts', DTS_STATUS_TABLE, [['running', 'running'], ['success', 'succeeded'], ['failed', 'failed']]],
  [
    'redis',
    REDIS_STATUS_TABLE,
    [['preparing', 'pending'], ['running', 'running'], ['succeed', 'succeeded'], ['failed', 'failed'], ['error', 'failed']],
  ],
  ['tcss', TCSS_STATUS_TABLE, [['Task_New', 'pending'], ['Task_Running', 'running'], ['Task_Finish', 'succeeded'], ['Task_Error', 'failed']]],
];

describe('status tables', () => {
  describe.each(DOCUMENTED)('%s', (_kind, table, expected) => {
    it.each(expected)('given the documented raw status %s, then it maps to %s', (raw, state) => {
      expect(mapRawStatus(table, raw)).toBe(state);
    });

    it('given the table, then it lists exactly the documented statuses', () => {
      expect(Object.keys(table).sort()).toEqual(expected.map(([raw]) => raw).sort());
    });

    it.each(['', 'SUCCEEDED', 'cancelled', 'toString', '__proto__'])('given the undocumented raw status "%s", then it maps to unknown', (raw) => {
      expect(mapRawStatus(table, raw)).toBe('unknown');
    });
  });

  it('given a missing raw status, then it maps to unknown', () => {
    expect(mapRawStatus(DTS_STATUS_TABLE, undefined)).toBe('unknown');
    expect(mapRawStatus(DTS_STATUS_TABLE, null)).toBe('unknown');
  });

  it('given CDN "Done" as in the API\'s own example, then it maps like "done"', () => {
    expect(mapCdnStatus('Done')).toBe('succeeded');
    expect(mapCdnStatus('PROCESS')).toBe('running');
    expect(mapCdnStatus('cancelled')).toBe('unknown');
  });
});

function item(state: TaskState, rawStatus: string, progress: number | null = null): TaskItem {
  return { name: `http://example.com/${rawStatus}`, state, rawStatus, progress };
}

describe('aggregateItems', () => {
  it('given any running item, then the task is running even if another failed', () => {
    const result = aggregateItems([item('succeeded', 'done', 100), item('running', 'process', 40), item('failed', 'fail', 0)]);
    expect(result.state).toBe('running');
    expect(result.rawStatus).toBe('process');
  });

  it('given all items done, then the task succeeded with the mean progress', () => {
    expect(aggregateItems([item('succeeded', 'done', 100), item('succeeded', 'done', 100)])).toEqual({ state: 'succeeded', rawStatus: 'done', progress: 100 });
  });

  it('given settled items and one failure, then the task failed with the failed raw status', () => {
    const result = aggregateItems([item('succeeded', 'done', 100), item('failed', 'invalid', 0)]);
    expect(result).toEqual({ state: 'failed', rawStatus: 'invalid', progress: 50 });
  });

  it('given an undocumented item status and no running item, then the task is unknown, not finished', () => {
    expect(aggregateItems([item('succeeded', 'done'), item('unknown', 'paused')]).state).toBe('unknown');
  });

  it('given only pending items, then the task is pending; given pending and settled items, then it is running', () => {
    expect(aggregateItems([item('pending', 'Pending'), item('pending', 'Pending')]).state).toBe('pending');
    expect(aggregateItems([item('pending', 'Pending'), item('succeeded', 'Complete')])).toMatchObject({ state: 'running', rawStatus: 'Pending' });
  });

  it('given no item reports progress, then progress is null', () => {
    expect(aggregateItems([item('running', 'process')]).progress).toBeNull();
  });

  it('given progresses 0 and 45, then progress is their rounded mean', () => {
    expect(aggregateItems([item('running', 'process', 0), item('running', 'process', 45)]).progress).toBe(23);
  });
});

describe('parsePercent', () => {
  it.each<[unknown, number | null]>([
    ['100%', 100],
    ['40%', 40],
    [' 7 % ', 7],
    ['55', 55],
    [30, 30],
    [150, 100],
    [-5, 0],
    ['', null],
    ['abc%', null],
    [null, null],
    [undefined, null],
  ])('given %p, then it reads %p', (input, expected) => {
    expect(parsePercent(input)).toBe(expected);
  });
});
