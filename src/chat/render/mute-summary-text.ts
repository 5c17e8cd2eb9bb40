/**
 * The words of a mute summary, shared by every chat surface: a title and one plain-text line
 * per task. Platforms escape the text and add their own formatting.
 */
import type { ChannelSummary, HeldChange } from '../../jobs/notifier';
import { itemFailureText, noticeHeadline } from './notice-headline';

/** The title and lines of a mute summary; new tasks first, then the watched tasks' changes. */
export function muteSummaryText(summary: ChannelSummary): { readonly title: string; readonly lines: readonly string[] } {
  const lines: string[] = [];
  for (const task of summary.newTasks) {
    const raw = task.rawStatus ? ` (${task.rawStatus})` : '';
    const finished = task.state === 'succeeded' || task.state === 'failed';
    // Its latest state; a task that moved on after it was found says where it began, too.
    const found = task.foundState && task.foundState !== task.state ? `, found ${task.foundState}` : '';
    lines.push(
      finished
        ? `New ${task.kind} task ${task.id}: ${task.state}${raw}${found ? `${found} and finished while muted` : ''}.`
        : `New ${task.kind} task ${task.id}: ${task.state}${raw}${found}. Not watched; use /task-status watch ${task.kind} ${task.id} to follow it.`,
    );
  }
  for (const change of summary.changes) {
    const ended = change.endReason ? `; watch ended (${change.endReason})` : '';
    lines.push(`${change.kind} ${change.id}: ${changeWords(change)}${change.rawStatus ? ` (${change.rawStatus})` : ''}${itemFailure(change)}${ended}`);
  }
  const span = `${summary.mutedAt.slice(0, 16).replace('T', ' ')} to ${summary.endedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const title =
    lines.length === 0
      ? `Notifications are back on. Nothing happened while this channel was muted (${span}).`
      : `Notifications are back on. While this channel was muted (${span}):`;
  return { title, lines };
}

/**
 * "pending -> running"; when the state did not change, what did, as a thread reply says it
 * (`notice-headline.ts`): "still running" (an item failed, or a step the watch asked to hear),
 * the state alone on an ending, "running -> not found", or "running -> pending -> running" for a
 * task that came back to its state.
 */
function changeWords(change: HeldChange): string {
  const plain = `${change.from ?? 'new'} -> ${change.to}`;
  if (!change.statuses) return plain;
  const headline = noticeHeadline({ ...change.statuses, endReason: change.endReason });
  switch (headline.type) {
    case 'first':
      return plain;
    case 'unchanged':
      return headline.words.toLowerCase();
    case 'changed': {
      // A found state reads as its name, so these lines read as before; only "not found" is new.
      const before = headline.before.label.toLowerCase();
      const now = headline.now.label.toLowerCase();
      // Back where it was: the states it passed through are what changed.
      const via = before === now ? change.statuses.skippedStates.map((state) => ` -> ${state}`).join('') : '';
      return `${before}${via} -> ${now}`;
    }
  }
}

/** "; 1 of 3 URLs failed: …" when items failed inside a task whose state did not change. */
function itemFailure(change: HeldChange): string {
  const text = change.statuses ? itemFailureText({ ...change.statuses, endReason: change.endReason }) : null;
  return text ? `; ${text}` : '';
}
