/**
 * Plain-text rendering of task statuses for a terminal: the `taskwatch status` output and
 * the terminal chat's cards share it. Marks and progress bars are the ones every chat surface
 * uses (`../render`), so a task looks the same in a terminal as in Slack or Discord.
 */
import type { TaskStatus } from '../../providers/types';
import { formatProgressBar } from '../render/progress-bar';
import { presentState, presentStatus } from '../render/state-presentation';
import { itemNoteTextOf, taskSummaryText } from '../render/task-summary-text';

/** How many items a terminal rendering lists before "and N more". */
export const MAX_LISTED_ITEMS = 10;

/** Renders one status as a few lines of terminal text. */
export function renderStatusText(status: TaskStatus): string {
  const lines: string[] = [];
  const { mark } = presentStatus(status);
  const headline = status.found
    ? `${mark} ${status.kind} ${status.id}: ${status.state}${status.rawStatus ? ` (${status.rawStatus})` : ''}`
    : `${mark} ${status.kind} ${status.id}: not found`;
  const bar = status.found ? formatProgressBar(status.progress) : null;
  lines.push(`${headline}${bar ? `  ${bar}` : ''}`);
  const summary = taskSummaryText(status);
  if (summary) lines.push(`  ${summary}`);
  const items = status.items.slice(0, MAX_LISTED_ITEMS);
  for (const item of items) {
    const percent = item.progress === null ? '' : ` ${Math.round(item.progress)}%`;
    const note = itemNoteTextOf(item);
    lines.push(`  ${presentState(item.state).mark} ${item.name}  ${item.rawStatus}${percent}${note ? ` (${note})` : ''}`);
  }
  if (status.items.length > items.length) lines.push(`  … and ${status.items.length - items.length} more`);
  const context = [
    status.account !== 'default' ? `account ${status.account}` : null,
    status.region ? `region ${status.region}` : null,
    status.requestId ? `request ${status.requestId}` : null,
  ].filter((part): part is string => part !== null);
  if (context.length > 0) lines.push(`  ${context.join(' · ')}`);
  return lines.join('\n');
}
