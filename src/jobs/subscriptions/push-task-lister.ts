/**
 * Lists every CDN prefetch task of a time window through `DescribePushTasks`, paged with
 * `Offset`/`Limit`. Each call goes through the provider, so through the shared rate budget.
 * A window with more rows than {@link MAX_PAGES} pages is split in two and each half listed,
 * so that a burst of prefetches never pushes tasks off the end of a listing.
 */
import type { PushTaskPage, PushTaskQuery } from '../../providers/tencent-cdn';
import type { TaskProvider, TaskStatus } from '../../providers/types';
import { mergeListedTasks } from './subscription-filter';

/** The CDN provider's listing method; any provider object that has it (the instrumented proxy included). */
export interface PushTaskListing {
  listPushTasks(query: PushTaskQuery, options?: { signal?: AbortSignal }): Promise<PushTaskPage>;
}

/** Rows per page: the API's maximum `Limit`. */
export const PAGE_LIMIT = 100;

/** Pages listed for one window before it is split. */
export const MAX_PAGES = 10;

/** Windows are never split below one second, the API's time precision. */
const MIN_SPLIT_MS = 2000;

/** True when a provider can list prefetch tasks by time window. */
export function canListPushTasks(provider: TaskProvider): provider is TaskProvider & PushTaskListing {
  return typeof (provider as Partial<PushTaskListing>).listPushTasks === 'function';
}

/** What to list. `startMs`/`endMs` are inclusive epoch ms; the API compares at one-second precision. */
export interface WindowQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly status?: string;
  readonly area?: string;
}

/** Lists a whole window; resolves to one merged status per TaskId. */
export async function listPushWindow(listing: PushTaskListing, query: WindowQuery, depth = 0): Promise<Map<string, TaskStatus>> {
  const pages: TaskStatus[][] = [];
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await listing.listPushTasks({
      startTime: new Date(query.startMs),
      endTime: new Date(query.endMs),
      offset,
      limit: PAGE_LIMIT,
      ...(query.status ? { status: query.status } : {}),
      ...(query.area ? { region: query.area } : {}),
    });
    pages.push(answer.tasks);
    const rows = answer.tasks.reduce((sum, task) => sum + Math.max(1, task.items.length), 0);
    offset += rows;
    if (rows === 0 || offset >= answer.totalCount) return mergeListedTasks(pages);
  }
  if (depth >= 12 || query.endMs - query.startMs < MIN_SPLIT_MS) {
    // Cannot split further: what was read is kept, and the rest is read when it leaves this second.
    return mergeListedTasks(pages);
  }
  const middle = query.startMs + Math.floor((query.endMs - query.startMs) / 2);
  const [older, newer] = [await listPushWindow(listing, { ...query, endMs: middle }, depth + 1), await listPushWindow(listing, { ...query, startMs: middle }, depth + 1)];
  return mergeListedTasks([[...older.values()], [...newer.values()]]);
}
