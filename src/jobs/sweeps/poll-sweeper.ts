/**
 * The polling side of the watch engine. Tasks of one kind, account and region form a poll
 * group, which is exactly the unit of an API quota; each group has ONE sweep job, so BullMQ's
 * job lock guarantees that no two workers poll the same task at the same moment. A sweep takes
 * the group's due tasks from a sorted set, asks the provider about them in batches as large as
 * the API allows (DCDN: 10 IDs per call; CDN: a listing of the time window that holds them,
 * see `window-listing.ts`), records changes, ends finished watches, and
 * reschedules itself for the group's next due task ("process step jobs" pattern).
 */
import type { Job } from 'bullmq';
import { isProviderError, type ProviderError } from '../../providers/errors';
import { safeError } from '../../observability/safe-error';
import { mapInOrder } from '../../providers/provider-context';
import type { ProviderRegistry, TaskProvider, TaskStatus } from '../../providers/types';
import type { WatchConfig } from '../../config';
import { CDN_LISTING_PAGE_SIZE } from './cdn-listing-plan';
import { canListWindow, listDueTasksByWindow } from './window-listing';
import type { ResolvedTask } from '../watch-life/watch-keys';
import {
  deadlineEnding,
  endingForError,
  endingForStatus,
  nextIntervalMs,
  replacedEnding,
  replacingTaskId,
  type WatchEnding,
} from '../watch-life/watch-policy';
import { requireJobVersion, type SweepJobData, type TaskRecord } from '../watch-life/watch-records';
import type { WatchLife, WatchReader } from '../watch-life/watch-life';
import type { StructuredLogger } from '../../observability/taskwatch-logger';
import type { DurationRecorder } from '../durations/duration-recorder';
import { rescheduleGroupJob } from '../engines/supervised-group-queue';

/** Most due tasks one sweep takes; the rest are taken by the next sweep, which follows at once. */
export const SWEEP_LIMIT = 500;

/**
 * Least time between two outbox flushes within one sweep. A sweep of a one-ID group can take
 * half a minute (hundreds of tasks at 15 calls/s); without flushes along the way, a change seen
 * at its start would wait for its end to be delivered.
 */
export const SWEEP_FLUSH_SPACING_MS = 500;

/** Provider calls one sweep keeps in flight; the rate budget paces them further. */
const CALLS_IN_FLIGHT = 4;

/** What a sweeper needs. */
export interface PollSweeperDependencies {
  /** The records, to read. */
  readonly store: WatchReader;
  /** Every write: the transitions of a watch's life. */
  readonly life: WatchLife;
  readonly providers: ProviderRegistry;
  readonly watch: WatchConfig;
  /** The engine's clock (deadlines, DCDN age); scheduling uses real time. */
  readonly now: () => number;
  /** Turns outbox entries into delivery jobs. */
  readonly flushOutbox: () => Promise<void>;
  readonly logger: StructuredLogger;
  /** Remembers how long tasks take (see `durations/`); absent: nothing is remembered. */
  readonly durations?: DurationRecorder;
  /** Calls a task under way stuck once it runs far past its group's usual time (see `durations/stuck-check.ts`). */
  readonly stuck?: { check(taskKey: string, status: TaskStatus): Promise<unknown> };
}

/** Runs sweep jobs. */
export class PollSweeper {
  constructor(private readonly dependencies: PollSweeperDependencies) {}

  /** The BullMQ processor of the poll queue. Always reschedules itself unless its group is gone. */
  async process(job: Job<SweepJobData>, token: string | undefined): Promise<string> {
    const data = requireJobVersion(job.data);
    const { store, watch } = this.dependencies;
    const group = await store.groupInfo(data.groupId);
    if (!group) return 'group gone';
    let throttled: ProviderError | null = null;
    try {
      // Tasks due a little later ride along: polled up to a quarter interval early, they stay
      // in step, so batches (DCDN 10 IDs, CDN window listings) fill instead of fragmenting.
      const due = await store.dueTasks(data.groupId, Date.now() + Math.floor(watch.intervalMs / 4), SWEEP_LIMIT);
      if (due.length > 0) throttled = await this.pollTasks(data.groupId, group, due);
      await this.dependencies.flushOutbox();
    } catch (error) {
      // A sweep must never die: log and come back after the shortest interval.
      this.dependencies.logger.error({ err: safeError(error), groupId: data.groupId }, 'watch sweep failed');
    }
    const nextAt = (await store.nextDue(data.groupId)) ?? Date.now() + watch.maxIntervalMs;
    return rescheduleGroupJob(job, token, { nextAt, throttled, backoff: watch }, (level, retryAt) =>
      this.dependencies.logger.warn({ groupId: data.groupId, level, retryAt: new Date(retryAt).toISOString() }, 'provider throttled; slowing this group down'),
    );
  }

