/**
 * Names of everything the watch engine keeps in Redis, and the IDs derived from a task and a
 * channel. IDs are hashes so that they never contain `:` (BullMQ refuses it in job IDs) and so
 * that the same task in the same channel always yields the same watch ID: watching twice
 * cannot double a watch, even from two processes at once.
 */
import { createHash } from 'node:crypto';
import type { TaskKind } from '../../providers/types';

/** Version of the records this release writes; readers check it (2: compact statuses, trimmed history). */
export const RECORD_VERSION = 2;

/** Record versions this release reads: its own and every earlier one. */
export const READABLE_RECORD_VERSIONS: readonly number[] = [1, 2];

/** Version of the job data (sweep and delivery jobs) this release writes and reads; unchanged since version 1. */
export const JOB_VERSION = 1;

/** A task as the engine polls it: kind, account and region resolved. */
export interface ResolvedTask {
  readonly kind: TaskKind;
  readonly account: string;
  /** Null for region-less APIs (CDN, DCDN, TCSS). */
  readonly region: string | null;
  readonly id: string;
}

function digest(text: string, length: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length);
}

/** The stable key of a polled task: one per (kind, account, region, ID). */
export function taskKeyOf(task: ResolvedTask): string {
  return `${task.kind}-${digest(`${task.kind}|${task.account}|${task.region ?? '-'}|${task.id}`, 20)}`;
}

/** The poll group of a task: tasks of one kind, account and region share one sweep job and one quota. */
export function groupIdOf(task: Pick<ResolvedTask, 'kind' | 'account' | 'region'>): string {
  return `${task.kind}-${digest(`${task.kind}|${task.account}|${task.region ?? '-'}`, 12)}`;
}

/** The watch (subscriber) ID of a task in a channel; `channel` is `<platform>:<channelId>`. */
export function watchIdOf(taskKey: string, channel: string): string {
  return `w${digest(`${taskKey}|${channel}`, 15)}`;
}

/** Redis key names under one namespace (the queue prefix plus `:tw`). */
export class WatchKeys {
  constructor(private readonly namespace: string) {}

  /** Hash: the task record. */
  task(taskKey: string): string {
    return `${this.namespace}:task:${taskKey}`;
  }

  /**
   * String: the task's current status (version 2). Kept apart from the task hash so that the
   * hash, all short values, stays in Redis's compact encoding (a value over 64 bytes would turn
   * the whole hash into a hash table, twice the size).
   */
  status(taskKey: string): string {
    return `${this.namespace}:task:${taskKey}:status`;
  }

  /** Hash: seq -> status, the past statuses of a task that a subscriber may still need (never the current one in version 2). */
  history(taskKey: string): string {
    return `${this.namespace}:task:${taskKey}:history`;
  }

  /** Set: active watch IDs of a task. */
  subscribers(taskKey: string): string {
    return `${this.namespace}:task:${taskKey}:subscribers`;
  }

  /** Hash: one watch (subscriber) record. */
  watch(watchId: string): string {
    return `${this.namespace}:watch:${watchId}`;
  }

  /** String, short-lived: the token of the command subscribing this watch (see RESERVE_WATCH). */
  reservation(watchId: string): string {
    return `${this.namespace}:watch:${watchId}:reserved`;
  }

  /** Set: active watch IDs of a channel. */
  channel(channel: string): string {
    return `${this.namespace}:channel:${channel}`;
  }

  /** Sorted set: task keys of a poll group scored by their next check (epoch ms). */
  due(groupId: string): string {
    return `${this.namespace}:due:${groupId}`;
  }

  /** Hash: group ID -> JSON of its kind, account and region. */
  groups(): string {
    return `${this.namespace}:groups`;
  }

  /** String: how many watches are active. */
  activeCount(): string {
    return `${this.namespace}:active-watches`;
  }

  /** Sorted set: watch IDs with something to deliver, scored by when it was noted. */
  outbox(): string {
    return `${this.namespace}:outbox`;
  }

  /** String: how many deliveries to a channel failed in a row (an outage), for the retry back-off. */
  outage(channel: string): string {
    return `${this.namespace}:outage:${channel}`;
  }

  /** String: the earliest time (epoch ms) the next message may go to a channel. */
  pace(channel: string): string {
    return `${this.namespace}:pace:${channel}`;
  }
}
