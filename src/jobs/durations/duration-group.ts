/**
 * The pure side of remembering how long tasks take: which group an ended task counts in,
 * whether its duration was observed from the start at all, and what a group's sample says
 * (median, 95th percentile, failure rate, the usual range). No I/O here; `duration-store.ts`
 * keeps the samples in Redis.
 */
import { createHash } from 'node:crypto';
import type { TaskKind, TaskStatus } from '../../providers/types';

/**
 * Tasks whose durations are compared with each other. Account and kind always; finer where the
 * cloud says more, because a Redis FLUSH_INSTANCE and a Redis backup, or a prefetch of one URL
 * and one of five hundred, take very different times.
 */
export interface DurationGroup {
  readonly kind: TaskKind;
  readonly account: string;
  /** {@link TaskStatus.subtype}: Redis TaskType, CDN area, DCDN object type; null when the cloud gives none. */
  readonly subtype: string | null;
  /** The bucket of URLs or objects in the task ({@link SIZE_BUCKETS}); null for kinds without items. */
  readonly size: string | null;
}

/** Buckets of a task's URL or object count: few enough that each fills up, apart where times differ. */
export const SIZE_BUCKETS: readonly { readonly upTo: number; readonly label: string }[] = [
  { upTo: 1, label: '1' },
  { upTo: 10, label: '2-10' },
  { upTo: 100, label: '11-100' },
  { upTo: Number.POSITIVE_INFINITY, label: '101+' },
];

/** Least ended tasks in a group before taskwatch says what to expect of the next one. */
export const MIN_TASKS_FOR_ESTIMATE = 10;

/** The bucket label of a count of URLs or objects. */
export function sizeBucketOf(count: number): string {
  return (SIZE_BUCKETS.find((bucket) => count <= bucket.upTo) ?? SIZE_BUCKETS[SIZE_BUCKETS.length - 1])!.label;
}

/** The group an observed task counts in. */
export function durationGroupOf(status: Pick<TaskStatus, 'kind' | 'account' | 'subtype' | 'items'>): DurationGroup {
  return {
    kind: status.kind,
    account: status.account,
    subtype: status.subtype ?? null,
    // Only kinds whose tasks carry URLs or objects are bucketed by their number.
    size: status.items.length > 0 ? sizeBucketOf(status.items.length) : null,
  };
}

