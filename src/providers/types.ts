/**
 * The normalized task model that every chat surface, the CLI and the watch engine share.
 * Provider modules translate vendor responses into these types; nothing above
 * `src/providers` ever sees a vendor type.
 */
import type { ItemNote, TaskSummary } from './task-summary';

export type { ItemNote, TaskSummary } from './task-summary';

/**
 * Every task kind, one per cloud API, in the order help texts list them. The one list of their
 * names: `TaskKind` is read from it, and `KINDS` in `kinds.ts` must give each name its
 * descriptor and provider (the compiler checks).
 */
export const TASK_KINDS = ['cdn', 'dcdn', 'dts', 'purge', 'redis', 'tcss'] as const;

/** User-facing task kinds. */
export type TaskKind = (typeof TASK_KINDS)[number];

/** The clouds taskwatch talks to, as a list (for schemas). */
export const CLOUD_NAMES = ['tencent', 'alibaba'] as const;

/** Which cloud serves a kind. */
export type CloudName = (typeof CLOUD_NAMES)[number];

/** Normalized task state. `unknown` is used for any raw status the API documents do not list. */
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'unknown';

/** One URL (CDN) or object path (DCDN) inside a task, with its own status. */
export interface TaskItem {
  /** The URL or object path. */
  readonly name: string;
  readonly state: TaskState;
  /** The provider's status string, verbatim. */
  readonly rawStatus: string;
  /** 0-100, or null when the API gives none. */
  readonly progress: number | null;
  /**
   * Why the item failed or is special (e.g. the origin answered 4xx/5xx), as facts; worded by
   * `itemNoteText` (`src/chat/render/task-summary-text.ts`).
   */
  readonly note?: ItemNote;
}

/** The normalized status of one task at one moment. */
export interface TaskStatus {
  readonly kind: TaskKind;
  /** The task ID as the user gave it (TCSS: the TaskId the API reported, or "latest"). */
  readonly id: string;
  /** The account name the query ran under (`default` for the single-account environment). */
  readonly account: string;
  /** The region the query ran in, or null for region-less APIs. */
  readonly region: string | null;
  /** False when the provider has no such task (not found, aged out, TCSS `Task_NoExist`). */
  readonly found: boolean;
  readonly state: TaskState;
  /** True when the task can no longer change state. */
  readonly terminal: boolean;
  /** The provider's status string, verbatim (for CDN/DCDN: the aggregate's worst raw status). */
  readonly rawStatus: string;
  /** 0-100, or null when the API gives none. */
  readonly progress: number | null;
  /**
   * What there is to say about the task besides its state, as facts (e.g. item counts: worded
   * "Prefetch done for 3 URLs."), or null. Worded by `taskSummaryText`
   * (`src/chat/render/task-summary-text.ts`), which also gives the CLI's JSON its `message`.
   */
  readonly summary: TaskSummary | null;
  /** Per-URL/object details; empty for kinds without items. */
  readonly items: readonly TaskItem[];
  /** ISO-8601 creation/start time, when the API reports one. */
  readonly createdAt: string | null;
  /** ISO-8601 time of the last update the API reports, when it does. */
  readonly updatedAt: string | null;
  /** The provider's RequestId for this answer. */
  readonly requestId: string | null;
  /** ISO-8601 time taskwatch observed this status. */
  readonly observedAt: string;
  /**
   * A finer kind the cloud reports, when it reports one: the Redis `TaskType` (e.g.
   * `FLUSH_INSTANCE`), the CDN prefetch `Area`, the DCDN `ObjectType`. Absent otherwise. Used
   * to group task durations, whose spread differs by these far more than by account.
   */
  readonly subtype?: string;
}

/**
 * The ID that stands for "the account's latest task" with providers that take no ID (TCSS);
 * such a provider answers with the TaskId it reports, or this when it reports none.
 */
export const LATEST_TASK_ID = 'latest';

/** A reference to a task to query or watch. */
export interface TaskRef {
  readonly kind: TaskKind;
  readonly id: string;
  /** Region for region-scoped APIs; the account's default region applies when absent. */
  readonly region?: string;
  /** Account name; `default` when absent. */
  readonly account?: string;
}

/** Options for one provider call. */
export interface DescribeOptions {
  /** Region for the call; the provider falls back to its configured default. */
  readonly region?: string;
  /** Aborts waiting for the rate budget and the call. */
  readonly signal?: AbortSignal;
}

/** What {@link TaskProvider.listWindow} lists: tasks submitted between two instants. */
export interface WindowListQuery {
  readonly startTime: Date;
  readonly endTime: Date;
  /** A domain name or a complete URL starting with http(s)://. */
  readonly keyword?: string;
  /** A raw status to filter by, one of the kind's {@link KindSubscription.statuses}. */
  readonly status?: string;
  readonly offset?: number;
  readonly limit?: number;
  /** An area of the kind's {@link KindSubscription.areas}; other values are ignored. */
  readonly region?: string;
}

/** One page of a window listing. */
export interface TaskListPage {
  /** One status per TaskId, in the order the API first listed them. */
  readonly tasks: TaskStatus[];
  /** The API's `TotalCount` (rows, for paging). */
  readonly totalCount: number;
  readonly requestId: string | null;
}

/** One task API behind a uniform interface. Each module under src/providers implements it. */
export interface TaskProvider {
  readonly kind: TaskKind;
  /** The cloud API name, e.g. `cdn.DescribePushTasks`; also the rate-budget API label. */
  readonly api: string;
  /** How many IDs one API call can carry (DCDN 10, the others 1). */
  readonly maxIdsPerCall: number;
  /** True when the API needs a region (DTS, Redis). */
  readonly requiresRegion: boolean;
  /** False for TCSS, which reports the account's latest task and takes no ID. */
  readonly takesId: boolean;
  /**
   * Queries tasks. Returns one status per requested ID, in request order; a task the API
   * does not know comes back with `found: false` rather than an error. IDs beyond
   * `maxIdsPerCall` are split across calls. Throws {@link ProviderError} for whole-call failures.
   */
  describe(ids: readonly string[], options?: DescribeOptions): Promise<TaskStatus[]>;
  /**
   * Optional capability, present when the kind's descriptor says `listsByWindow`: lists one
   * page of the account's tasks created in a time window, grouped by TaskId (`offset` and
   * `limit` page over the API's rows). Watch sweeps use it to check many tasks in a few calls,
   * subscriptions to find new tasks. Throws {@link ProviderError} like `describe`.
   */
  listWindow?(query: WindowListQuery, options?: { signal?: AbortSignal }): Promise<TaskListPage>;
}

/** Every state that ends a task. */
export function isTerminalState(state: TaskState): boolean {
  return state === 'succeeded' || state === 'failed';
}

/** Looks up the provider for a kind under a named account. */
export interface ProviderRegistry {
  /**
   * Returns the provider for `kind` under `account` (default `default`).
   * Throws a ProviderError with code `not_configured` when that cloud account has no credentials.
   */
  get(kind: TaskKind, account?: string): TaskProvider;
  /** Names of the accounts configured for a cloud. */
  accountNames(cloud: CloudName): string[];
  /** The default region of an account, if it has one. */
  defaultRegion(kind: TaskKind, account?: string): string | null;
}
