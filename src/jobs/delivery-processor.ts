/**
 * The delivery side of the watch engine: one job per watch and change brings a channel up to
 * date with its task. Exactly-once per subscriber rests on three things: job IDs derived from
 * the watch and the change (`<watchId>-<seq>`), a per-watch "delivered seq" that only moves
 * forward, and a claim taken atomically before posting, so two workers never post the same
 * change. When changes pile up, one job posts the latest and lists the states in between; the
 * jobs for the skipped changes then find nothing left to say.
 *
 * Pacing is per channel through a Redis "next send" slot; a 429 holds only that channel and
 * moves only that job into the delayed set, so other channels keep flowing.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { TaskState, TaskStatus } from '../providers/types';
import type { DurationExpectation } from './durations/duration-group';
import type { WatchConfig } from '../config';
import { NotifierRateLimitedError, parseChannelAddress, type ChatPlatform, type Notifier, type StatusCard } from './notifier';
import { buildNotice, deservesThreadReply, endingForStatus, placeholderStatus, type WatchEnding } from './watch-policy';
import { requireJobVersion, type DeliveryJobData, type TaskRecord, type WatchRecord } from './watch-records';
import type { WatchStore } from './watch-store';

/** How long a delivery claim holds before another worker may take over a crashed one's. */
export const CLAIM_TTL_MS = 60_000;

/** Pause before retrying when another worker is delivering to the same watch. */
const BUSY_RETRY_MS = 250;

/** What the delivery processor needs. */
export interface DeliveryProcessorDependencies {
  readonly store: WatchStore;
  readonly notifiers: { get(platform: ChatPlatform): Notifier | undefined };
  readonly watch: WatchConfig;
  /** Least time between two thread replies in one channel, per platform. */
  readonly spacingMs: Readonly<Record<ChatPlatform, number>>;
  /** The card's "next check" for a watch (epoch ms), or null. */
  readonly nextCheckOf: (task: TaskRecord) => Promise<number | null>;
  /** The engine's clock (epoch ms), for deciding whether a status ends a watch. */
  readonly now: () => number;
  /** Told of every reply attempt's outcome, for metrics. */
  readonly onDelivery?: (platform: ChatPlatform, outcome: 'sent' | 'failed' | 'retried') => void;
  /** Asked before each delivery; a positive answer (ms) holds the job that long, e.g. while its channel is muted. */
  readonly hold?: DeliveryHold;
  /** What to expect of a task like this one (see `durations/`); null without enough history. */
  readonly expectationOf?: (taskKey: string, status: TaskStatus) => Promise<DurationExpectation | null>;
}

/** Decides whether a delivery to a channel must wait; resolves to ms to wait, 0 to deliver now. */
export type DeliveryHold = (delivery: { readonly channel: string; readonly watchId: string; readonly jobId: string | null }) => Promise<number>;

/** Runs delivery jobs. */
export class DeliveryProcessor {
  constructor(private readonly dependencies: DeliveryProcessorDependencies) {}

  /** The BullMQ processor of the notification queue. */
  async process(job: Job<DeliveryJobData>, token: string | undefined): Promise<string> {
    const data = requireJobVersion(job.data);
    const { store } = this.dependencies;
    const watch = await store.loadWatch(data.watchId);
    if (!watch || watch.cardMessageId === null) return 'watch gone';
    const channel = parseChannelAddress(watch.channel);
    const notifier = channel ? this.dependencies.notifiers.get(channel.platform) : undefined;
    if (!channel || !notifier) throw new UnrecoverableError(`No notifier for channel ${watch.channel}`);
    const holdMs = (await this.dependencies.hold?.({ channel: watch.channel, watchId: watch.watchId, jobId: job.id ?? null })) ?? 0;
    if (holdMs > 0) return this.later(job, token, holdMs);
    const task = await store.loadTask(watch.taskKey);
    if (!task) return 'task gone';

    // The sweeper records an ending status, then ends its watches: two steps. A delivery in
    // between would post the change without its ending, and the ending again after it.
    if (endingPending(watch, task, this.dependencies.now())) return this.later(job, token, BUSY_RETRY_MS);
    if (needsReply(watch, task)) {
      const waitMs = await store.takeSendSlot(watch.channel, this.dependencies.spacingMs[channel.platform]);
      if (waitMs > 0) return this.later(job, token, waitMs);
      const claimant = job.id ?? `job-${job.timestamp}`;
      if (!(await store.claimDelivery(watch.watchId, claimant, Date.now(), CLAIM_TTL_MS))) return this.later(job, token, BUSY_RETRY_MS);
      // Re-read under the claim: another job may have delivered in the meantime.
      const [fresh, freshTask] = await Promise.all([store.loadWatch(watch.watchId), store.loadTask(watch.taskKey)]);
      if (!fresh || !freshTask || !needsReply(fresh, freshTask)) {
        await store.releaseDelivery(watch.watchId, claimant);
      } else {
        try {
          await this.postReply(notifier, channel, fresh, freshTask);
        } catch (error) {
          await store.releaseDelivery(watch.watchId, claimant);
          if (error instanceof NotifierRateLimitedError) {
            this.dependencies.onDelivery?.(channel.platform, 'retried');
            await store.holdChannel(watch.channel, error.retryAfterMs);
            return this.later(job, token, error.retryAfterMs);
          }
          this.dependencies.onDelivery?.(channel.platform, 'failed');
          throw error;
        }
        this.dependencies.onDelivery?.(channel.platform, 'sent');
        await store.releaseDelivery(watch.watchId, claimant, {
          deliveredSeq: freshTask.seq,
          endPosted: fresh.endReason !== null ? '1' : '',
        });
        // Past statuses everyone was told of are dead weight in Redis; this keeps them off.
        await store.trimHistory(freshTask.taskKey, freshTask.seq, fresh.endReason !== null);
      }
    }

    const latest = await store.loadWatch(watch.watchId);
    const latestTask = await store.loadTask(watch.taskKey);
    if (latest && latestTask && needsCard(latest, latestTask)) {
      try {
        await notifier.updateCard(channel, latest.cardMessageId as string, await this.card(latest, latestTask));
      } catch (error) {
        if (error instanceof NotifierRateLimitedError) {
          await store.holdChannel(watch.channel, error.retryAfterMs);
          return this.later(job, token, error.retryAfterMs);
        }
        throw error;
      }
      await store.recordCard(watch.watchId, { cardSeq: latestTask.seq, endCarded: latest.endReason !== null ? '1' : '' });
      if (latest.endReason !== null && latest.endPosted) await store.expireWatch(watch.watchId);
    }
    return 'delivered';
  }

