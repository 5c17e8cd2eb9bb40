import { durationStatsText, MAX_STATS_GROUPS } from '../../../src/commands/messages';
import type { DurationSummary } from '../../../src/jobs/durations/duration-group';

function summary(account: string): DurationSummary {
  return {
    group: { kind: 'redis', account, subtype: 'FLUSH_INSTANCE', size: null },
    count: 47,
    medianMs: 240_000,
    p95Ms: 720_000,
    failureRate: 0.04,
    slowest: { taskId: '18215', durationMs: 842_000, failed: false, endedAt: 0 },
  };
}

describe('the stats reply', () => {
  test('given a group, then its line gives count, median, 95th percentile, failure rate and the slowest task', () => {
    expect(durationStatsText([summary('production')], { type: 'stats', kind: 'redis' })).toBe(
      'How long redis tasks took (the last 200 at most per group, from start to end):\n' +
        '• redis FLUSH_INSTANCE on production: 47 ended tasks, median 4m, 95% within 12m, 4% failed; slowest recent: redis 18215, 14m 2s',
    );
  });

  test('given no group, then the reply says nothing has ended yet rather than showing zeros', () => {
    expect(durationStatsText([], { type: 'stats', account: 'staging' })).toMatch(/^No tasks on staging watched from start to end have ended yet/);
  });

  test(`given more than ${MAX_STATS_GROUPS} groups, then the reply lists ${MAX_STATS_GROUPS} and says how to see the rest`, () => {
    const text = durationStatsText(Array.from({ length: MAX_STATS_GROUPS + 3 }, (_, index) => summary(`account-${index}`)), { type: 'stats' });
    expect(text.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(MAX_STATS_GROUPS);
    expect(text).toMatch(/… and 3 more groups: name a kind or account=<name> to see them\.$/);
  });
});
