/**
 * Task IDs recently seen in each Discord server, for `/task-status` autocomplete. Held in
 * memory and bounded twice (IDs per server, servers in all), least recently used first out,
 * so a busy bot cannot grow it without limit. Losing it on restart costs only suggestions.
 */
import type { TaskKind } from '../../providers/types';

/** One remembered task. */
export interface RecentTask {
  readonly kind: TaskKind;
  readonly id: string;
}

/** Bounds of {@link RecentTaskIds}. */
export interface RecentTaskIdsOptions {
  /** IDs kept per server (default 100). */
  readonly perGuild?: number;
  /** Servers kept (default 500). */
  readonly guilds?: number;
}

/** Discord's limit on autocomplete choices. */
export const MAX_AUTOCOMPLETE_CHOICES = 25;

/** A bounded, per-server most-recently-used list of task IDs. */
export class RecentTaskIds {
  private readonly perGuild: number;
  private readonly guildLimit: number;
  // Map iteration order is insertion order: re-inserting moves an entry to the newest end.
  private readonly guilds = new Map<string, Map<string, RecentTask>>();

  constructor(options: RecentTaskIdsOptions = {}) {
    this.perGuild = Math.max(1, options.perGuild ?? 100);
    this.guildLimit = Math.max(1, options.guilds ?? 500);
  }

  /** Remembers tasks seen in a server, newest last. */
  remember(guildId: string, tasks: readonly RecentTask[]): void {
    if (tasks.length === 0) return;
    let entries = this.guilds.get(guildId);
    if (entries) this.guilds.delete(guildId);
    else entries = new Map();
    this.guilds.set(guildId, entries);
    for (const task of tasks) {
      const key = `${task.kind}:${task.id}`;
      entries.delete(key);
      entries.set(key, { kind: task.kind, id: task.id });
      if (entries.size > this.perGuild) entries.delete(entries.keys().next().value as string);
    }
    while (this.guilds.size > this.guildLimit) this.guilds.delete(this.guilds.keys().next().value as string);
  }

  /**
   * Tasks seen in a server, most recent first, optionally of one kind and containing `typed`
   * (case-insensitive); at most `limit`.
   */
  suggest(guildId: string, typed: string, kind: TaskKind | null, limit: number = MAX_AUTOCOMPLETE_CHOICES): RecentTask[] {
    const entries = this.guilds.get(guildId);
    if (!entries) return [];
    const needle = typed.trim().toLowerCase();
    const found: RecentTask[] = [];
    for (const task of [...entries.values()].reverse()) {
      if (found.length >= limit) break;
      if (kind !== null && task.kind !== kind) continue;
      if (needle !== '' && !task.id.toLowerCase().includes(needle)) continue;
      found.push(task);
    }
    return found;
  }
}
