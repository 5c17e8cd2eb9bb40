/**
 * The pure side of calling a task stuck: when a task under way has run far enough past its
 * group's 95th percentile to be worth a word, and the facts that word is made of. No I/O here;
 * `stuck-check.ts` keeps the "said once" fact in Redis, `src/chat/render/stuck-text.ts` words it.
 */
import type { TaskState } from '../../providers/types';
import { MIN_TASKS_FOR_ESTIMATE, estimateDuration, quantile, type DurationEstimate, type DurationGroup, type DurationSample } from './duration-group';

/** A task is stuck past this multiple of its group's 95th percentile ... */
export const STUCK_P95_FACTOR = 1.5;

/** ... and at least this long past the 95th percentile itself (5 min), so short tasks are not called stuck over seconds. */
export const STUCK_MIN_MARGIN_MS = 5 * 60_000;

/**
 * How long a task of a group with 95th percentile `p95Ms` may take before it is called stuck:
 * 1.5 times the p95, and at least 5 minutes past it.
 */
export function stuckThresholdMs(p95Ms: number): number {
  return Math.max(p95Ms * STUCK_P95_FACTOR, p95Ms + STUCK_MIN_MARGIN_MS);
}

/** What taskwatch knows when it calls a task stuck; the renderers word it. */
export interface StuckFacts {
  readonly group: DurationGroup;
  /** When the task started (epoch ms): the cloud's start, else when taskwatch first saw it pending. */
  readonly startedAt: number;
  /** The group's 95th percentile when the task was found stuck. */
  readonly p95Ms: number;
  /** {@link stuckThresholdMs} of that p95: the task had run longer than this. */
  readonly thresholdMs: number;
  /** The group's usual range then, for the card and for the ending ("took 45 min; usually 3-6 min"). */
  readonly usual: DurationEstimate;
}

/**
 * The facts of a stuck task, or null when it is not stuck: its group has fewer than
 * {@link MIN_TASKS_FOR_ESTIMATE} ended tasks (the same history the estimate needs), or it has
 * not yet run past {@link stuckThresholdMs}. `startedAt` and `now` are epoch ms.
 */
export function stuckFactsOf(group: DurationGroup, samples: readonly Pick<DurationSample, 'durationMs'>[], startedAt: number, now: number): StuckFacts | null {
  const usual = estimateDuration(samples);
  if (usual === null || samples.length < MIN_TASKS_FOR_ESTIMATE) return null;
  const p95Ms = quantile(
    samples.map((sample) => sample.durationMs).sort((a, b) => a - b),
    0.95,
  );
  const thresholdMs = stuckThresholdMs(p95Ms);
  if (!(now - startedAt > thresholdMs)) return null;
  return { group, startedAt, p95Ms, thresholdMs, usual };
}

/** A stuck task as a thread reply tells it: its status now, the facts, and how long it has run. */
export interface StuckNotice {
  /** The task's latest status (pending or running). */
  readonly kind: DurationGroup['kind'];
  readonly id: string;
  readonly state: TaskState;
  readonly facts: StuckFacts;
  /** How long the task has run when the reply is posted. */
  readonly elapsedMs: number;
}