/** A stable ID of a group, safe in a Redis key whatever the account or subtype spells. */
export function durationGroupId(group: DurationGroup): string {
  const text = [group.kind, group.account, group.subtype ?? '', group.size ?? ''].join('|');
  return `${group.kind}-${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}

/** When an ended task started and ended (epoch ms), as far as taskwatch knows. */
export interface ObservedSpan {
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * When an ended task started and ended, or null when taskwatch cannot know: the task did not end
 * with this observation (`previous` was already terminal: a repeat), or its start is unknown.
 * The start is the cloud's (`createdAt`: CDN CreateTime, DCDN CreationTime, Redis StartTime)
 * or else when taskwatch first saw it pending (`firstSeenPendingAt`); a task first seen
 * mid-way with no start from the cloud says nothing about its duration. The end is the cloud's
 * last update when it reports one, else the observation: off by at most one polling interval.
 */
export function observedSpan(previous: TaskStatus | null, current: TaskStatus, firstSeenPendingAt: number | null): ObservedSpan | null {
  if (!current.found || !current.terminal || previous?.terminal === true) return null;
  const start = current.createdAt !== null ? Date.parse(current.createdAt) : firstSeenPendingAt;
  if (start === null || !Number.isFinite(start)) return null;
  const updated = current.updatedAt !== null ? Date.parse(current.updatedAt) : Number.NaN;
  // Seen ended on first sight, the observation says nothing about when it ended.
  if (previous === null && !Number.isFinite(updated)) return null;
  const end = Number.isFinite(updated) && updated >= start ? updated : Date.parse(current.observedAt);
  if (!Number.isFinite(end) || end < start) return null;
  return { startedAt: start, endedAt: end };
}

/** How long an ended task took, in ms, or null when unknown (see {@link observedSpan}). */
export function observedDurationMs(previous: TaskStatus | null, current: TaskStatus, firstSeenPendingAt: number | null): number | null {
  const span = observedSpan(previous, current, firstSeenPendingAt);
  return span === null ? null : span.endedAt - span.startedAt;
}

/** One ended task in a group's sample. */
export interface DurationSample {
  /** The task ID as users type it. */
  readonly taskId: string;
  readonly durationMs: number;
  readonly failed: boolean;
  /** When it ended, epoch ms. */
  readonly endedAt: number;
}

/** What a group's sample says. */
export interface DurationSummary {
  readonly group: DurationGroup;
  /** Ended tasks in the sample (the most recent, at most the store's sample size). */
  readonly count: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Failed tasks over all tasks in the sample, 0-1. */
  readonly failureRate: number;
  /** The slowest task in the sample. */
  readonly slowest: DurationSample;
}

/** The q-quantile (0-1) of sorted values, by nearest rank: always a duration that happened. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Sums up a group's sample; null when it is empty. */
export function summarizeDurations(group: DurationGroup, samples: readonly DurationSample[]): DurationSummary | null {
  if (samples.length === 0) return null;
  const sorted = samples.map((sample) => sample.durationMs).sort((a, b) => a - b);
  const slowest = samples.reduce((worst, sample) => (sample.durationMs > worst.durationMs ? sample : worst));
  return {
    group,
    count: samples.length,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    failureRate: samples.filter((sample) => sample.failed).length / samples.length,
    slowest,
  };
}

/** What to expect of a task of a group: "usually 3-6 min (median 4 min, 47 past tasks)". */
export interface DurationEstimate {
  /** The 10th percentile of the sample: the fast end of "usually". */
  readonly lowMs: number;
  /** The 90th percentile of the sample: the slow end of "usually". */
  readonly highMs: number;
  readonly medianMs: number;
  readonly count: number;
}

/**
 * The usual range of a group's durations, or null with fewer than {@link MIN_TASKS_FOR_ESTIMATE}
 * ended tasks: a range from a handful of tasks would claim more than it knows.
 */
export function estimateDuration(samples: readonly Pick<DurationSample, 'durationMs'>[]): DurationEstimate | null {
  if (samples.length < MIN_TASKS_FOR_ESTIMATE) return null;
  const sorted = samples.map((sample) => sample.durationMs).sort((a, b) => a - b);
  return { lowMs: quantile(sorted, 0.1), highMs: quantile(sorted, 0.9), medianMs: quantile(sorted, 0.5), count: sorted.length };
}

/**
 * What a card says to expect of one running task: its group's estimate, since when it has run,
 * and when it is typically done.
 */
export interface DurationExpectation extends DurationEstimate {
  /**
   * ISO-8601: when the task started, the cloud's start or else when taskwatch first saw it
   * pending; absent when unknown or ahead of now (then nothing is said of how long it has run).
   */
  readonly startedAt?: string | null;
  /**
   * ISO-8601: the task's start plus its group's median, while that is still ahead; null when
   * the start is unknown or the moment has passed (a late task is not "typically done" any more).
   */
  readonly typicalEndAt: string | null;
}

/** The expectation of a task that started at `startedAt` (epoch ms, null when unknown), seen at `now`. */
export function expectationOf(estimate: DurationEstimate, startedAt: number | null, now: number): DurationExpectation {
  const start = startedAt === null || !Number.isFinite(startedAt) ? null : startedAt;
  const typicalEnd = start === null ? null : start + estimate.medianMs;
  return {
    ...estimate,
    // A start ahead of the engine's clock (clouds' clocks drift) would read "started in 5 seconds".
    ...(start === null || start > now ? {} : { startedAt: new Date(start).toISOString() }),
    typicalEndAt: typicalEnd !== null && typicalEnd > now ? new Date(typicalEnd).toISOString() : null,
  };
}
