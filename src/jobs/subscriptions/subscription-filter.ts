/**
 * The pure decisions of subscriptions: which listed tasks match a subscription, how listings of
 * one TaskId split over pages or queries are merged, and what the mute summary says. No I/O.
 */
import type { TaskItem, TaskState, TaskStatus } from '../../providers/types';
import type { ChannelSummary, WatchEndReason } from '../notifier';

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

/** A watched task whose notifications a mute held. */
export interface HeldChange {
  readonly kind: string;
  readonly id: string;
  /** The state the channel last heard of, or null when it had only seen the card. */
  readonly from: TaskState | null;
  readonly to: TaskState;
  readonly rawStatus: string;
  readonly endReason: WatchEndReason | null;
}

/** A task a subscription found while the channel was muted. */
export interface HeldNewTask {
  readonly kind: string;
  readonly id: string;
  readonly state: TaskState;
  readonly rawStatus: string;
}

/** Builds the one message that sums up a mute. */
export function buildMuteSummary(input: { readonly mutedAt: string; readonly endedAt: string; readonly changes: readonly HeldChange[]; readonly newTasks: readonly HeldNewTask[] }): ChannelSummary {
  const lines: string[] = [];
  for (const task of input.newTasks) {
    lines.push(`New ${task.kind} task ${task.id}: ${task.state}${task.rawStatus ? ` (${task.rawStatus})` : ''}. Not watched; use /task-status watch ${task.kind} ${task.id} to follow it.`);
  }
  for (const change of input.changes) {
    const ended = change.endReason ? `; watch ended (${change.endReason})` : '';
    lines.push(`${change.kind} ${change.id}: ${change.from ?? 'new'} -> ${change.to}${change.rawStatus ? ` (${change.rawStatus})` : ''}${ended}`);
  }
  const span = `${input.mutedAt.slice(0, 16).replace('T', ' ')} to ${input.endedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const title =
    lines.length === 0
      ? `Notifications are back on. Nothing happened while this channel was muted (${span}).`
      : `Notifications are back on. While this channel was muted (${span}):`;
  return { title, lines };
}
