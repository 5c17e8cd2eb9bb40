/** Whether the delivery may edit a watch's card: the platform edits, and the card is younger than its edit window. */
import { cardEditable } from '../../../src/jobs/watch-life/watch-policy';

const STARTED = '2026-11-23T12:00:00.000Z';
const startedMs = Date.parse(STARTED);

describe('cardEditable', () => {
  test('given a platform without edits, then never', () => {
    expect(cardEditable({ pacingMs: 0, edits: false, threads: false }, { cardPostedAt: startedMs, startedAt: STARTED }, startedMs)).toBe(false);
  });

  test('given no window (or no capabilities declared), then always', () => {
    expect(cardEditable(undefined, { cardPostedAt: startedMs, startedAt: STARTED }, startedMs + 30 * 86_400_000)).toBe(true);
    expect(cardEditable({ pacingMs: 0, edits: true, threads: true, editWindowMs: null }, { cardPostedAt: null, startedAt: STARTED }, startedMs + 30 * 86_400_000)).toBe(true);
  });

  test('given a window, then while the card is younger than it, and not from its end on', () => {
    const capabilities = { pacingMs: 0, edits: true, threads: true, editWindowMs: 60_000 };
    const posted = startedMs + 5_000;
    expect(cardEditable(capabilities, { cardPostedAt: posted, startedAt: STARTED }, posted + 59_999)).toBe(true);
    expect(cardEditable(capabilities, { cardPostedAt: posted, startedAt: STARTED }, posted + 60_000)).toBe(false);
  });

  test('given a card of unknown age, then it is as old as the watch', () => {
    const capabilities = { pacingMs: 0, edits: true, threads: true, editWindowMs: 60_000 };
    expect(cardEditable(capabilities, { cardPostedAt: null, startedAt: STARTED }, startedMs + 59_999)).toBe(true);
    expect(cardEditable(capabilities, { cardPostedAt: null, startedAt: STARTED }, startedMs + 60_000)).toBe(false);
    expect(cardEditable(capabilities, { cardPostedAt: null, startedAt: 'not a time' }, startedMs)).toBe(false);
  });
});
