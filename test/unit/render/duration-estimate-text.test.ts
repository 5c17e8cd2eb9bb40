import { renderStatusCard as renderDiscordCard } from '../../../src/chat/discord/embeds';
import { durationRangeText, estimateText, expectationText, expectationWords, roughDurationText } from '../../../src/chat/render/duration-estimate-text';
import { discordTimeStyle, slackTimeStyle, terminalTimeStyle } from '../../../src/chat/render/time-text';
import { renderStatusCard as renderSlackCard } from '../../../src/chat/slack/blocks';
import type { StatusCard } from '../../../src/jobs/notifier';
import { taskStatus } from '../../support/task-status';

const WATCH: NonNullable<StatusCard['watch']> = {
  watchId: 'w1',
  startedAt: '2026-11-23T12:00:00.000Z',
  deadlineAt: '2026-11-24T12:00:00.000Z',
  nextCheckAt: '2026-11-23T12:00:05.000Z',
  endReason: null,
};

describe('what a card says to expect', () => {
  it.each([
    [180_000, 360_000, '3-6 min'],
    [20_000, 45_000, '20-45 s'],
    [20_000, 120_000, 'up to 2 min'],
    [240_000, 250_000, '4 min'],
    [3_600_000, 3 * 3_600_000, '1-3 h'],
  ])('given a range of %d to %d ms, then it reads %j', (low, high, text) => {
    expect(durationRangeText(low, high)).toBe(text);
  });

  it('given an estimate, then the line reads as the issue words it, and a sub-second median still reads as 1 s', () => {
    expect(estimateText({ lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47 })).toBe('usually 3-6 min (median 4 min, 47 past tasks)');
    expect(roughDurationText(200)).toBe('1 s');
  });

  it('given a card with an estimate, then Slack and Discord both show the line; without one, neither says "usually"', () => {
    const expected = { lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47, typicalEndAt: null };
    const withEstimate: StatusCard = { status: taskStatus(), watch: WATCH, expected };
    const without: StatusCard = { status: taskStatus(), watch: WATCH };
    expect(JSON.stringify(renderSlackCard(withEstimate).blocks)).toContain('usually 3-6 min (median 4 min, 47 past tasks)');
    expect(JSON.stringify(renderDiscordCard(withEstimate).embeds).replace(/\\\\(.)/g, '$1')).toContain('usually 3-6 min (median 4 min, 47 past tasks)');
    expect(JSON.stringify(renderSlackCard(without))).not.toContain('usually');
    expect(JSON.stringify(renderDiscordCard(without))).not.toContain('usually');
  });

  it('given when the task is typically done, then each surface writes it in its own time markup', () => {
    const typicalEnd = Date.UTC(2026, 10, 23, 12, 4, 0);
    const expected = { lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47, typicalEndAt: new Date(typicalEnd).toISOString() };
    const seconds = typicalEnd / 1000;
    expect(expectationText(expected, discordTimeStyle)).toBe(`usually 3-6 min (median 4 min, 47 past tasks); typically done <t:${seconds}:R>`);
    expect(expectationText(expected, slackTimeStyle)).toContain(`; typically done <!date^${seconds}^`);
    expect(expectationText(expected, terminalTimeStyle(() => typicalEnd - 120_000))).toMatch(/; typically done in 2m$/);
    expect(JSON.stringify(renderDiscordCard({ status: taskStatus(), watch: WATCH, expected }).embeds)).toContain(`typically done <t:${seconds}:R>`);
    expect(JSON.stringify(renderSlackCard({ status: taskStatus(), watch: WATCH, expected }).blocks)).toContain(`typically done <!date^${seconds}^`);
  });

  it('given a known start, then Slack and Discord say since when it has run in live markup, before when it is typically done', () => {
    const start = Date.UTC(2026, 10, 23, 12, 0, 0);
    const expected = { lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47, startedAt: new Date(start).toISOString(), typicalEndAt: new Date(start + 240_000).toISOString() };
    const [started, end] = [start / 1000, start / 1000 + 240];
    expect(expectationText(expected, discordTimeStyle)).toBe(`usually 3-6 min (median 4 min, 47 past tasks); started <t:${started}:R>, typically done <t:${end}:R>`);
    expect(expectationText(expected, slackTimeStyle)).toBe(
      `usually 3-6 min (median 4 min, 47 past tasks); started <!date^${started}^{ago}|2026-11-23 12:00 UTC>, typically done <!date^${end}^{date_short_pretty} {time}|2026-11-23 12:04 UTC>`,
    );
    // Escaping the card leaves both markups whole.
    expect(JSON.stringify(renderSlackCard({ status: taskStatus(), watch: WATCH, expected }).blocks)).toContain(`started <!date^${started}^{ago}|2026-11-23 12:00 UTC>, typically done <!date^${end}^`);
    expect(JSON.stringify(renderDiscordCard({ status: taskStatus(), watch: WATCH, expected }).embeds)).toContain(`started <t:${started}:R>, typically done <t:${end}:R>`);
    // Past its typical end, only the start is said; with no start, only the estimate.
    expect(expectationText({ ...expected, typicalEndAt: null }, discordTimeStyle)).toBe(`usually 3-6 min (median 4 min, 47 past tasks); started <t:${started}:R>`);
    expect(expectationText({ lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47, typicalEndAt: null }, slackTimeStyle)).toBe('usually 3-6 min (median 4 min, 47 past tasks)');
  });

  it('given a known start, then the terminal says in words how long it has run and how much longer it typically takes', () => {
    const start = Date.UTC(2026, 10, 23, 12, 0, 0);
    const expected = { lowMs: 180_000, highMs: 360_000, medianMs: 240_000, count: 47, startedAt: new Date(start).toISOString(), typicalEndAt: new Date(start + 240_000).toISOString() };
    expect(expectationWords(expected, 'running', start + 120_000)).toBe('usually 3-6 min (median 4 min, 47 past tasks); running 2 min, typically done in about 2 min more');
    expect(expectationWords(expected, 'pending', start + 60_000)).toBe('usually 3-6 min (median 4 min, 47 past tasks); pending 60 s, typically done in about 3 min more');
    // Past the typical end (also when rendered after it), only how long it has run.
    expect(expectationWords(expected, 'running', start + 480_000)).toBe('usually 3-6 min (median 4 min, 47 past tasks); running 8 min');
    expect(expectationWords({ ...expected, startedAt: null, typicalEndAt: null }, 'running', start)).toBe('usually 3-6 min (median 4 min, 47 past tasks)');
  });
});
