/**
 * Sandbox tasks that end after known durations: each task of a kind runs from its creation and
 * succeeds exactly its drawn duration later on the sandbox clock, so a test on a manual clock
 * (or a benchmark) knows what every ending should count for. See `duration-distribution.ts`.
 */
import type { TaskKind } from '../providers/types';
import { DURATION_RESOLUTION_MS, drawDurations, type DurationDistribution } from './duration-distribution';
import { sandboxKind } from './sandbox-kinds';
import type { LifecycleStep, SandboxTaskSpec } from './types';

/** What to plant: `count` tasks of one kind whose durations follow `distribution`. */
export interface TimedTasksSpec {
  readonly kind: TaskKind;
  readonly count: number;
  readonly distribution: DurationDistribution;
  /** The generator's seed: the same seed plants the same durations. */
  readonly seed: number;
  /** When every task starts, epoch ms on the sandbox clock (rounded down to the second); default now. */
  readonly createdAt?: number;
  /** As in {@link SandboxTaskSpec}. */
  readonly region?: string;
  readonly owner?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** One planted task and how long it runs. */
export interface TimedTask {
  readonly id: string;
  /** Epoch ms on the sandbox clock. */
  readonly createdAt: number;
  /** Whole seconds, in ms: the task succeeds this long after `createdAt`. */
  readonly durationMs: number;
}

/** The sandbox spec of one task of `kind` that succeeds `durationMs` after `createdAt`. */
export function timedTaskSpec(kind: TaskKind, durationMs: number, createdAt: number, index: number, base: Pick<TimedTasksSpec, 'region' | 'owner' | 'attributes'> = {}): SandboxTaskSpec {
  const served = sandboxKind(kind);
  const lifecycle = served.timed;
  const steps: LifecycleStep[] = [
    { afterMs: 0, status: lifecycle.running, ...(lifecycle.percent ? { percent: 10 } : {}) },
    { afterMs: durationMs, status: lifecycle.done, ...(lifecycle.percent ? { percent: 100 } : {}) },
  ];
  const itemName = served.defaultItemName === undefined ? undefined : (lifecycle.itemName ?? served.defaultItemName);
  return {
    kind,
    createdAt,
    ...(base.region === undefined ? {} : { region: base.region }),
    ...(base.owner === undefined ? {} : { owner: base.owner }),
    ...(base.attributes === undefined ? {} : { attributes: base.attributes }),
    ...(itemName === undefined ? { steps } : { items: [{ name: `${itemName}-${index}`, steps }] }),
  };
}

/**
 * Draws the durations and the specs of the tasks to plant (`plant` plants one and returns its
 * ID), in drawing order. Throws a RangeError naming the problem for a bad spec.
 */
export function plantTimedTasks(spec: TimedTasksSpec, now: number, plant: (task: SandboxTaskSpec) => string): TimedTask[] {
  const start = spec.createdAt ?? now;
  if (!Number.isFinite(start)) throw new RangeError('createdAt must be epoch milliseconds.');
  // Cloud start times have whole seconds: a start between them would shift every duration.
  const createdAt = Math.floor(start / DURATION_RESOLUTION_MS) * DURATION_RESOLUTION_MS;
  return drawDurations(spec.distribution, spec.count, spec.seed).map((durationMs, index) => ({
    id: plant(timedTaskSpec(spec.kind, durationMs, createdAt, index, spec)),
    createdAt,
    durationMs,
  }));
}
