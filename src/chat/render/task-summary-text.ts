/**
 * The words of a task status besides its state: the one place a status's summary
 * ({@link TaskSummary}, e.g. item counts, why a task is missing) and an item's note
 * ({@link ItemNote}) become sentences, for Slack, Discord, the terminal and the CLI's JSON alike.
 * Providers hand up facts; nothing below `src/chat` writes these sentences. Plain text: each
 * surface escapes it for its markup. The cloud's own words (DTS `Info`, a DCDN `Description`, a
 * Redis `TaskMessage`) and a sentence an older release stored are passed through as written.
 */
import { cloudLabel, kindDescriptor } from '../../providers/kinds';
import type { ItemCountsSummary, ItemNote, ItemOperation, LatestTaskOperation, ResourceTaskSummary, TaskSummary } from '../../providers/task-summary';
import type { TaskItem, TaskStatus } from '../../providers/types';

/** The parts of a status its summary is worded from. */
export type SummarySubject = Pick<TaskStatus, 'kind' | 'id' | 'region' | 'state' | 'rawStatus' | 'summary'> & { readonly items?: readonly TaskItem[] };

/** An item operation in sentences: what leads them (null: said without it) and a failed item's note. */
const ITEM_OPERATION_WORDS: Readonly<Record<ItemOperation, { readonly lead: string | null; readonly task: string; readonly itemFailed: string }>> = {
  prefetch: { lead: 'Prefetch', task: 'prefetch task', itemFailed: 'prefetch failed' },
  purge: { lead: 'Purge', task: 'purge task', itemFailed: 'purge failed' },
  refresh: { lead: null, task: 'refresh task', itemFailed: 'refresh failed' },
};

/** The task of an API that answers the account's latest task, as a subject and as a missing thing. */
const LATEST_TASK_WORDS: Readonly<Record<LatestTaskOperation, { readonly task: string; readonly missing: string }>> = {
  asset_refresh: { task: 'asset refresh task', missing: 'asset-refresh task' },
};

/** What the latest task is doing, by state. */
const LATEST_TASK_OUTCOMES = { pending: 'is queued', running: 'is running', succeeded: 'finished', failed: 'ended with an error' } as const;