  private async postReply(notifier: Notifier, channel: NonNullable<ReturnType<typeof parseChannelAddress>>, watch: WatchRecord, task: TaskRecord): Promise<void> {
    const history = await this.dependencies.store.loadHistory(task.taskKey);
    const previous = watch.deliveredSeq > 0 ? (history.get(watch.deliveredSeq) ?? null) : null;
    const between: TaskState[] = [];
    for (let seq = watch.deliveredSeq + 1; seq < task.seq; seq += 1) {
      const status = history.get(seq);
      if (status) between.push(status.state);
    }
    const ending: WatchEnding | null = watch.endReason !== null ? { reason: watch.endReason, message: watch.endMessage ?? '' } : null;
    const current = currentStatus(task, watch);
    // The thread hears of new states, failed items and endings; the first observation and
    // progress alone only edit the card (the caller still counts them as told).
    if (!deservesThreadReply(previous, current, between, ending)) return;
    const notice = buildNotice({ previous, current, between, ending, watchStartedAt: watch.startedAt });
    const broadcast = this.dependencies.watch.broadcastFailures && ending?.reason === 'terminal' && current.state === 'failed';
    await notifier.postThreadReply(channel, watch.cardMessageId as string, notice, { broadcast });
  }

  private async card(watch: WatchRecord, task: TaskRecord): Promise<StatusCard> {
    const nextCheck = watch.endReason === null ? await this.dependencies.nextCheckOf(task) : null;
    const status = currentStatus(task, watch);
    // An expectation is for a task still under way; an ended one has its own duration.
    const expected = watch.endReason === null && !status.terminal ? await this.dependencies.expectationOf?.(task.taskKey, status) : null;
    return {
      status,
      ...(expected ? { expected } : {}),
      watch: {
        watchId: watch.watchId,
        startedAt: watch.startedAt,
        deadlineAt: watch.deadlineAt,
        nextCheckAt: nextCheck === null ? null : new Date(nextCheck).toISOString(),
        endReason: watch.endReason,
      },
    };
  }

  private async later(job: Job<DeliveryJobData>, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
    throw new DelayedError();
  }
}

/** True when the task's latest status ends the watch but the sweeper has not ended it yet. */
function endingPending(watch: WatchRecord, task: TaskRecord, now: number): boolean {
  if (watch.endReason !== null || task.endReason !== null || task.status === null) return false;
  return endingForStatus(task.status, task.everFound, now) !== null;
}

function needsReply(watch: WatchRecord, task: TaskRecord): boolean {
  return task.seq > watch.deliveredSeq || (watch.endReason !== null && !watch.endPosted);
}

function needsCard(watch: WatchRecord, task: TaskRecord): boolean {
  return task.seq > watch.cardSeq || (watch.endReason !== null && !watch.endCarded);
}

function currentStatus(task: TaskRecord, watch: WatchRecord): NonNullable<TaskRecord['status']> {
  return task.status ?? placeholderStatus(task, watch.startedAt, watch.endMessage ?? undefined);
}
