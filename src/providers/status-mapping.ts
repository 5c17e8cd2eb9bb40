/**
 * Turning raw vendor statuses into normalized states. Each provider declares a table of the
 * statuses its API documents; anything not in the table is `unknown` and shown raw, because a
 * guessed state could end a watch early or report a failure that did not happen.
 */
import type { ItemCountsSummary, ItemOperation } from './task-summary';
import type { TaskItem, TaskState } from './types';

/** Documented raw status -> normalized state, for one API. */
export type StatusTable = Readonly<Record<string, TaskState>>;

/** Looks a raw status up in a table; undocumented or missing statuses are `unknown`. */
export function mapRawStatus(table: StatusTable, rawStatus: string | null | undefined): TaskState {
  if (typeof rawStatus !== 'string') return 'unknown';
  return Object.prototype.hasOwnProperty.call(table, rawStatus) ? (table[rawStatus] as TaskState) : 'unknown';
}

/** The whole-task view of a multi-item task (CDN URLs, DCDN object paths). */
export interface ItemAggregate {
  readonly state: TaskState;
  /** The raw status of the first item in the deciding state. */
  readonly rawStatus: string;
  /** Mean of the items' progress, rounded; null when no item reports one. */
  readonly progress: number | null;
}

/**
 * Aggregates item states. A task is running while any item still moves; it is only settled
 * when every item is, and then it failed if any item failed. An item in an undocumented state
 * makes the whole task `unknown` (and so not terminal) rather than letting it look finished.
 * `items` must not be empty.
 */
export function aggregateItems(items: readonly TaskItem[]): ItemAggregate {
  const first = (state: TaskState): TaskItem | undefined => items.find((item) => item.state === state);
  const decide = (): TaskItem => {
    const running = first('running');
    if (running) return running;
    const unknown = first('unknown');
    if (unknown) return unknown;
    const pending = first('pending');
    if (pending) {
      // Some items settled while others still wait: the task as a whole is under way.
      return items.every((item) => item.state === 'pending') ? pending : { ...pending, state: 'running' };
    }
    return first('failed') ?? (items[0] as TaskItem);
  };
  const decider = decide();
  const progresses = items.map((item) => item.progress).filter((value): value is number => value !== null);
  const progress = progresses.length === 0 ? null : Math.round(progresses.reduce((sum, value) => sum + value, 0) / progresses.length);
  return { state: decider.state, rawStatus: decider.rawStatus, progress };
}

/** Parses a percentage such as `"100%"`, `"40"` or `40` into 0-100; null when absent or unreadable. */
export function parsePercent(value: unknown): number | null {
  if (typeof value === 'string' && value.trim() === '') return null;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim().replace(/%$/, '')) : Number.NaN;
  if (!Number.isFinite(number)) return null;
  return Math.max(0, Math.min(100, number));
}

/**
 * Counts a multi-item task's items for its {@link ItemCountsSummary}; `isOriginRefused` picks,
 * among the failed items, those whose origin refused (CDN prefetch `invalid`).
 */
export function countItems(operation: ItemOperation, items: readonly TaskItem[], isOriginRefused: (item: TaskItem) => boolean = () => false): ItemCountsSummary {
  const failed = items.filter((item) => item.state === 'failed');
  return {
    fact: 'item_counts',
    operation,
    total: items.length,
    succeeded: items.filter((item) => item.state === 'succeeded').length,
    failed: failed.length,
    originRefused: failed.filter(isOriginRefused).length,
  };
}
