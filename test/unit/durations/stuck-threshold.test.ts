import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import { stuckFactsOf, stuckThresholdMs } from '../../../src/jobs/durations/stuck-threshold';

const MINUTE = 60_000;
const GROUP: DurationGroup = { kind: 'redis', account: 'production', subtype: 'FLUSH_INSTANCE', size: null };

function minutes(...values: number[]): { durationMs: number }[] {
  return values.map((value) => ({ durationMs: value * MINUTE }));
}

describe('when a task is called stuck', () => {
  it.each([
    [12 * MINUTE, 18 * MINUTE],
    [4 * MINUTE, 9 * MINUTE],
    [30_000, 5.5 * MINUTE],
    [2 * 3_600_000, 3 * 3_600_000],
  ])('given a 95th percentile of %d ms, then the threshold is 1.5x it and at least 5 min past it: %d ms', (p95, threshold) => {
    expect(stuckThresholdMs(p95)).toBe(threshold);
  });

  it('given 10 past tasks of 1 to 10 min, then a task is stuck only once it has run longer than 15 min', () => {
    const samples = minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    expect(stuckFactsOf(GROUP, samples, 0, 15 * MINUTE)).toBeNull();
    expect(stuckFactsOf(GROUP, samples, 0, 15 * MINUTE + 1)).toEqual({
      group: GROUP,
      startedAt: 0,
      p95Ms: 10 * MINUTE,
      thresholdMs: 15 * MINUTE,
      usual: { lowMs: MINUTE, highMs: 9 * MINUTE, medianMs: 5 * MINUTE, count: 10 },
    });
  });

  it('given only 9 past tasks, the history the estimate needs too, then no task is called stuck however long it runs', () => {
    expect(stuckFactsOf(GROUP, minutes(1, 2, 3, 4, 5, 6, 7, 8, 9), 0, 1000 * MINUTE)).toBeNull();
  });
});
