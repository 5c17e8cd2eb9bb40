/**
 * The pure decisions of watching: whether a new status is worth telling, which items changed,
 * when to look again, and whether (and for which reason) a watch ends. No I/O here, so every
 * rule is unit-tested on its own. An ending is facts ({@link WatchEndFacts}); the words are
 * `src/chat/render/watch-end-text.ts`'s.
 */
import type { ProviderError } from '../../providers/errors';
import { kindDescriptor } from '../../providers/kinds';
import { LATEST_TASK_ID, type TaskItem, type TaskState, type TaskStatus } from '../../providers/types';
import type { DeliveryCapabilities, TransitionNotice, WatchEndReason } from '../notifier';
import type { ProviderFailureRecord, WatchEndFacts } from './watch-end-facts';
import type { ProgressDelivery, WatchRecord } from './watch-records';

/** Items whose state, raw status or progress differ from the previous status (new items included). */
export function changedItems(previous: TaskStatus | null, current: TaskStatus): TaskItem[] {
  const before = new Map((previous?.items ?? []).map((item) => [item.name, item]));
  return current.items.filter((item) => {
    const old = before.get(item.name);
    return !old || old.state !== item.state || old.rawStatus !== item.rawStatus || old.progress !== item.progress;
  });
}

/** True when `current` differs from `previous` in a way a channel should hear about. */
export function isWorthTelling(previous: TaskStatus | null, current: TaskStatus): boolean {
  if (previous === null) return true;
  if (previous.found !== current.found || previous.state !== current.state || previous.rawStatus !== current.rawStatus) return true;
  if (previous.progress !== current.progress) return true;
  return changedItems(previous, current).length > 0 || previous.items.length !== current.items.length;
}

/**
 * True when a change deserves a thread reply: the task's state changed (on the way, too), an
 * item failed inside it, or the watch ends. Progress alone does not: the card is edited to show
 * it, and the thread stays a list of things that happened; unless the watch asked for every
 * progress step (`progress` `thread`), when every change worth telling is a reply.
 */
export function deservesThreadReply(
  previous: TaskStatus | null,
  current: TaskStatus,
  between: readonly TaskState[],
  ending: WatchEnding | null,
  progress: ProgressDelivery = 'card',
): boolean {
  if (ending !== null) return true;
  // The first observation only fills in the card.
  if (previous === null) return false;
  if (previous.found !== current.found || previous.state !== current.state) return true;
  if (between.some((state) => state !== previous.state)) return true;
  if (progress === 'thread' && isWorthTelling(previous, current)) return true;
  return newlyFailedItems(previous, current).length > 0;
}

/**
 * Whether the platform may edit the watch's card at `now` (engine clock): it edits, and the card
 * is younger than its edit window. A card of unknown age (posted elsewhere, or by an earlier
 * release) is as old as the watch.
 */
export function cardEditable(capabilities: DeliveryCapabilities | undefined, watch: Pick<WatchRecord, 'cardPostedAt' | 'startedAt'>, now: number): boolean {
  if (capabilities?.edits === false) return false;
  const windowMs = capabilities?.editWindowMs ?? null;
  if (windowMs === null) return true;
  const postedAt = watch.cardPostedAt ?? Date.parse(watch.startedAt);
  return Number.isFinite(postedAt) && now - postedAt < windowMs;
}

/** Items that are failed now and were not before (new items included). */
export function newlyFailedItems(previous: TaskStatus | null, current: TaskStatus): TaskItem[] {
  const before = new Map((previous?.items ?? []).map((item) => [item.name, item]));
  return current.items.filter((item) => item.state === 'failed' && before.get(item.name)?.state !== 'failed');
}

/**
 * True when `stored` was observed after `observed`: the observation is stale, e.g. made by a
 * sweep that overlapped a later one (a sweep whose job lock expired under load runs again while
 * the first is still finishing). A stale observation must never be recorded over a newer one.
 */
export function isOlderObservation(stored: TaskStatus | null, observed: TaskStatus): boolean {
  if (stored === null) return false;
  const storedAt = Date.parse(stored.observedAt);
  const observedAt = Date.parse(observed.observedAt);
  return Number.isFinite(storedAt) && Number.isFinite(observedAt) && storedAt > observedAt;
}

