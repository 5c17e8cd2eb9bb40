import {
  distributionQuantile,
  drawDurations,
  normalCdf,
  normalQuantile,
  seededRandom,
  shareLongerThan,
  type DurationDistribution,
} from '../../../src/sandbox/duration-distribution';
import { TASK_KINDS, type TaskKind } from '../../../src/providers/types';
import { timedTaskSpec } from '../../../src/sandbox/timed-tasks';
import { currentStep } from '../../../src/sandbox/task-store';

const MINUTE = 60_000;
const LOGNORMAL: DurationDistribution = { name: 'lognormal', medianMs: 4 * MINUTE, sigma: 0.5 };
const UNIFORM: DurationDistribution = { name: 'uniform', minMs: 2 * MINUTE, maxMs: 6 * MINUTE };

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

describe('seeded durations', () => {
  test('given one seed, then the same numbers every time; another seed, other numbers', () => {
    const first = seededRandom(42);
    const again = seededRandom(42);
    const values = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => again())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(drawDurations(LOGNORMAL, 50, 7)).toEqual(drawDurations(LOGNORMAL, 50, 7));
    expect(drawDurations(LOGNORMAL, 50, 8)).not.toEqual(drawDurations(LOGNORMAL, 50, 7));
  });

  test('given draws, then each is whole seconds, at least one second, and within a uniform range', () => {
    const durations = drawDurations(UNIFORM, 500, 1);
    expect(durations.every((ms) => ms % 1000 === 0 && ms >= 2 * MINUTE && ms <= 6 * MINUTE)).toBe(true);
    expect(drawDurations({ name: 'uniform', minMs: 0, maxMs: 100 }, 10, 1).every((ms) => ms === 1000)).toBe(true);
  });

  test.each([
    ['lognormal', LOGNORMAL],
    ['uniform', UNIFORM],
  ] as const)('given 20,000 %s draws, then their 10th, 50th, 90th and 95th percentiles are within 3%% of the true ones', (_, distribution) => {
    const sorted = drawDurations(distribution, 20_000, 2026).sort((a, b) => a - b);
    for (const q of [0.1, 0.5, 0.9, 0.95]) {
      const truth = distributionQuantile(distribution, q);
      expect(Math.abs(nearestRank(sorted, q) - truth) / truth).toBeLessThan(0.03);
    }
  });
});

describe('true figures of a distribution', () => {
  test('given the standard normal, then its quantiles and cumulative function agree with the tables', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  test('given a lognormal, then its median is the median and its p95 is median x e^(1.645 sigma)', () => {
    expect(distributionQuantile(LOGNORMAL, 0.5)).toBeCloseTo(4 * MINUTE, 3);
    expect(distributionQuantile(LOGNORMAL, 0.95)).toBeCloseTo(4 * MINUTE * Math.exp(0.5 * 1.644854), 0);
    expect(shareLongerThan(LOGNORMAL, distributionQuantile(LOGNORMAL, 0.95))).toBeCloseTo(0.05, 6);
  });

  test('given a uniform, then its quantiles are linear and its tail share too', () => {
    expect(distributionQuantile(UNIFORM, 0.25)).toBe(3 * MINUTE);
    expect(shareLongerThan(UNIFORM, 5 * MINUTE)).toBe(0.25);
    expect(shareLongerThan(UNIFORM, 7 * MINUTE)).toBe(0);
  });

  test('given bad parameters, then a RangeError says what is wrong', () => {
    expect(() => drawDurations({ name: 'uniform', minMs: 5, maxMs: 1 }, 1, 1)).toThrow(/0 <= minMs <= maxMs/);
    expect(() => drawDurations({ name: 'lognormal', medianMs: 0, sigma: 1 }, 1, 1)).toThrow(/positive medianMs/);
    expect(() => drawDurations({ name: 'gamma' } as unknown as DurationDistribution, 1, 1)).toThrow(/uniform or lognormal/);
    expect(() => drawDurations(UNIFORM, -1, 1)).toThrow(/count/);
  });
});

describe('timed sandbox tasks', () => {
  test.each(TASK_KINDS)('given a %s task timed at 95 s, then it is under way until 95 s after its start and done from then', (kind) => {
    const spec = timedTaskSpec(kind, 95_000, 1_000_000, 0);
    const steps = spec.items?.[0]?.steps ?? spec.steps ?? [];
    expect(currentStep(steps, 1_000_000, 1_000_000 + 94_999).step.afterMs).toBe(0);
    expect(currentStep(steps, 1_000_000, 1_000_000 + 95_000)).toMatchObject({ step: { afterMs: 95_000 }, since: 1_095_000 });
  });

  test('given a cdn task timed at 95 s, then its one URL goes from process 10% to done 100% as the API spells them', () => {
    expect(timedTaskSpec('cdn', 95_000, 1_000_000, 3)).toEqual({
      kind: 'cdn',
      createdAt: 1_000_000,
      items: [
        {
          name: 'https://timed.example.com/asset-3',
          steps: [
            { afterMs: 0, status: 'process', percent: 10 },
            { afterMs: 95_000, status: 'done', percent: 100 },
          ],
        },
      ],
    });
  });

  test('given a redis task timed at 95 s, then it has steps of its own and no items', () => {
    expect(timedTaskSpec('redis', 95_000, 1_000_000, 0, { region: 'ap-beijing' })).toEqual({
      kind: 'redis',
      createdAt: 1_000_000,
      region: 'ap-beijing',
      steps: [
        { afterMs: 0, status: 'running' },
        { afterMs: 95_000, status: 'succeed' },
      ],
    });
  });

  test('given a kind the sandbox does not serve, then a RangeError names it', () => {
    expect(() => timedTaskSpec('nope' as TaskKind, 95_000, 1_000_000, 0)).toThrow(new RangeError('Unknown task kind "nope".'));
  });
});
