/**
 * A text progress bar that reads the same in Slack, Discord and a terminal, e.g.
 * `▰▰▰▰▰▱▱▱▱▱ 50%`.
 */

/** Cells in a bar; ten makes each cell worth 10 %. */
export const PROGRESS_BAR_WIDTH = 10;

/** Formats 0-100 as a bar with a percentage; null when the API reports no progress. */
export function formatProgressBar(progress: number | null, width: number = PROGRESS_BAR_WIDTH): string | null {
  if (progress === null || !Number.isFinite(progress)) return null;
  const percent = Math.min(100, Math.max(0, progress));
  // Floor, so that a bar is only full when the task really is at 100 %.
  const filled = Math.floor((percent / 100) * width);
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${Math.round(percent)}%`;
}