  /** Polls due tasks; resolves to the throttling error that cut the sweep short, if any. */
  private async pollTasks(groupId: string, group: Omit<ResolvedTask, 'id'>, taskKeys: readonly string[]): Promise<ProviderError | null> {
    const { logger } = this.dependencies;
    const flushAlong = new SpacedFlush(this.dependencies.flushOutbox, SWEEP_FLUSH_SPACING_MS, (error) =>
      logger.warn({ err: safeError(error), groupId }, 'outbox flush during a sweep failed'),
    );
    try {
      return await this.pollDueTasks(groupId, group, taskKeys, () => flushAlong.request());
    } finally {
      await flushAlong.settle();
    }
  }

  /** The work of {@link pollTasks}; `flushAlong` asks for an outbox flush after each answered call. */
  private async pollDueTasks(
    groupId: string,
    group: Omit<ResolvedTask, 'id'>,
    taskKeys: readonly string[],
    flushAlong: () => void,
  ): Promise<ProviderError | null> {
    const { store } = this.dependencies;
    const loaded = await store.loadTasks(taskKeys);
    const active: TaskRecord[] = [];
    for (const [taskKey, { record, subscribers }] of loaded) {
      if (!record || record.endReason !== null) {
        await this.dependencies.life.forgetDue(groupId, taskKey);
        continue;
      }
      const remaining = await this.endExpiredWatches(record, subscribers);
      if (remaining > 0) active.push(record);
    }
    if (active.length === 0) return null;

    let provider: TaskProvider;
    try {
      provider = this.dependencies.providers.get(group.kind, group.account);
    } catch (error) {
      await this.handleCallError(active, error);
      return null;
    }
    let remaining: readonly TaskRecord[] = active;
    if (canListWindow(provider)) {
      // Many due tasks of one account: a few window listings instead of one call per task.
      const listing = await listDueTasksByWindow(
        provider,
        active.map((task) => ({ task, id: task.id, createdAt: task.status?.createdAt ?? null })),
        this.dependencies.now(),
      );
      // A listing page answers for up to a page of rows at once: these checks are cheap.
      for (const { task, status } of listing.found) await this.applyStatus(task.task, status, CDN_LISTING_PAGE_SIZE);
      flushAlong();
      if (listing.throttled) return listing.throttled;
      if (listing.failed) this.dependencies.logger.warn({ err: safeError(listing.failed), groupId }, 'window listing failed; describing tasks by ID');
      remaining = listing.rest.map((entry) => entry.task);
    }

    const size = Math.max(1, provider.maxIdsPerCall);
    const batches: TaskRecord[][] = [];
    for (let index = 0; index < remaining.length; index += size) batches.push(remaining.slice(index, index + size));

    let throttled: ProviderError | null = null;
    await mapInOrder(batches, CALLS_IN_FLIGHT, async (batch) => {
      // After throttling, the rest stay due; the sweep pauses before trying them again.
      if (throttled) return;
      let statuses: TaskStatus[];
      try {
        statuses = await provider.describe(
          batch.map((task) => task.id),
          group.region ? { region: group.region } : {},
        );
      } catch (error) {
        if (isProviderError(error) && error.code === 'throttled') {
          throttled = error;
          return;
        }
        await this.handleCallError(batch, error);
        return;
      }
      for (const [index, task] of batch.entries()) {
        const status = statuses[index];
        if (!status) continue;
        // A provider that takes no ID answers about whichever task is latest: compare IDs.
        const newer = provider.takesId ? null : replacingTaskId(task, status);
        if (newer !== null) await this.replaceTask(task, newer);
        else await this.applyStatus(task, status, provider.maxIdsPerCall);
      }
      flushAlong();
    });
    return throttled;
  }

