import { muteSummaryText } from '../../../src/chat/render/mute-summary-text';

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
});
