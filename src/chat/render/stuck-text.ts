/**
 * The words for a task that runs far past its usual time, shared by every chat surface: the
 * one thread reply ("still running after 41 min; 95% of 47 past redis FLUSH_INSTANCE tasks on
 * production finished within 12 min"), the card's mark, and how the ending compares with usual.
 * Plain text: each surface escapes it for its markup.
 */
import type { DurationEstimate, DurationGroup } from '../../jobs/durations/duration-group';
import type { StuckNotice } from '../../jobs/durations/stuck-threshold';
import type { TaskState } from '../../providers/types';
import { durationRangeText, roughDurationText } from './duration-estimate-text';
import { taskKindLabel } from './task-kind-label';
import { kindDescriptor } from '../../providers/kinds';

/** "running" or "pending": how a task under way is still doing. */
function underWay(state: TaskState): string {
  return state === 'pending' ? 'pending' : 'running';
}

/** "redis FLUSH_INSTANCE tasks on production", "cdn mainland tasks of 2-10 URLs on default". */
export function stuckGroupText(group: DurationGroup): string {
  const things = kindDescriptor(group.kind).itemNoun?.many ?? 'items';
  const size = group.size === null ? '' : ` of ${group.size} ${group.size === '1' ? things.slice(0, -1) : things}`;
  return `${group.kind}${group.subtype ? ` ${group.subtype}` : ''} tasks${size} on ${group.account}`;
}

/**
 * The stuck reply's sentence without the task's name: "still running after 41 min; 95% of 47
 * past redis FLUSH_INSTANCE tasks on production finished within 12 min".
 */
export function stuckSentence(notice: StuckNotice): string {
  const { facts } = notice;
  return (
    `still ${underWay(notice.state)} after ${roughDurationText(notice.elapsedMs)}; ` +
    `95% of ${facts.usual.count} past ${stuckGroupText(facts.group)} finished within ${roughDurationText(facts.p95Ms)}`
  );
}

/** The whole stuck reply: "⚠ Redis task 18215 is still running after 41 min; 95% of ...". */
export function stuckReplyText(notice: StuckNotice): string {
  return `⚠ ${taskKindLabel(notice.kind)} ${notice.id} is ${stuckSentence(notice)}.`;
}

/** The card's mark once the task was called stuck: "⚠ running longer than usual". */
export function stuckCardMark(state: TaskState): string {
  return `⚠ ${underWay(state)} longer than usual`;
}

/** How an ending compares with usual: "took 45 min; usually 3-6 min". */
export function comparedWithUsualText(durationMs: number, usual: DurationEstimate): string {
  return `took ${roughDurationText(durationMs)}; usually ${durationRangeText(usual.lowMs, usual.highMs)}`;
}
