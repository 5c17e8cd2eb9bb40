/**
 * The pure decisions of the CDN batched sweep. `DescribePushTasks` takes one TaskId per call,
 * but it also lists every prefetch task of an account created in a time window, 100 rows a
 * page. When a CDN poll group has many due tasks, listing the window that holds them all costs
 * a few pages instead of one call per task. These functions decide when that pays, which
 * window to list, when to stop paging, and which listed statuses can be trusted; the caller
 * does the I/O (see `window-listing.ts`), for any kind whose provider lists by window.
 */
import type { TaskStatus } from '../../providers/types';

/** Rows per listing page: the API's maximum `Limit`. */
export const CDN_LISTING_PAGE_SIZE = 100;

/** Fewest due tasks worth a listing: below it, one call per task is as cheap and never pages. */
export const CDN_LISTING_MIN_TASKS = 3;

/**
 * Widens the window before the oldest task's creation time: the API compares creation times at
 * second precision, in Beijing time, so a small margin keeps an edge task inside.
 */
export const CDN_LISTING_MARGIN_MS = 60_000;

/** A due CDN task as the planner sees it. */
export interface CdnDueTask {
  readonly id: string;
  /** ISO-8601 creation time from an earlier answer; null before the task was first seen. */
  readonly createdAt: string | null;
}

/** What one sweep of a CDN group should do. */
export interface CdnListingPlan<T extends CdnDueTask> {
  /** The window to list, or null when no listing pays. */
  readonly window: { readonly start: Date; readonly end: Date } | null;
  /** Tasks expected in the listing (empty without a window). */
  readonly listed: readonly T[];
  /** Tasks to describe one by one: never seen (creation time unknown), or every task when no listing pays. */
  readonly byId: readonly T[];
}

/**
 * Plans a CDN sweep. Only tasks with a known creation time can be found by window; the window
 * runs from the oldest of them (minus {@link CDN_LISTING_MARGIN_MS}) to `now`.
 */
export function planCdnListing<T extends CdnDueTask>(tasks: readonly T[], now: number, minTasks = CDN_LISTING_MIN_TASKS): CdnListingPlan<T> {
  const dated: { task: T; created: number }[] = [];
  const byId: T[] = [];
  for (const task of tasks) {
    const created = task.createdAt === null ? Number.NaN : Date.parse(task.createdAt);
    if (Number.isFinite(created)) dated.push({ task, created });
    else byId.push(task);
  }
  if (dated.length < Math.max(2, minTasks)) return { window: null, listed: [], byId: [...tasks] };
  const oldest = Math.min(...dated.map((entry) => entry.created));
  const start = Math.min(oldest - CDN_LISTING_MARGIN_MS, now);
  return { window: { start: new Date(start), end: new Date(Math.max(now, start)) }, listed: dated.map((entry) => entry.task), byId };
}

/**
 * Whether to fetch another page. Paging stops when the listing is exhausted, when every listed
 * task was found, or when the pages left would cost at least as many calls as describing the
 * tasks still missing one by one.
 */
export function shouldFetchNextPage(progress: { readonly totalRows: number; readonly fetchedRows: number; readonly missing: number; readonly pageSize?: number }): boolean {
  const pageSize = progress.pageSize ?? CDN_LISTING_PAGE_SIZE;
  if (progress.missing <= 0 || progress.fetchedRows >= progress.totalRows) return false;
  const pagesLeft = Math.ceil((progress.totalRows - progress.fetchedRows) / pageSize);
  return pagesLeft < progress.missing;
}

/**
 * Keeps the listed statuses that are whole. The API pages over rows (one per URL), so a task
 * whose rows straddle two pages, or sit at the end of the last page fetched while more rows
 * remain, may be missing URLs: those are left out, to be described by ID.
 * `pages` holds each page's statuses in listing order.
 */
export function wholeListedStatuses(pages: readonly (readonly TaskStatus[])[], listingComplete: boolean): Map<string, TaskStatus> {
  const seenOnPages = new Map<string, number>();
  for (const page of pages) for (const id of new Set(page.map((status) => status.id))) seenOnPages.set(id, (seenOnPages.get(id) ?? 0) + 1);
  const whole = new Map<string, TaskStatus>();
  pages.forEach((page, index) => {
    const isLastFetched = index === pages.length - 1;
    page.forEach((status, position) => {
      if ((seenOnPages.get(status.id) ?? 0) > 1) return;
      if (isLastFetched && !listingComplete && position === page.length - 1) return;
      whole.set(status.id, status);
    });
  });
  return whole;
}
