/**
 * The name each task kind is shown under on every chat surface, e.g. "DCDN refresh": the
 * kind's descriptor holds it, so Slack, Discord and the terminal never call the same task two
 * different things.
 */
import { kindDescriptor } from '../../providers/kinds';
import type { TaskKind } from '../../providers/types';

/** The label of a task kind, e.g. `DCDN refresh` for `dcdn`. */
export function taskKindLabel(kind: TaskKind): string {
  return kindDescriptor(kind).taskLabel;
}

/** The heading over a task's items, e.g. `URLs` or `Objects`. */
export function itemHeading(kind: TaskKind): string {
  const many = kindDescriptor(kind).itemNoun?.many ?? 'items';
  return many.charAt(0).toUpperCase() + many.slice(1);
}
