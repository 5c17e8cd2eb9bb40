import type { TaskStatus } from '../../../src/providers/types';
import { ProviderError } from '../../../src/providers/errors';
import { buildNotice, changedItems, deservesThreadReply, endingForError, endingForStatus, isOlderObservation, isWorthTelling, nextIntervalMs, replacingTaskId, throttleDelayMs } from '../../../src/jobs/watch-life/watch-policy';
import { taskKeyOf, watchIdOf, groupIdOf } from '../../../src/jobs/watch-life/watch-keys';
import { taskStatus } from '../../support/task-status';

function status(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return taskStatus({ id: '1', createdAt: '2026-11-23T12:00:00.000Z', requestId: null, observedAt: '2026-11-23T12:00:05.000Z', ...overrides });
}

const BOUNDS = { intervalMs: 5000, maxIntervalMs: 60_000 };

describe('watch policy', () => {
  test('given a young task, then it is polled at the minimum interval; given an old one, at the maximum', () => {
    expect(nextIntervalMs(0, BOUNDS)).toBe(5000);
    expect(nextIntervalMs(200_000, BOUNDS)).toBe(20_000);
    expect(nextIntervalMs(3_600_000, BOUNDS)).toBe(60_000);
  });

  test('given a task checked in shared calls, then it backs off as many times more slowly as a call answers for tasks', () => {
    // Ten minutes in: a one-ID task is checked every minute, a DCDN one (10 per call) every 6 s.
    expect(nextIntervalMs(600_000, BOUNDS, 1)).toBe(60_000);
    expect(nextIntervalMs(600_000, BOUNDS, 10)).toBe(6_000);
    expect(nextIntervalMs(600_000, BOUNDS, 100)).toBe(5_000);
    expect(nextIntervalMs(36_000_000, BOUNDS, 100)).toBe(36_000);
    expect(nextIntervalMs(600_000, BOUNDS, 0)).toBe(60_000);
  });

  test('given repeated throttling, then the pause doubles up to the maximum but honours Retry-After', () => {
    expect(throttleDelayMs(1, undefined, BOUNDS)).toBe(10_000);
    expect(throttleDelayMs(2, undefined, BOUNDS)).toBe(20_000);
    expect(throttleDelayMs(10, undefined, BOUNDS)).toBe(60_000);
    expect(throttleDelayMs(1, 90_000, BOUNDS)).toBe(90_000);
  });

  test('given only a new observedAt, then the status is not worth telling; given new progress, it is', () => {
    expect(isWorthTelling(status(), status({ observedAt: 'later' }))).toBe(false);
    expect(isWorthTelling(status(), status({ progress: 60 }))).toBe(true);
    expect(isWorthTelling(null, status())).toBe(true);
  });

  test('given a stored status observed after a new one, then the new one is older; given none stored, an equal time or an unreadable one, it is not', () => {
    const at = (observedAt: string): TaskStatus => status({ observedAt });
    expect(isOlderObservation(at('2026-11-23T12:00:06.000Z'), at('2026-11-23T12:00:05.000Z'))).toBe(true);
    expect(isOlderObservation(at('2026-11-23T12:00:05.000Z'), at('2026-11-23T12:00:06.000Z'))).toBe(false);
    expect(isOlderObservation(at('2026-11-23T12:00:05.000Z'), at('2026-11-23T12:00:05.000Z'))).toBe(false);
    expect(isOlderObservation(null, at('2026-11-23T12:00:05.000Z'))).toBe(false);
    expect(isOlderObservation(at('not a time'), at('2026-11-23T12:00:05.000Z'))).toBe(false);
  });

  test('given an item that changed, then only it is listed', () => {
    const before = status({ items: [{ name: 'a', state: 'running', rawStatus: 'Refreshing', progress: 10 }, { name: 'b', state: 'running', rawStatus: 'Refreshing', progress: 10 }] });
    const after = status({ items: [{ name: 'a', state: 'running', rawStatus: 'Refreshing', progress: 10 }, { name: 'b', state: 'succeeded', rawStatus: 'Complete', progress: 100 }] });
    expect(changedItems(before, after).map((item) => item.name)).toEqual(['b']);
  });

  test('given a DCDN task lost after being found, then it aged out; never found, then not found', () => {
    expect(endingForStatus(status({ found: false }), true, 0)?.reason).toBe('aged_out');
    expect(endingForStatus(status({ found: false }), false, 0)?.reason).toBe('not_found');
    expect(endingForStatus(status(), true, Date.parse('2026-11-27T12:00:00Z'))?.reason).toBe('aged_out');
    expect(endingForStatus(status({ state: 'failed', terminal: true }), true, 0)?.reason).toBe('terminal');
    expect(endingForStatus(status(), true, Date.parse('2026-11-23T12:00:10Z'))).toBeNull();
  });

  test('given throttling or a timeout, then nothing ends; given refused credentials, the watch ends', () => {
    expect(endingForError(new ProviderError({ code: 'throttled', facts: { fact: 'vendor_code', cloud: 'tencent' } }))).toBeNull();
    expect(endingForError(new ProviderError({ code: 'timeout', facts: { fact: 'timed_out', cloud: 'tencent', timeoutMs: 10_000 } }))).toBeNull();
    expect(endingForError(new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' } }))?.reason).toBe('auth_failed');
    expect(endingForError(new ProviderError({ code: 'permission_denied', facts: { fact: 'vendor_code', cloud: 'alibaba' } }))?.reason).toBe('error');
  });

  test('given piled-up changes, then the notice lists the states in between and the duration at the end', () => {
    const notice = buildNotice({
      previous: status({ state: 'pending', rawStatus: 'Pending' }),
      current: status({ state: 'succeeded', terminal: true, rawStatus: 'Complete', updatedAt: '2026-11-23T12:00:30.000Z' }),
      between: ['running', 'running'],
      ending: { reason: 'terminal', facts: { fact: 'task_finished', state: 'succeeded' } },
      watchStartedAt: '2026-11-23T12:00:00.000Z',
    });
    expect(notice.skippedStates).toEqual(['running']);
    expect(notice.durationMs).toBe(30_000);
  });

  test('given any task and channel, then IDs contain no colon and are stable', () => {
    const key = taskKeyOf({ kind: 'redis', account: 'a:b', region: 'ap-guangzhou', id: '12' });
    expect(key).not.toContain(':');
    expect(groupIdOf({ kind: 'redis', account: 'a:b', region: 'ap-guangzhou' })).not.toContain(':');
    expect(watchIdOf(key, 'slack:C1')).toBe(watchIdOf(key, 'slack:C1'));
    expect(watchIdOf(key, 'slack:C1')).not.toContain(':');
    expect(watchIdOf(key, 'slack:C1')).not.toBe(watchIdOf(key, 'slack:C2'));
  });

  test('given an answer about another task from an API that reports the latest task, then the newer ID is the replacement; the watched or first-pinned ID is not', () => {
    const running = (id: string): TaskStatus => status({ kind: 'tcss', id, state: 'running' });
    expect(replacingTaskId({ id: '201', status: null }, running('202'))).toBe('202');
    expect(replacingTaskId({ id: '201', status: running('201') }, running('201'))).toBeNull();
    // A watch of "the latest task" follows the first task it was answered about.
    expect(replacingTaskId({ id: 'latest', status: null }, running('201'))).toBeNull();
    expect(replacingTaskId({ id: 'latest', status: running('201') }, running('202'))).toBe('202');
    // No task at all, or no TaskId in the answer: nothing to compare.
    expect(replacingTaskId({ id: '201', status: running('201') }, { ...running('latest'), found: false })).toBeNull();
    expect(replacingTaskId({ id: '201', status: running('201') }, running('latest'))).toBeNull();
  });
});

describe('what goes to the thread', () => {
  const item = (name: string, state: TaskStatus['state'], progress: number) => ({ name, state, rawStatus: state === 'failed' ? 'Failed' : 'Refreshing', progress });
  const ending = { reason: 'terminal' as const, facts: { fact: 'task_finished' as const, state: 'succeeded' as const } };

  test('given progress alone (30% -> 70%), then no thread reply: the card shows it', () => {
    expect(deservesThreadReply(status({ progress: 30 }), status({ progress: 70 }), [], null)).toBe(false);
  });

  test('given a new state, or a state passed through on the way, then a thread reply', () => {
    expect(deservesThreadReply(status({ state: 'pending', rawStatus: 'Pending' }), status(), [], null)).toBe(true);
    expect(deservesThreadReply(status(), status({ progress: 90 }), ['pending'], null)).toBe(true);
  });

  test('given an item that failed inside a running task, then a thread reply; given one that stays failed, none', () => {
    const before = status({ items: [item('https://a.example/x', 'running', 30), item('https://a.example/y', 'running', 30)] });
    const after = status({ items: [item('https://a.example/x', 'failed', 30), item('https://a.example/y', 'running', 60)] });
    expect(deservesThreadReply(before, after, [], null)).toBe(true);
    expect(deservesThreadReply(after, status({ items: [item('https://a.example/x', 'failed', 30), item('https://a.example/y', 'running', 90)] }), [], null)).toBe(false);
  });

  test('given the first observation, then no reply unless it ends the watch', () => {
    expect(deservesThreadReply(null, status(), [], null)).toBe(false);
    expect(deservesThreadReply(null, status({ state: 'succeeded', terminal: true }), [], ending)).toBe(true);
  });

  test('given a watch that asked for progress=thread, then progress alone is a reply too, but the first observation still is not', () => {
    expect(deservesThreadReply(status({ progress: 30 }), status({ progress: 70 }), [], null, 'thread')).toBe(true);
    expect(deservesThreadReply(status({ progress: 30 }), status({ progress: 70 }), [], null, 'card')).toBe(false);
    expect(deservesThreadReply(null, status({ progress: 30 }), [], null, 'thread')).toBe(false);
    expect(deservesThreadReply(status({ progress: 30 }), status({ progress: 30 }), [], null, 'thread')).toBe(false);
  });
});
