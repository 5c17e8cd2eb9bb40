import { muteSummaryText } from '../../../src/chat/render/mute-summary-text';
import type { HeldChange } from '../../../src/jobs/notifier';
import type { TaskStatus } from '../../../src/providers/types';
import { taskStatus } from '../../support/task-status';

/** The line of one held change, built from the statuses behind it as the mute release builds it. */
function lineOf(previous: TaskStatus | null, current: TaskStatus, extra: Partial<HeldChange> = {}): string | undefined {
  const change: HeldChange = {
    kind: current.kind,
    id: current.id,
    from: previous?.state ?? null,
    to: current.state,
    rawStatus: current.rawStatus,
    endReason: null,
    statuses: { previous, current, skippedStates: [] },
    ...extra,
  };
  return muteSummaryText({ mutedAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T11:00:00.000Z', changes: [change], newTasks: [] }).lines[0];
}

describe('the words of a mute summary', () => {
  test('given changes and new tasks, then there is one line each under one title', () => {
    const text = muteSummaryText({
      mutedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T11:00:00.000Z',
      changes: [{ kind: 'redis', id: '5', from: 'pending', to: 'failed', rawStatus: 'failed', endReason: 'terminal' }],
      newTasks: [{ kind: 'cdn', id: '9', state: 'running', rawStatus: 'process' }],
    });
    expect(text.title).toContain('2026-01-01 10:00 to 2026-01-01 11:00 UTC');
    expect(text.lines).toEqual([expect.stringMatching(/^New cdn task 9: running/), 'redis 5: pending -> failed (failed); watch ended (terminal)']);
  });

  test('given tasks found while muted that moved on, then each line gives its latest state, and only an unfinished one is offered to watch', () => {
    const text = muteSummaryText({
      mutedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T11:00:00.000Z',
      changes: [],
      newTasks: [
        { kind: 'tcss', id: '731002', state: 'succeeded', rawStatus: 'Task_Finish', foundState: 'running' },
        { kind: 'cdn', id: '10', state: 'failed', rawStatus: 'fail' },
        { kind: 'cdn', id: '11', state: 'running', rawStatus: 'process', foundState: 'pending' },
      ],
    });
    expect(text.lines).toEqual([
      'New tcss task 731002: succeeded (Task_Finish), found running and finished while muted.',
      'New cdn task 10: failed (fail).',
      'New cdn task 11: running (process), found pending. Not watched; use /task-status watch cdn 11 to follow it.',
    ]);
  });

  test('given nothing held, then the title says nothing happened and there are no lines', () => {
    const text = muteSummaryText({ mutedAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T10:30:00.000Z', changes: [], newTasks: [] });
    expect(text.title).toMatch(/^Notifications are back on\. Nothing happened while this channel was muted/);
    expect(text.lines).toEqual([]);
  });

  describe('given a held change whose state did not change, then the line says what did, never "running -> running"', () => {
    test('a task no longer found reads "not found"', () => {
      expect(lineOf(taskStatus({ state: 'unknown', rawStatus: 'Weird' }), taskStatus({ found: false, state: 'unknown', rawStatus: '' }))).toBe('dcdn 17772470184: unknown -> not found');
      expect(lineOf(taskStatus(), taskStatus({ found: false, state: 'unknown', rawStatus: '' }))).toBe('dcdn 17772470184: running -> not found');
    });

    test('a task found again reads "not found -> <state>"', () => {
      expect(lineOf(taskStatus({ found: false, state: 'unknown', rawStatus: '' }), taskStatus({ state: 'unknown', rawStatus: 'Weird' }))).toBe('dcdn 17772470184: not found -> unknown (Weird)');
    });

    test('a step the watch asked to hear reads "still running"', () => {
      expect(lineOf(taskStatus({ progress: 20 }), taskStatus({ progress: 70 }))).toBe('dcdn 17772470184: still running (Refreshing)');
    });

    test('an ending that changed nothing but the watch gives the state once, with the ending', () => {
      expect(lineOf(taskStatus(), taskStatus(), { endReason: 'deadline' })).toBe('dcdn 17772470184: running (Refreshing); watch ended (deadline)');
    });

    test('a state left and come back to names the states passed through', () => {
      const line = lineOf(taskStatus(), taskStatus(), { statuses: { previous: taskStatus(), current: taskStatus(), skippedStates: ['pending'] } });
      expect(line).toBe('dcdn 17772470184: running -> pending -> running (Refreshing)');
    });

    test('a change of state still reads "from -> to", as before', () => {
      expect(lineOf(taskStatus({ state: 'pending', rawStatus: 'Pending' }), taskStatus())).toBe('dcdn 17772470184: pending -> running (Refreshing)');
      expect(lineOf(null, taskStatus())).toBe('dcdn 17772470184: new -> running (Refreshing)');
    });
  });
});
