/**
 * How a normalized task state is shown to people on every chat surface: a mark that is
 * readable at a glance and a word that does not depend on the mark being rendered.
 */
import type { TaskState, TaskStatus } from '../../providers/types';

/** A state's mark and word. */
export interface StatePresentation {
  /** A Unicode emoji, understood by Slack, Discord and most terminals. */
  readonly mark: string;
  readonly label: string;
}

const PRESENTATIONS: Readonly<Record<TaskState, StatePresentation>> = {
  pending: { mark: '⏳', label: 'Pending' },
  running: { mark: '🔄', label: 'Running' },
  succeeded: { mark: '✅', label: 'Succeeded' },
  failed: { mark: '❌', label: 'Failed' },
  unknown: { mark: '❔', label: 'Unknown' },
};

const NOT_FOUND: StatePresentation = { mark: '🔍', label: 'Not found' };

/** The presentation of a bare state. */
export function presentState(state: TaskState): StatePresentation {
  return PRESENTATIONS[state];
}

/** The presentation of a status; a task the provider does not know reads "Not found". */
export function presentStatus(status: Pick<TaskStatus, 'found' | 'state'>): StatePresentation {
  return status.found ? PRESENTATIONS[status.state] : NOT_FOUND;
}
