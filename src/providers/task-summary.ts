/**
 * What a provider says about a task besides its state, as facts rather than words: counts of
 * items by state, the cloud's own text passed through verbatim, why a task is missing. Providers
 * hand these up on `TaskStatus.summary` and `TaskItem.note` (`types.ts`); one module,
 * `src/chat/render/task-summary-text.ts`, words them for every surface (Slack, Discord, the
 * terminal, the CLI's `message` fields). A provider never writes a sentence here (`npm run lint`).
 */
/**
 * What was done to a multi-item task's items, for its words: a CDN prefetch (`prefetch`), a CDN
 * purge (`purge`), a DCDN refresh or prefetch (`refresh`, worded without naming the operation).
 */
export const ITEM_OPERATIONS = ['prefetch', 'purge', 'refresh'] as const;

/** See {@link ITEM_OPERATIONS}. */
export type ItemOperation = (typeof ITEM_OPERATIONS)[number];

/** A multi-item task (CDN URLs, DCDN object paths): how many items are in which state. */
export interface ItemCountsSummary {
  readonly fact: 'item_counts';
  readonly operation: ItemOperation;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed items whose origin answered 4xx/5xx (CDN prefetch `invalid`); 0 for other operations. */
  readonly originRefused: number;
}

/** The cloud's own words about the task (DTS `Info`), shown verbatim. */
export interface VendorTextSummary {
  readonly fact: 'vendor_text';
  readonly text: string;
}

/** Nothing but the task's state and raw status to tell (DTS without `Info`). */
export interface StateOnlySummary {
  readonly fact: 'state_only';
}

/**
 * A task run on one cloud resource (Redis `DescribeTaskInfo`): the cloud's task type, the
 * instance, and its own note, each verbatim and absent when the cloud left it empty.
 */
export interface ResourceTaskSummary {
  readonly fact: 'resource_task';
  readonly taskType?: string;
  readonly resourceId?: string;
  readonly vendorNote?: string;
  /** True when the task stopped on an error rather than failing (Redis `error`, "running error"). */
  readonly stoppedOnError: boolean;
}

/** What an API that answers the account's latest task does: a TCSS asset refresh (`asset_refresh`). */
export type LatestTaskOperation = 'asset_refresh';

/**
 * The account's latest task of an API that takes no ID (TCSS asset refresh). `reportedId` is
 * false when the cloud named no TaskId (the status's ID is then `latest`).
 */
export interface LatestTaskSummary {
  readonly fact: 'latest_task';
  readonly operation: LatestTaskOperation;
  readonly reportedId: boolean;
}

/** A CDN task log (prefetch, purge) has no rows for the ID. */
export interface NotInLogSummary {
  readonly fact: 'not_in_log';
  readonly operation: Exclude<ItemOperation, 'refresh'>;
}

/** A regional API knows no task with the ID in the status's region (DTS, Redis). */
export interface NotInRegionSummary {
  readonly fact: 'not_in_region';
}

/**
 * The cloud did not report the task, and cannot tell "never existed" from "older than it keeps"
 * (DCDN keeps `retentionMs`, 3 days).
 */
export interface NotRetainedSummary {
  readonly fact: 'not_retained';
  readonly retentionMs: number;
}

/** An API that answers the account's latest task has none at all (TCSS `Task_NoExist`). */
export interface NoLatestTaskSummary {
  readonly fact: 'no_latest_task';
  readonly operation: LatestTaskOperation;
}

/** A sentence an older release stored with the status (its `message`), shown as written. */
export interface WrittenSummary {
  readonly fact: 'written';
  readonly text: string;
}

/** What a status says besides its state, as facts; `TaskStatus.summary` is null when there is nothing. */
export type TaskSummary =
  | ItemCountsSummary
  | VendorTextSummary
  | StateOnlySummary
  | ResourceTaskSummary
  | LatestTaskSummary
  | NotInLogSummary
  | NotInRegionSummary
  | NotRetainedSummary
  | NoLatestTaskSummary
  | WrittenSummary;

/** A failed item, in the operation's words (`prefetch failed`). */
export interface ItemFailedNote {
  readonly fact: 'item_failed';
  readonly operation: ItemOperation;
}

/** The origin answered 4xx/5xx, so nothing was cached (CDN prefetch `invalid`). */
export interface OriginRefusedNote {
  readonly fact: 'origin_refused';
}

/** What an item says besides its state, as facts (`TaskItem.note`). */
export type ItemNote = ItemFailedNote | OriginRefusedNote | VendorTextSummary | WrittenSummary;
