/**
 * The I/O half of the CDN batched sweep (the decisions are in `cdn-listing-plan.ts`): lists a
 * CDN account's prefetch tasks by time window, page by page, and matches the rows to the
 * watched tasks by TaskId. Every page is one `DescribePushTasks` call through the provider, so
 * it spends the same rate budget as a describe by ID.
 */
import { isProviderError, type ProviderError } from '../../providers/errors';
import { TencentCdnProvider } from '../../providers/tencent-cdn';
import type { TaskProvider, TaskStatus } from '../../providers/types';
import { CDN_LISTING_PAGE_SIZE, planCdnListing, shouldFetchNextPage, wholeListedStatuses, type CdnDueTask } from './cdn-listing-plan';

/** Bounds paging whatever the API reports as its total. */
const MAX_LISTING_PAGES = 50;

/** What a window listing found. */
export interface CdnWindowResult<T> {
  /** Tasks found whole in the listing, with their status. */
  readonly found: readonly { readonly task: T; readonly status: TaskStatus }[];
  /** Tasks still to describe one by one. */
  readonly rest: readonly T[];
  /** Listing calls made. */
  readonly calls: number;
  /** Set when the provider throttled a listing call; `found` still holds what earlier pages gave. */
  readonly throttled: ProviderError | null;
  /** Set when a listing call failed otherwise; every unmatched task is in `rest`. */
  readonly failed: unknown;
}

/** True when the provider can list CDN prefetch tasks by window. */
export function canListByWindow(provider: TaskProvider): provider is TencentCdnProvider {
  return provider instanceof TencentCdnProvider;
}

/**
 * Lists the window that holds `tasks` when that pays (see {@link planCdnListing}); otherwise
 * returns every task in `rest` without a call.
 */
export async function listCdnWindow<T extends CdnDueTask>(provider: TencentCdnProvider, tasks: readonly T[], now: number): Promise<CdnWindowResult<T>> {
  const plan = planCdnListing(tasks, now);
  if (!plan.window) return { found: [], rest: [...tasks], calls: 0, throttled: null, failed: null };
  const wanted = new Map<string, T>();
  for (const task of plan.listed) wanted.set(task.id, task);
  const pages: TaskStatus[][] = [];
  let fetchedRows = 0;
  let totalRows = 0;
  let calls = 0;
  let throttled: ProviderError | null = null;
  let failed: unknown = null;
  for (let page = 0; page < MAX_LISTING_PAGES; page += 1) {
    try {
      calls += 1;
      const answer = await provider.listPushTasks({ startTime: plan.window.start, endTime: plan.window.end, offset: fetchedRows, limit: CDN_LISTING_PAGE_SIZE });
      pages.push(answer.tasks);
      const rows = answer.tasks.reduce((sum, status) => sum + Math.max(1, status.items.length), 0);
      fetchedRows += rows;
      totalRows = answer.totalCount;
      if (rows === 0) totalRows = fetchedRows;
    } catch (error) {
      if (isProviderError(error) && error.code === 'throttled') throttled = error;
      else failed = error;
      break;
    }
    const seen = new Set(pages.flat().map((status) => status.id));
    const missing = [...wanted.keys()].filter((id) => !seen.has(id)).length;
    if (!shouldFetchNextPage({ totalRows, fetchedRows, missing })) break;
  }
  const whole = wholeListedStatuses(pages, throttled === null && failed === null && fetchedRows >= totalRows);
  const found: { task: T; status: TaskStatus }[] = [];
  const rest: T[] = [...plan.byId];
  for (const task of plan.listed) {
    const status = whole.get(task.id);
    if (status) found.push({ task, status });
    else rest.push(task);
  }
  return { found, rest, calls, throttled, failed };
}
