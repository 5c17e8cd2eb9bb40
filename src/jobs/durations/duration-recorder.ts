/**
 * The one hook between polling and the duration samples: the poll sweeper hands it every
 * status it records, with the status it was judged against, and the recorder notes first
 * sightings and records endings. It never throws: remembering durations must not cost a sweep.
 */
import type { Histogram } from 'prom-client';
import type { TaskStatus } from '../../providers/types';
import { safeError } from '../../observability/safe-error';
import type { StructuredLogger } from '../../observability/taskwatch-logger';
import { durationGroupOf, observedSpan } from './duration-group';
import type { DurationStore } from './duration-store';

/** Records task durations as the sweeper observes tasks. */
export class DurationRecorder {
  constructor(
    private readonly store: DurationStore,
    private readonly logger: StructuredLogger,
    /** `taskwatch_task_duration_seconds`, observed once per recorded ending. */
    private readonly histogram?: Histogram<'kind' | 'account'>,
  ) {}

  /**
   * Takes one observation of a task: `previous` is the status it was judged against (null on
   * the first observation). A task first seen pending, without a start time from the cloud, is
   * noted so that its duration counts from then; a task that ends here is recorded in its group.
   */
  async observe(taskKey: string, previous: TaskStatus | null, current: TaskStatus): Promise<void> {
    try {
      if (previous === null && current.found && current.state === 'pending' && current.createdAt === null) {
        await this.store.noteStart(taskKey, Date.parse(current.observedAt));
      }
      if (!current.terminal || previous?.terminal === true) return;
      const firstSeen = current.createdAt === null ? await this.store.startOf(taskKey) : null;
      const span = observedSpan(previous, current, firstSeen);
      if (span === null) {
        await this.store.forgetStart(taskKey);
        return;
      }
      const group = durationGroupOf(current);
      const durationMs = span.endedAt - span.startedAt;
      const recorded = await this.store.record(group, taskKey, { taskId: current.id, durationMs, failed: current.state === 'failed', endedAt: span.endedAt });
      if (recorded) this.histogram?.observe({ kind: group.kind, account: group.account }, durationMs / 1000);
    } catch (error) {
      this.logger.warn({ err: safeError(error), taskKey }, 'could not record a task duration');
    }
  }
}
