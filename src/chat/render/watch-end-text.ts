/**
 * The sentence that tells a channel why a watch ended, shared by every chat surface so that
 * the reasons read the same in Slack, Discord and the terminal. The jobs hand up facts
 * ({@link WatchEndFacts}); this file is the only place they become words.
 */
import { COMMAND_NAME } from '../../commands/messages';
import type { StatusCard, TransitionNotice, WatchEndFacts, WatchEndReason } from '../../jobs/notifier';
import { cloudLabel, kindDescriptor } from '../../providers/kinds';
import type { TaskStatus } from '../../providers/types';
import { formatDuration } from '../../util/duration';
import { describeProviderFailure } from './provider-failure-text';
import { presentStatus } from './state-presentation';
import { comparedWithUsualText } from './stuck-text';
import { taskKindLabel } from './task-kind-label';
import { taskSummaryText } from './task-summary-text';

const WATCH_END_TEXTS: Readonly<Record<WatchEndReason, string>> = {
  terminal: 'The task has finished; the watch is over.',
  deadline: 'Stopped watching: the watch reached its deadline.',
  aged_out: 'Stopped watching: Alibaba Cloud only reports DCDN tasks for 3 days.',
  not_found: 'Stopped watching: the provider does not know this task.',
  auth_failed: 'Stopped watching: the cloud credentials were refused.',
  unwatched: 'Stopped watching on request.',
  error: 'Stopped watching after an error that retrying would not fix.',
  replaced: 'Stopped watching: a newer task replaced this one.',
  channel_gone: 'Stopped watching: this channel or the status card can no longer be posted to.',
};

/** Why a watch ended, as a sentence for people. */
export function describeWatchEnd(reason: WatchEndReason): string {
  return WATCH_END_TEXTS[reason];
}

/** A retention in whole days, e.g. `3 days`. */
function daysText(ms: number): string {
  const days = Math.round(ms / 86_400_000);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/**
 * Why a watch ended, in the words of its thread reply (and of its card, when it ended before
 * any answer). Plain text: each surface escapes it for its markup.
 */
export function watchEndingText(facts: WatchEndFacts): string {
  switch (facts.fact) {
    case 'task_finished':
      return `The task ${facts.state === 'succeeded' ? 'succeeded' : 'failed'}; watching stopped.`;
    case 'deadline_reached':
      return `Stopped watching after the ${formatDuration(facts.deadlineMs)} deadline.${facts.state ? ` The task was still ${facts.state}.` : ''}`;
    case 'beyond_retention': {
      const product = kindDescriptor(facts.kind).productName;
      return facts.seen === 'unreported'
        ? `${cloudLabel(facts.kind)} ${product} no longer reports this task (it keeps only the last ${daysText(facts.retentionMs)}), so watching stopped.`
        : `This ${product} task is older than ${daysText(facts.retentionMs)}, beyond what ${cloudLabel(facts.kind)} reports, so watching stopped.`;
    }
    case 'task_missing': {
      const detail = facts.answer ? taskSummaryText({ ...facts.answer, state: 'unknown' }) : (facts.detail ?? '');
      return facts.everFound ? `The task can no longer be found, so watching stopped. ${detail}`.trim() : `No such task: ${detail}`.trim();
    }
    case 'provider_refused':
      return `${facts.failure ? describeProviderFailure({ code: facts.code, ...facts.failure }).what : (facts.userMessage ?? `The cloud refused the call (${facts.code}).`)} Watching stopped.`;
    case 'unwatched':
      return 'Watching stopped on request.';
    case 'written':
      return facts.text;
  }
}

/**
 * The card as shown: a watch that ended before any answer shows why in place of its status's
 * summary (its status is only the task's identity).
 */
export function cardWithEnding(card: StatusCard): StatusCard {
  return card.unansweredEnding ? { ...card, status: { ...card.status, summary: { fact: 'written', text: watchEndingText(card.unansweredEnding) } } } : card;
}

/**
 * What a thread is told when a newer task replaced the watched one (an API that reports only
 * the latest task): which task took over, the last state known of the watched one, and how to
 * watch the newer one.
 */
export function replacedTaskText(last: Pick<TaskStatus, 'kind' | 'id' | 'found' | 'state'>, replacedBy: string): string {
  const label = taskKindLabel(last.kind);
  return (
    `A newer ${label} task, ${replacedBy}, replaced ${last.id} before taskwatch saw ${last.id} end; ` +
    `${last.id} was last seen ${presentStatus(last).label}. To watch ${replacedBy}, use ${COMMAND_NAME} watch ${last.kind}.`
  );
}

/**
 * The sentences of a thread reply that ends a watch, each said once: the replacing task when a
 * newer one took over, else the ending's facts in words, else the reason's sentence. Empty when
 * the reply ends nothing. Plain text: each surface escapes it for its markup.
 */
export function endingSentences(notice: {
  readonly current: Pick<TaskStatus, 'kind' | 'id' | 'found' | 'state'>;
  readonly endReason: WatchEndReason | null;
  readonly endFacts: WatchEndFacts | null;
  readonly replacedBy?: string | null;
}): string[] {
  if (notice.endReason === null) return [];
  if (notice.replacedBy) return [replacedTaskText(notice.current, notice.replacedBy)];
  return [notice.endFacts ? watchEndingText(notice.endFacts) : describeWatchEnd(notice.endReason)];
}

/**
 * The closing lines of a thread reply: why the watch ended (said once, see
 * {@link endingSentences}), how long the task took and how that compares with usual. Empty for a
 * reply that ends nothing and took no known time. `escape` makes text safe for the platform's
 * markup.
 */
export function noticeEndingLines(notice: TransitionNotice, escape: (text: string) => string): string[] {
  const lines = endingSentences(notice).map(escape);
  if (notice.durationMs !== null) lines.push(`Total duration: ${formatDuration(notice.durationMs)}.`);
  if (notice.durationMs !== null && notice.usual) lines.push(`⏱ ${escape(comparedWithUsualText(notice.durationMs, notice.usual))}`);
  return lines;
}
