/**
 * The pure decisions of subscriptions: which listed tasks match a subscription, how listings of
 * one TaskId split over pages or queries are merged. No I/O.
 */
import type { TaskItem, TaskStatus } from '../../providers/types';

/** The host of a URL, lowercased; null when it is not a URL. */
export function urlHost(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** The filters of a subscription that decide whether a task matches. */
export interface TaskFilter {
  /** Lowercase host, or null for every host. */
  readonly domain: string | null;
  /** Lowercase raw statuses, empty for every status. */
  readonly statuses: readonly string[];
  /** Tasks created before this (epoch ms) are not new to the subscription. */
  readonly createdAtMs: number;
}

/**
 * True when a task matches: created no earlier than the subscription (at the API's one-second
 * precision), with a URL on the domain, and with a URL in one of the statuses. Item names of
 * CDN tasks may carry an area suffix (`url (overseas)`), which is not part of the host.
 */
export function matchesFilter(filter: TaskFilter, task: TaskStatus): boolean {
  if (task.createdAt !== null) {
    const created = Date.parse(task.createdAt);
    if (Number.isFinite(created) && created < Math.floor(filter.createdAtMs / 1000) * 1000) return false;
  }
  const items = task.items.length > 0 ? task.items : [{ name: '', state: task.state, rawStatus: task.rawStatus, progress: task.progress }];
  if (filter.domain !== null && !items.some((item) => urlHost(item.name.split(' ')[0] ?? '') === filter.domain)) return false;
  if (filter.statuses.length > 0 && !items.some((item) => filter.statuses.includes(item.rawStatus.toLowerCase()))) return false;
  return true;
}

/** Merges listings of the same tasks (pages, windows, status queries) into one status per TaskId, items united by name. */
export function mergeListedTasks(listings: readonly (readonly TaskStatus[])[]): Map<string, TaskStatus> {
  const merged = new Map<string, TaskStatus>();
  for (const listing of listings) {
    for (const task of listing) {
      const earlier = merged.get(task.id);
      if (!earlier) {
        merged.set(task.id, task);
        continue;
      }
      const items = new Map<string, TaskItem>(earlier.items.map((item) => [item.name, item]));
      for (const item of task.items) if (!items.has(item.name)) items.set(item.name, item);
      const createdAt = [earlier.createdAt, task.createdAt].filter((time): time is string => time !== null).sort()[0] ?? null;
      merged.set(task.id, { ...earlier, items: [...items.values()], createdAt });
    }
  }
  return merged;
}