  /** Ends the watches of a task whose deadline passed; resolves to how many remain. */
  private async endExpiredWatches(task: TaskRecord, subscribers: readonly string[]): Promise<number> {
    const { store, life, now, watch: config } = this.dependencies;
    const watches = await store.loadWatches(subscribers);
    let remaining = 0;
    for (const watch of watches) {
      if (watch.endReason !== null) continue;
      if (now() >= Date.parse(watch.deadlineAt)) {
        await life.endWatch(watch, task.groupId, deadlineEnding(config.deadlineMs, task.status?.state ?? null), Date.now());
      } else {
        remaining += 1;
      }
    }
    return remaining;
  }

  /** Records a polled status; `tasksPerCall` is how many tasks one call of this group answers for (see {@link nextIntervalMs}). */
  private async applyStatus(task: TaskRecord, status: TaskStatus, tasksPerCall: number): Promise<void> {
    const { life, watch } = this.dependencies;
    const realNow = Date.now();
    const current = await life.observe(task, status, realNow);
    // Superseded by an overlapping sweep's later observation, or the task ended meanwhile.
    if (current === null) return;
    await this.dependencies.durations?.observe(task.taskKey, current.status, status);
    const ending = endingForStatus(status, current.everFound || status.found, this.dependencies.now());
    if (ending) {
      await this.endTask(task, ending);
      return;
    }
    await this.dependencies.stuck?.check(task.taskKey, status);
    await life.scheduleNextCheck(task.groupId, [task.taskKey], realNow + nextIntervalMs(realNow - task.pollingSince, watch, tasksPerCall));
  }

  /**
   * Ends the watches of a task a newer one replaced, with the watched task's last known status
   * (the newer task's is never recorded on it), naming the newer task.
   */
  private async replaceTask(task: TaskRecord, replacedBy: string): Promise<void> {
    this.dependencies.logger.info({ taskKey: task.taskKey, replacedBy }, 'a newer task replaced a watched one; its watches end');
    await this.dependencies.life.replaceTask(task, replacedBy, replacedEnding(replacedBy));
  }

  private async handleCallError(tasks: readonly TaskRecord[], error: unknown): Promise<void> {
    const { life, watch, logger } = this.dependencies;
    const ending = isProviderError(error) ? endingForError(error) : null;
    if (ending) {
      logger.info({ code: (error as ProviderError).code, tasks: tasks.length }, 'provider error ends watches');
      for (const task of tasks) await this.endTask(task, ending);
      return;
    }
    logger.warn({ err: safeError(error), tasks: tasks.length }, 'provider call failed; will retry');
    const retryAt = Date.now() + Math.min(watch.maxIntervalMs, watch.intervalMs * 2);
    await life.scheduleNextCheck(tasks[0]?.groupId ?? '', tasks.map((task) => task.taskKey), retryAt);
  }

  private async endTask(task: TaskRecord, ending: WatchEnding): Promise<void> {
    await this.dependencies.life.endTask(task, ending);
  }
}

/**
 * Flushes soon after a request: at most once per `spacingMs`, never two at once, and a request
 * made while a flush runs is served by the next one. A failure goes to `onError` instead of
 * cutting the sweep short (the flush at the sweep's end and the supervisor's catch up).
 */
class SpacedFlush {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private last = 0;

  constructor(
    private readonly flush: () => Promise<void>,
    private readonly spacingMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.run(), Math.max(0, this.last + this.spacingMs - Date.now()));
  }

  /** Cancels a flush not yet started and waits for the one running, if any. */
  async settle(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async run(): Promise<void> {
    if (this.running) {
      // Keep the request: the timer stays set until the running flush ends, then runs again.
      this.timer = setTimeout(() => void this.run(), this.spacingMs);
      return;
    }
    this.timer = null;
    this.last = Date.now();
    this.running = this.flush()
      .catch(this.onError)
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }
}