/** `1 URL`, `3 objects`, in the kind's item noun. */
function countOf(kind: TaskStatus['kind'], count: number): string {
  const noun = kindDescriptor(kind).itemNoun ?? { one: 'item', many: 'items' };
  return `${count} ${count === 1 ? noun.one : noun.many}`;
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** What an item's note says, e.g. `origin answered with a 4xx/5xx status`. */
export function itemNoteText(note: ItemNote): string {
  switch (note.fact) {
    case 'item_failed':
      return ITEM_OPERATION_WORDS[note.operation].itemFailed;
    case 'origin_refused':
      return 'origin answered with a 4xx/5xx status';
    case 'vendor_text':
    case 'written':
      return note.text;
  }
}

/** An item's note in words, or null when it has none. */
export function itemNoteTextOf(item: Pick<TaskItem, 'note'>): string | null {
  return item.note ? itemNoteText(item.note) : null;
}

function itemCountsText(subject: SummarySubject, counts: ItemCountsSummary): string {
  const { lead } = ITEM_OPERATION_WORDS[counts.operation];
  const all = countOf(subject.kind, counts.total);
  const alsoFailed = counts.failed > 0 ? `, ${counts.failed} failed` : '';
  const product = kindDescriptor(subject.kind).productName;
  if (lead !== null) {
    switch (subject.state) {
      case 'succeeded':
        return `${lead} done for ${all}.`;
      case 'running':
      case 'pending':
        return `${lead} in progress: ${counts.succeeded} of ${all} done${alsoFailed}.`;
      case 'failed': {
        const refused = counts.originRefused;
        const origin = refused > 0 ? ` (the origin answered with a 4xx/5xx status for ${refused === counts.failed && refused === 1 ? 'it' : countOf(subject.kind, refused)})` : '';
        return `${lead} failed for ${counts.failed} of ${all}${origin}.`;
      }
      case 'unknown':
        return `${lead} status "${subject.rawStatus}" is not one the ${product} API documents; shown as reported.`;
    }
  }
  switch (subject.state) {
    case 'succeeded':
      return `Complete for ${all}.`;
    case 'pending':
      return `Waiting to start (${all}).`;
    case 'running':
      return `In progress: ${counts.succeeded} of ${all} done${alsoFailed}.`;
    case 'failed': {
      const firstFailed = subject.items?.find((item) => item.state === 'failed');
      const reason = firstFailed ? itemNoteTextOf(firstFailed) : null;
      return `Failed for ${counts.failed} of ${all}${reason ? `: ${reason}` : ''}.`;
    }
    case 'unknown':
      return `Status "${subject.rawStatus}" is not one the ${product} API documents; shown as reported.`;
  }
}

function stateOnlyText(subject: SummarySubject): string {
  const product = kindDescriptor(subject.kind).productName;
  switch (subject.state) {
    case 'running':
      return `${product} task is running.`;
    case 'succeeded':
      return `${product} task succeeded.`;
    case 'failed':
      return `${product} task failed.`;
    default:
      return `${product} status "${subject.rawStatus}" is not one the API documents; shown as reported.`;
  }
}

/** "<task type> on <resource>: <outcome> (<the cloud's note>).", leaving out what the cloud left empty. */
function resourceTaskText(subject: SummarySubject, task: ResourceTaskSummary): string {
  const taskType = task.taskType ?? `${kindDescriptor(subject.kind).productName} task`;
  const who = task.resourceId ? `${taskType} on ${task.resourceId}` : taskType;
  const outcome =
    subject.state === 'unknown'
      ? `status "${subject.rawStatus}" is not one the API documents; shown as reported`
      : { pending: 'waiting to run', running: 'running', succeeded: 'succeeded', failed: task.stoppedOnError ? 'stopped on an error' : 'failed' }[subject.state];
  return `${who}: ${outcome}${task.vendorNote ? ` (${task.vendorNote})` : ''}.`;
}

/** A retention in whole days, e.g. `3 days`. */
function daysText(ms: number): string {
  const days = Math.round(ms / 86_400_000);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/**
 * What there is to say about a task besides its state, e.g. `Prefetch done for 3 URLs.`; empty
 * when its status has no summary. Every surface shows this text where a status has its message,
 * and `taskwatch status --json` gives it as `message`.
 */
export function taskSummaryText(subject: SummarySubject): string {
  const summary: TaskSummary | null = subject.summary;
  if (summary === null) return '';
  const product = kindDescriptor(subject.kind).productName;
  switch (summary.fact) {
    case 'item_counts':
      return itemCountsText(subject, summary);
    case 'vendor_text':
    case 'written':
      return summary.text;
    case 'state_only':
      return stateOnlyText(subject);
    case 'resource_task':
      return resourceTaskText(subject, summary);
    case 'latest_task': {
      const { task } = LATEST_TASK_WORDS[summary.operation];
      const who = summary.reportedId ? `${capitalized(task)} ${subject.id}` : `The latest ${task}`;
      const outcome = subject.state === 'unknown' ? `has status "${subject.rawStatus}", which the API does not document; shown as reported` : LATEST_TASK_OUTCOMES[subject.state];
      return `${who} ${outcome}.`;
    }
    case 'not_in_log':
      return `${cloudLabel(subject.kind)} ${product} has no ${ITEM_OPERATION_WORDS[summary.operation].task} with this ID (it may be mistyped, belong to another account, or be too old).`;
    case 'not_in_region':
      return subject.region ? `${product} has no task with this ID in ${subject.region}.` : `${product} has no task with this ID.`;
    case 'not_retained': {
      const days = daysText(summary.retentionMs);
      return `${product} task ${subject.id}: not found, or older than ${days} (${product} keeps only the last ${days}).`;
    }
    case 'no_latest_task':
      return `No ${LATEST_TASK_WORDS[summary.operation].missing} exists for this account.`;
  }
}

/** One item as `taskwatch status --json` prints it: its note worded as `message`. */
export interface WordedTaskItem {
  readonly name: string;
  readonly state: TaskItem['state'];
  readonly rawStatus: string;
  readonly progress: number | null;
  readonly message?: string;
}

/**
 * A status as `taskwatch status --json` prints it (a documented contract): the fields of
 * {@link TaskStatus} in their order, with the summary worded as `message` and each item's note
 * as its `message`, exactly as before statuses carried facts.
 */
export type WordedTaskStatus = Omit<TaskStatus, 'summary' | 'items'> & { readonly message: string; readonly items: readonly WordedTaskItem[] };

/** See {@link WordedTaskStatus}. */
export function wordedStatus(status: TaskStatus): WordedTaskStatus {
  return {
    kind: status.kind,
    id: status.id,
    account: status.account,
    region: status.region,
    found: status.found,
    state: status.state,
    terminal: status.terminal,
    rawStatus: status.rawStatus,
    progress: status.progress,
    message: taskSummaryText(status),
    items: status.items.map((item) => {
      const message = itemNoteTextOf(item);
      return { name: item.name, state: item.state, rawStatus: item.rawStatus, progress: item.progress, ...(message === null ? {} : { message }) };
    }),
    createdAt: status.createdAt,
    updatedAt: status.updatedAt,
    requestId: status.requestId,
    observedAt: status.observedAt,
    ...(status.subtype !== undefined ? { subtype: status.subtype } : {}),
  };
}
