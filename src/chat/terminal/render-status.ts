/**
 * Plain-text rendering of task statuses for a terminal: the `taskwatch status` output and
 * the terminal chat's cards share it.
 */
import type { TaskState, TaskStatus } from '../../providers/types';

const MARK: Readonly<Record<TaskState, string>> = {
  pending: '○',
  running: '…',
  succeeded: '✔',
  failed: '✖',
  unknown: '?',
};

/** How many items a terminal rendering lists before "and N more". */
export const MAX_LISTED_ITEMS = 10;

/** A mark for a state, e.g. ✔ for succeeded. */
export function stateMark(state: TaskState): string {
  return MARK[state];
}

/** A 20-column text progress bar, e.g. `[########------------] 40%`; empty for null. */
export function progressBar(progress: number | null, width = 20): string {
  if (progress === null) return '';
  const clamped = Math.max(0, Math.min(100, progress));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(clamped)}%`;
}

/** Renders one status as a few lines of terminal text. */
export function renderStatusText(status: TaskStatus): string {
  const lines: string[] = [];
  const headline = status.found
    ? `${stateMark(status.state)} ${status.kind} ${status.id}: ${status.state}${status.rawStatus ? ` (${status.rawStatus})` : ''}`
    : `? ${status.kind} ${status.id}: not found`;
  lines.push(`${headline}${status.progress !== null && status.found ? `  ${progressBar(status.progress)}` : ''}`);
  if (status.message) lines.push(`  ${status.message}`);
  const items = status.items.slice(0, MAX_LISTED_ITEMS);
  for (const item of items) {
    const percent = item.progress === null ? '' : ` ${Math.round(item.progress)}%`;
    lines.push(`  ${stateMark(item.state)} ${item.name}  ${item.rawStatus}${percent}${item.message ? ` (${item.message})` : ''}`);
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
