import { itemNoteText, taskSummaryText, type SummarySubject } from '../../../src/chat/render/task-summary-text';
import type { ItemCountsSummary } from '../../../src/providers/task-summary';
import type { TaskItem, TaskState, TaskSummary } from '../../../src/providers/types';

const DAY = 86_400_000;

function subject(kind: SummarySubject['kind'], summary: TaskSummary | null, state: TaskState = 'unknown', extra: Partial<SummarySubject> = {}): SummarySubject {
  return { kind, id: '4242', region: null, state, rawStatus: '', summary, ...extra };
}

function counts(operation: ItemCountsSummary['operation'], total: number, succeeded: number, failed: number, originRefused = 0): ItemCountsSummary {
  return { fact: 'item_counts', operation, total, succeeded, failed, originRefused };
}

describe('task summary words (facts from the providers, words from src/chat/render)', () => {
  test('given item counts of a CDN prefetch, then each state reads as it did when the provider wrote it', () => {
    expect(taskSummaryText(subject('cdn', counts('prefetch', 3, 3, 0), 'succeeded'))).toBe('Prefetch done for 3 URLs.');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 1, 1, 0), 'succeeded'))).toBe('Prefetch done for 1 URL.');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 3, 1, 1), 'running'))).toBe('Prefetch in progress: 1 of 3 URLs done, 1 failed.');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 2, 0, 0), 'pending'))).toBe('Prefetch in progress: 0 of 2 URLs done.');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 2, 1, 1, 1), 'failed'))).toBe('Prefetch failed for 1 of 2 URLs (the origin answered with a 4xx/5xx status for it).');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 3, 0, 3, 2), 'failed'))).toBe('Prefetch failed for 3 of 3 URLs (the origin answered with a 4xx/5xx status for 2 URLs).');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 2, 1, 1), 'failed'))).toBe('Prefetch failed for 1 of 2 URLs.');
    expect(taskSummaryText(subject('cdn', counts('prefetch', 1, 0, 0), 'unknown', { rawStatus: 'paused' }))).toBe('Prefetch status "paused" is not one the CDN API documents; shown as reported.');
  });

  test('given item counts of a CDN purge, then they read with Purge', () => {
    expect(taskSummaryText(subject('purge', counts('purge', 2, 2, 0), 'succeeded'))).toBe('Purge done for 2 URLs.');
    expect(taskSummaryText(subject('purge', counts('purge', 3, 1, 1), 'running'))).toBe('Purge in progress: 1 of 3 URLs done, 1 failed.');
    expect(taskSummaryText(subject('purge', counts('purge', 2, 1, 1), 'failed'))).toBe('Purge failed for 1 of 2 URLs.');
    expect(taskSummaryText(subject('purge', counts('purge', 1, 0, 0), 'unknown', { rawStatus: 'odd' }))).toBe('Purge status "odd" is not one the CDN API documents; shown as reported.');
  });

  test('given item counts of a DCDN refresh, then they read without an operation and a failure names the first failed object\'s note', () => {
    const failedItems: TaskItem[] = [
      { name: 'a', state: 'succeeded', rawStatus: 'Complete', progress: 100, note: { fact: 'vendor_text', text: 'ignored: not failed' } },
      { name: 'b', state: 'failed', rawStatus: 'Failed', progress: 0, note: { fact: 'vendor_text', text: 'Internal Error' } },
      { name: 'c', state: 'failed', rawStatus: 'Failed', progress: 0, note: { fact: 'item_failed', operation: 'refresh' } },
    ];
    expect(taskSummaryText(subject('dcdn', counts('refresh', 1, 1, 0), 'succeeded'))).toBe('Complete for 1 object.');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 2, 0, 0), 'pending'))).toBe('Waiting to start (2 objects).');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 3, 1, 1), 'running'))).toBe('In progress: 1 of 3 objects done, 1 failed.');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 3, 1, 2), 'failed', { items: failedItems }))).toBe('Failed for 2 of 3 objects: Internal Error.');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 3, 1, 2), 'failed', { items: failedItems.slice(2) }))).toBe('Failed for 2 of 3 objects: refresh failed.');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 1, 0, 1), 'failed'))).toBe('Failed for 1 of 1 object.');
    expect(taskSummaryText(subject('dcdn', counts('refresh', 1, 0, 0), 'unknown', { rawStatus: 'Odd' }))).toBe('Status "Odd" is not one the DCDN API documents; shown as reported.');
  });

  test('given the other kinds\' facts, then they read as their providers wrote them', () => {
    expect(taskSummaryText(subject('dts', { fact: 'vendor_text', text: 'source database unreachable' }, 'failed'))).toBe('source database unreachable');
    expect(taskSummaryText(subject('dts', { fact: 'state_only' }, 'running'))).toBe('DTS task is running.');
    expect(taskSummaryText(subject('dts', { fact: 'state_only' }, 'succeeded'))).toBe('DTS task succeeded.');
    expect(taskSummaryText(subject('dts', { fact: 'state_only' }, 'failed'))).toBe('DTS task failed.');
    expect(taskSummaryText(subject('dts', { fact: 'state_only' }, 'unknown', { rawStatus: 'paused' }))).toBe('DTS status "paused" is not one the API documents; shown as reported.');
    const redis = { fact: 'resource_task', taskType: 'FLUSH_INSTANCE', resourceId: 'crs-1', vendorNote: 'disk full', stoppedOnError: true } as const;
    expect(taskSummaryText(subject('redis', redis, 'failed'))).toBe('FLUSH_INSTANCE on crs-1: stopped on an error (disk full).');
    expect(taskSummaryText(subject('redis', { fact: 'resource_task', stoppedOnError: false }, 'failed'))).toBe('Redis task: failed.');
    expect(taskSummaryText(subject('redis', { fact: 'resource_task', resourceId: 'crs-2', stoppedOnError: false }, 'pending'))).toBe('Redis task on crs-2: waiting to run.');
    expect(taskSummaryText(subject('redis', { fact: 'resource_task', taskType: 'BACKUP', stoppedOnError: false }, 'unknown', { rawStatus: 'odd' }))).toBe(
      'BACKUP: status "odd" is not one the API documents; shown as reported.',
    );
    expect(taskSummaryText(subject('tcss', { fact: 'latest_task', operation: 'asset_refresh', reportedId: true }, 'pending'))).toBe('Asset refresh task 4242 is queued.');
    expect(taskSummaryText(subject('tcss', { fact: 'latest_task', operation: 'asset_refresh', reportedId: false }, 'failed', { id: 'latest' }))).toBe('The latest asset refresh task ended with an error.');
    expect(taskSummaryText(subject('tcss', { fact: 'latest_task', operation: 'asset_refresh', reportedId: true }, 'unknown', { rawStatus: 'Task_Odd' }))).toBe(
      'Asset refresh task 4242 has status "Task_Odd", which the API does not document; shown as reported.',
    );
  });

  test('given why a task is missing, then each kind says it as before', () => {
    expect(taskSummaryText(subject('cdn', { fact: 'not_in_log', operation: 'prefetch' }))).toBe(
      'Tencent Cloud CDN has no prefetch task with this ID (it may be mistyped, belong to another account, or be too old).',
    );
    expect(taskSummaryText(subject('purge', { fact: 'not_in_log', operation: 'purge' }))).toBe(
      'Tencent Cloud CDN has no purge task with this ID (it may be mistyped, belong to another account, or be too old).',
    );
    expect(taskSummaryText(subject('dts', { fact: 'not_in_region' }, 'unknown', { region: 'ap-guangzhou' }))).toBe('DTS has no task with this ID in ap-guangzhou.');
    expect(taskSummaryText(subject('redis', { fact: 'not_in_region' }, 'unknown', { region: 'ap-shanghai' }))).toBe('Redis has no task with this ID in ap-shanghai.');
    expect(taskSummaryText(subject('dcdn', { fact: 'not_retained', retentionMs: 3 * DAY }))).toBe('DCDN task 4242: not found, or older than 3 days (DCDN keeps only the last 3 days).');
    expect(taskSummaryText(subject('tcss', { fact: 'no_latest_task', operation: 'asset_refresh' }))).toBe('No asset-refresh task exists for this account.');
  });

  test('given no summary, or a sentence an older release stored, then nothing, or the sentence as written', () => {
    expect(taskSummaryText(subject('cdn', null))).toBe('');
    expect(taskSummaryText(subject('cdn', { fact: 'written', text: 'Prefetch done for 9 URLs.' }))).toBe('Prefetch done for 9 URLs.');
  });

  test('given item notes, then each reads as the item message it replaced', () => {
    expect(itemNoteText({ fact: 'origin_refused' })).toBe('origin answered with a 4xx/5xx status');
    expect(itemNoteText({ fact: 'item_failed', operation: 'prefetch' })).toBe('prefetch failed');
    expect(itemNoteText({ fact: 'item_failed', operation: 'purge' })).toBe('purge failed');
    expect(itemNoteText({ fact: 'item_failed', operation: 'refresh' })).toBe('refresh failed');
    expect(itemNoteText({ fact: 'vendor_text', text: 'Internal Error' })).toBe('Internal Error');
    expect(itemNoteText({ fact: 'written', text: 'origin answered 404' })).toBe('origin answered 404');
  });
});
