/**
 * Listing a kind's tasks by time window, for kinds whose provider has the optional
 * `listWindow` capability (see `TaskProvider.listWindow`; CDN prefetch and purge). One page
 * loop serves both users: the watch sweep, which lists the window holding many due tasks
 * instead of describing them one by one (its decisions are in `cdn-listing-plan.ts`), and
 * subscriptions, which read whole windows to find new tasks. Every page is one call through
 * the provider, so it spends the same rate budget as a describe by ID and is counted in
 * `/metrics` like one.
 */
import { isProviderError, type ProviderError } from '../../providers/errors';
import type { TaskProvider, TaskStatus, WindowListQuery } from '../../providers/types';
import { CDN_LISTING_PAGE_SIZE, planCdnListing, shouldFetchNextPage, wholeListedStatuses, type CdnDueTask } from './cdn-listing-plan';
import { mergeListedTasks } from '../subscriptions/subscription-filter';

/** A provider with the window-listing capability. */
export type WindowListingProvider = TaskProvider & Required<Pick<TaskProvider, 'listWindow'>>;

/** True when the provider can list its kind's tasks by time window. */
export function canListWindow(provider: TaskProvider): provider is WindowListingProvider {
  return typeof provider.listWindow === 'function';
}

/** Pages one due-task listing may read, whatever the API reports as its total. */
const MAX_DUE_LISTING_PAGES = 50;

/** Pages of one whole window read before it is split. */
export const MAX_WINDOW_PAGES = 10;

/** Windows are never split below one second, the API's time precision. */
const MIN_SPLIT_MS = 2000;

/** What the page loop read. */
interface PagesRead {
  /** Each page's statuses, in listing order. */
  readonly pages: TaskStatus[][];
  readonly fetchedRows: number;
  readonly calls: number;
  /** True when every row of the window was read. */
  readonly complete: boolean;
  /** The error of the call that stopped the loop, or null. */
  readonly error: unknown;
}

/**
 * The one page loop: reads `query` page by page from its first row until the listing is
 * exhausted, `maxPages` were read, a call fails, or `more` says the rest is not worth reading.
 * A task without items counts as one row.
 */
async function readPages(
  provider: WindowListingProvider,
  query: Omit<WindowListQuery, 'offset' | 'limit'>,
  maxPages: number,
  more: (pages: readonly TaskStatus[][], fetchedRows: number, totalRows: number) => boolean,
): Promise<PagesRead> {
  const pages: TaskStatus[][] = [];
  let fetchedRows = 0;
  let calls = 0;
  for (let page = 0; page < maxPages; page += 1) {
    let answer;
    try {
      calls += 1;
      answer = await provider.listWindow({ ...query, offset: fetchedRows, limit: CDN_LISTING_PAGE_SIZE });
    } catch (error) {
      return { pages, fetchedRows, calls, complete: false, error };
    }
    pages.push(answer.tasks);
    const rows = answer.tasks.reduce((sum, status) => sum + Math.max(1, status.items.length), 0);
    fetchedRows += rows;
    // An empty page ends the listing whatever total the API claims.
    const totalRows = rows === 0 ? fetchedRows : answer.totalCount;
    if (fetchedRows >= totalRows) return { pages, fetchedRows, calls, complete: true, error: null };
    if (!more(pages, fetchedRows, totalRows)) break;
  }
  return { pages, fetchedRows, calls, complete: false, error: null };
}

/** What a due-task listing found. */
export interface DueTaskListing<T> {
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

/**
 * Lists the window that holds `tasks` when that pays (see {@link planCdnListing}); otherwise
 * returns every task in `rest` without a call. Paging stops once the pages left would cost
 * more than describing the missing tasks by ID.
 */
export async function listDueTasksByWindow<T extends CdnDueTask>(provider: WindowListingProvider, tasks: readonly T[], now: number): Promise<DueTaskListing<T>> {
  const plan = planCdnListing(tasks, now);
  if (!plan.window) return { found: [], rest: [...tasks], calls: 0, throttled: null, failed: null };
  const wanted = new Set(plan.listed.map((task) => task.id));
  const read = await readPages(provider, { startTime: plan.window.start, endTime: plan.window.end }, MAX_DUE_LISTING_PAGES, (pages, fetchedRows, totalRows) => {
    const seen = new Set(pages.flat().map((status) => status.id));
    const missing = [...wanted].filter((id) => !seen.has(id)).length;
    return shouldFetchNextPage({ totalRows, fetchedRows, missing });
  });
  const throttled = isProviderError(read.error) && read.error.code === 'throttled' ? read.error : null;
  const failed = throttled === null ? read.error : null;
  const whole = wholeListedStatuses(read.pages, read.complete);
  const found: { task: T; status: TaskStatus }[] = [];
  const rest: T[] = [...plan.byId];
  for (const task of plan.listed) {
    const status = whole.get(task.id);
    if (status) found.push({ task, status });
    else rest.push(task);
  }
  return { found, rest, calls: read.calls, throttled, failed };
}

/** A whole window to list. `startMs`/`endMs` are inclusive epoch ms; the API compares at one-second precision. */
export interface WholeWindowQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly status?: string;
  readonly area?: string;
}

/**
 * Lists a whole window; resolves to one merged status per TaskId, or rejects with the first
 * failed call's error. A window with more rows than {@link MAX_WINDOW_PAGES} pages is split in
 * two and each half listed, so that a burst of tasks never pushes some off the end of a listing.
 */
export async function listWholeWindow(provider: WindowListingProvider, query: WholeWindowQuery, depth = 0): Promise<Map<string, TaskStatus>> {
  const read = await readPages(
    provider,
    {
      startTime: new Date(query.startMs),
      endTime: new Date(query.endMs),
      ...(query.status ? { status: query.status } : {}),
      ...(query.area ? { region: query.area } : {}),
    },
    MAX_WINDOW_PAGES,
    () => true,
  );
  if (read.error !== null) throw read.error;
  if (read.complete || depth >= 12 || query.endMs - query.startMs < MIN_SPLIT_MS) {
    // Cannot split further: what was read is kept, and the rest is read when it leaves this second.
    return mergeListedTasks(read.pages);
  }
  const middle = query.startMs + Math.floor((query.endMs - query.startMs) / 2);
  const [older, newer] = [await listWholeWindow(provider, { ...query, endMs: middle }, depth + 1), await listWholeWindow(provider, { ...query, startMs: middle }, depth + 1)];
  return mergeListedTasks([[...older.values()], [...newer.values()]]);
}
