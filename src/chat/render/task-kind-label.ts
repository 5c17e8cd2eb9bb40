/**
 * The name each task kind is shown under on every chat surface, e.g. "DCDN refresh": one
 * table, so Slack, Discord and the terminal never call the same task two different things.
 */
import type { TaskKind } from '../../providers/types';

const TASK_KIND_LABELS: Readonly<Record<TaskKind, string>> = {
  cdn: 'CDN prefetch',
  dcdn: 'DCDN refresh',
  dts: 'DTS job',
  redis: 'Redis task',
  tcss: 'TCSS refresh',
};

/** The label of a task kind, e.g. `DCDN refresh` for `dcdn`. */
export function taskKindLabel(kind: TaskKind): string {
  return TASK_KIND_LABELS[kind];
}