/**
 * The pause before the next check of a task: quick at first, then a tenth of the time it has
 * been polled (a task running for ten minutes is checked once a minute), bounded by the
 * configured minimum and maximum.
 *
 * `tasksPerCall` is how many tasks one provider call answers for in this task's poll group
 * (DCDN 10 IDs, a CDN listing page 100 rows; 1 for one-ID APIs). The back-off saves quota, and
 * a check that rides in a shared call costs that fraction of a call, so it backs off that many
 * times more slowly: batched tasks stay quick for the hours a one-ID task needs minutes for.
 */
export function nextIntervalMs(pollingForMs: number, bounds: { readonly intervalMs: number; readonly maxIntervalMs: number }, tasksPerCall = 1): number {
  const adaptive = Math.round(Math.max(0, pollingForMs) / (10 * Math.max(1, tasksPerCall)));
  return Math.min(bounds.maxIntervalMs, Math.max(bounds.intervalMs, adaptive));
}

/** The pause after throttling: doubling per consecutive throttled sweep, never less than the provider asked. */
export function throttleDelayMs(level: number, retryAfterMs: number | undefined, bounds: { readonly intervalMs: number; readonly maxIntervalMs: number }): number {
  const doubled = bounds.intervalMs * 2 ** Math.min(Math.max(level, 1), 16);
  return Math.max(retryAfterMs ?? 0, Math.min(bounds.maxIntervalMs, doubled));
}

/** An ending decided for a task or a watch. */
export interface WatchEnding {
  readonly reason: WatchEndReason;
  /**
   * Why, as facts for the chat surfaces to word; null when the reason says it all: a watch
   * given up on (`channel_gone`, or a deadline passed while its channel stayed unreachable),
   * and `replaced`, whose newer task is `replacedBy` (kept on the task record).
   */
  readonly facts: WatchEndFacts | null;
  /** For `replaced`: the ID of the newer task. */
  readonly replacedBy?: string;
}

/** Decides whether an observed status ends the task's watches. `now` is epoch ms on the engine's clock. */
export function endingForStatus(status: TaskStatus, everFound: boolean, now: number): WatchEnding | null {
  const retentionMs = kindDescriptor(status.kind).retentionMs;
  if (!status.found) {
    if (everFound && retentionMs !== undefined) {
      return { reason: 'aged_out', facts: { fact: 'beyond_retention', kind: status.kind, retentionMs, seen: 'unreported' } };
    }
    const answer = { kind: status.kind, id: status.id, region: status.region, rawStatus: status.rawStatus, summary: status.summary };
    return { reason: 'not_found', facts: { fact: 'task_missing', everFound, answer } };
  }
  if (retentionMs !== undefined && status.createdAt !== null) {
    const created = Date.parse(status.createdAt);
    if (Number.isFinite(created) && now - created > retentionMs) {
      return { reason: 'aged_out', facts: { fact: 'beyond_retention', kind: status.kind, retentionMs, seen: 'too_old' } };
    }
  }
  if (status.terminal) return { reason: 'terminal', facts: { fact: 'task_finished', state: status.state } };
  return null;
}

/**
 * The ID of the task that replaced the watched one, or null when the answer is about the
 * watched task (or cannot be told apart). Only for providers that take no ID and answer about
 * the account's latest task (TCSS): a newer task takes the answer over, and its status must
 * never be told as the watched task's. The watched task is the ID watched, or, for a watch of
 * "the latest task", the task its first answer named.
 */
export function replacingTaskId(task: { readonly id: string; readonly status: TaskStatus | null }, observed: TaskStatus): string | null {
  if (!observed.found || observed.id === LATEST_TASK_ID) return null;
  const pinned = task.id !== LATEST_TASK_ID ? task.id : task.status?.found && task.status.id !== LATEST_TASK_ID ? task.status.id : null;
  return pinned !== null && observed.id !== pinned ? observed.id : null;
}

/** The ending of a watch whose task was replaced by `replacedBy`. */
export function replacedEnding(replacedBy: string): WatchEnding {
  return { reason: 'replaced', facts: null, replacedBy };
}

