/**
 * The words of a mute summary, shared by every chat surface: a title and one plain-text line
 * per task. Platforms escape the text and add their own formatting.
 */
import type { ChannelSummary } from '../../jobs/notifier';

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
    lines.push(`${change.kind} ${change.id}: ${change.from ?? 'new'} -> ${change.to}${change.rawStatus ? ` (${change.rawStatus})` : ''}${ended}`);
  }
  const span = `${summary.mutedAt.slice(0, 16).replace('T', ' ')} to ${summary.endedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const title =
    lines.length === 0
      ? `Notifications are back on. Nothing happened while this channel was muted (${span}).`
      : `Notifications are back on. While this channel was muted (${span}):`;
  return { title, lines };
}
