/**
 * The state line of a thread reply, decided once for Slack, Discord and the terminal: a change
 * reads old → new, a state that did not change is said once, and an item failure is named.
 */
import type { TransitionNotice } from '../../../src/jobs/notifier';
import { itemFailureText, noticeHeadline } from '../../../src/chat/render/notice-headline';
import type { TaskItem } from '../../../src/providers/types';
import { taskStatus } from '../../support/task-status';

const url = (name: string, state: TaskItem['state'], rawStatus = state === 'failed' ? 'fail' : 'process'): TaskItem => ({ name, state, rawStatus, progress: null });

function notice(overrides: Partial<TransitionNotice>): TransitionNotice {
  return { previous: taskStatus(), current: taskStatus(), skippedStates: [], changedItems: [], endReason: null, endFacts: null, durationMs: null, ...overrides };
}

describe('noticeHeadline', () => {
  it('given a change of state, then it is old → new', () => {
    const headline = noticeHeadline(notice({ current: taskStatus({ state: 'succeeded', terminal: true }) }));
    expect(headline).toEqual({ type: 'changed', before: { mark: '🔄', label: 'Running' }, now: { mark: '✅', label: 'Succeeded' } });
  });

  it('given nothing told before, then it is the state alone', () => {
    expect(noticeHeadline(notice({ previous: null }))).toEqual({ type: 'first', now: { mark: '🔄', label: 'Running' } });
  });

  it('given the same state and no ending (an item failure, a progress step), then it says "Still running"', () => {
    expect(noticeHeadline(notice({}))).toEqual({ type: 'unchanged', now: { mark: '🔄', label: 'Running' }, words: 'Still running' });
    expect(noticeHeadline(notice({ previous: taskStatus({ state: 'pending' }), current: taskStatus({ state: 'pending' }) }))).toMatchObject({ words: 'Still pending' });
  });

  it('given the same state and an ending (unwatch, deadline), then the state is said once, without "still"', () => {
    expect(noticeHeadline(notice({ endReason: 'unwatched' }))).toEqual({ type: 'unchanged', now: { mark: '🔄', label: 'Running' }, words: 'Running' });
    expect(noticeHeadline(notice({ endReason: 'deadline' }))).toMatchObject({ type: 'unchanged', words: 'Running' });
  });

  it('given the same state with another passed through on the way, then it is a change', () => {
    expect(noticeHeadline(notice({ skippedStates: ['pending'] }))).toMatchObject({ type: 'changed' });
  });

  it('given a task found and then not found, then it is a change; not found twice is said once', () => {
    expect(noticeHeadline(notice({ current: taskStatus({ found: false }) }))).toMatchObject({ type: 'changed', now: { label: 'Not found' } });
    expect(noticeHeadline(notice({ previous: taskStatus({ found: false }), current: taskStatus({ found: false }) }))).toMatchObject({ type: 'unchanged', words: 'Still not found' });
  });
});

describe('itemFailureText', () => {
  const cdn = (items: TaskItem[]) => taskStatus({ kind: 'cdn', id: '1533031853231313311', rawStatus: 'process', items });

  it('given one of three URLs failing in a running prefetch, then it counts and names it', () => {
    const previous = cdn([url('https://a', 'running'), url('https://b', 'running'), url('https://c', 'running')]);
    const current = cdn([url('https://a', 'running'), url('https://b', 'failed'), url('https://c', 'running')]);
    expect(itemFailureText(notice({ previous, current }))).toBe('1 of 3 URLs failed: https://b');
  });

  it('given one more failing after another had failed, then it names the new one and counts both', () => {
    const previous = cdn([url('https://a', 'failed'), url('https://b', 'running'), url('https://c', 'running')]);
    const current = cdn([url('https://a', 'failed'), url('https://b', 'failed'), url('https://c', 'running')]);
    expect(itemFailureText(notice({ previous, current }))).toBe('1 more of 3 URLs failed (2 in all): https://b');
  });

  it('given many failing at once, then three are named and the rest counted', () => {
    const names = ['https://1', 'https://2', 'https://3', 'https://4', 'https://5'];
    const previous = cdn(names.map((name) => url(name, 'running')));
    const current = cdn(names.map((name) => url(name, 'failed')));
    expect(itemFailureText(notice({ previous, current }))).toBe('5 of 5 URLs failed: https://1, https://2, https://3 and 2 more');
  });

  it('given a change of state, or no item failing, then there is no such line', () => {
    const previous = cdn([url('https://a', 'running')]);
    expect(itemFailureText(notice({ previous, current: { ...cdn([url('https://a', 'failed')]), state: 'failed', terminal: true } }))).toBeNull();
    expect(itemFailureText(notice({ previous, current: cdn([url('https://a', 'running')]) }))).toBeNull();
  });

  it('given a kind without an item noun of its own, then it counts items', () => {
    const previous = taskStatus({ kind: 'redis', items: [url('x', 'running')] });
    const current = taskStatus({ kind: 'redis', items: [url('x', 'failed')] });
    expect(itemFailureText(notice({ previous, current }))).toBe('1 of 1 item failed: x');
  });
});