/** Decides whether a provider error ends the watches of the tasks in that call; null for passing troubles. */
export function endingForError(error: ProviderError): WatchEnding | null {
  const failure: ProviderFailureRecord = {
    facts: error.facts,
    ...(error.providerCode !== undefined ? { providerCode: error.providerCode } : {}),
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
    ...(error.api !== undefined ? { api: error.api } : {}),
  };
  const facts: WatchEndFacts = { fact: 'provider_refused', code: error.code, failure };
  switch (error.code) {
    case 'auth_failed':
      return { reason: 'auth_failed', facts };
    case 'not_found':
      return { reason: 'not_found', facts };
    case 'permission_denied':
    case 'invalid_request':
    case 'not_configured':
      return { reason: 'error', facts };
    default:
      return error.retryable ? null : { reason: 'error', facts };
  }
}

/** The ending at a watch's deadline; `state` is the task's last known state. */
export function deadlineEnding(deadlineMs: number, state: TaskState | null): WatchEnding {
  return { reason: 'deadline', facts: { fact: 'deadline_reached', deadlineMs, state } };
}

/** The ending asked for by a user. */
export const UNWATCHED_ENDING: WatchEnding = { reason: 'unwatched', facts: { fact: 'unwatched' } };

/** The total duration of a task that ended, from its creation (or the watch start) to its last update. */
export function taskDurationMs(status: TaskStatus, watchStartedAt: string): number | null {
  const start = Date.parse(status.createdAt ?? watchStartedAt);
  const end = Date.parse(status.updatedAt ?? status.observedAt);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return null;
  return end - start;
}

/** What a delivery has to say, given what the channel last heard. */
export interface NoticeInput {
  /** The status the channel last heard of (null when it has only seen the first card). */
  readonly previous: TaskStatus | null;
  readonly current: TaskStatus;
  /** States of the changes between `previous` and `current`, oldest first. */
  readonly between: readonly TaskState[];
  readonly ending: WatchEnding | null;
  readonly watchStartedAt: string;
}

/** The in-between states worth naming: each that differs from the one before it, without a last one equal to `current`. */
export function skippedStatesOf(previous: TaskStatus | null, between: readonly TaskState[], current: TaskStatus): TaskState[] {
  const skippedStates: TaskState[] = [];
  let last = previous?.state ?? null;
  for (const state of between) {
    if (state !== last) skippedStates.push(state);
    last = state;
  }
  if (skippedStates.length > 0 && skippedStates[skippedStates.length - 1] === current.state) skippedStates.pop();
  return skippedStates;
}

/** Builds the thread notice; `skippedStates` lists in-between states that differ from both ends' neighbours. */
export function buildNotice(input: NoticeInput): TransitionNotice {
  const skippedStates = skippedStatesOf(input.previous, input.between, input.current);
  const ended = input.ending !== null;
  return {
    previous: input.previous,
    current: input.current,
    skippedStates,
    changedItems: changedItems(input.previous, input.current),
    endReason: input.ending?.reason ?? null,
    endFacts: input.ending?.facts ?? null,
    durationMs: ended && input.current.terminal ? taskDurationMs(input.current, input.watchStartedAt) : null,
    ...(input.ending?.replacedBy ? { replacedBy: input.ending.replacedBy } : {}),
  };
}

/**
 * The stand-in status of a task with no answer yet (a card whose check failed, or a watch that
 * ended before any answer): only the task's identity, no state and no words. What the card says
 * instead comes from `StatusCard.unchecked` or `StatusCard.unansweredEnding`.
 */
export function placeholderStatus(task: { readonly kind: TaskStatus['kind']; readonly id: string; readonly account: string; readonly region: string | null }, observedAt: string): TaskStatus {
  return {
    kind: task.kind,
    id: task.id,
    account: task.account,
    region: task.region,
    found: true,
    state: 'unknown',
    terminal: false,
    rawStatus: '',
    progress: null,
    summary: null,
    items: [],
    createdAt: null,
    updatedAt: null,
    requestId: null,
    observedAt,
  };
}
