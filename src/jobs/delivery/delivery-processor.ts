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
 *
 * A delivery that fails is never dropped because a retry count ran out: it is parked (moved to
 * the delayed set, its channel held) with a back-off that doubles with each failure in a row
 * to that channel, up to a cap, and tried again until it succeeds. Only two things end the
 * trying: the channel or card is gone for good (the notifier throws NotifierTargetGoneError),
 * or the watch's deadline passed while the channel stayed unreachable; then the watch ends
 * quietly, owing nothing, logged once.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { TaskState, TaskStatus } from '../../providers/types';
import type { DurationExpectation } from '../durations/duration-group';
import type { StuckTeller } from '../durations/stuck-check';
import type { WatchConfig } from '../../config';
import { safeError } from '../../observability/safe-error';
import { NotifierRateLimitedError, NotifierTargetGoneError, parseChannelAddress, type ChatPlatform, type Notifier, type StatusCard } from '../notifier';
import type { StructuredLogger } from '../../observability/taskwatch-logger';
import { buildNotice, cardEditable, deservesThreadReply, endingForStatus, placeholderStatus, type WatchEnding } from '../watch-life/watch-policy';
import { requireJobVersion, type DeliveryJobData, type TaskRecord, type WatchRecord } from '../watch-life/watch-records';
import type { WatchLife } from '../watch-life/watch-life';
import type { WatchStore } from '../watch-life/watch-store';

/** How long a delivery claim holds before another worker may take over a crashed one's. */
export const CLAIM_TTL_MS = 60_000;

/** Pause before retrying when another worker is delivering to the same watch. */
const BUSY_RETRY_MS = 250;

/** Default first pause after a failed delivery (see {@link DeliveryRetry}). */
export const DEFAULT_DELIVERY_RETRY_MS = 1000;

/** Default longest pause between two tries of a failed delivery. */
export const DEFAULT_DELIVERY_RETRY_MAX_MS = 300_000;

/** The back-off of failed deliveries to one channel: doubling from `minMs` per failure in a row, at most `maxMs`. */
export interface DeliveryRetry {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The pause after the `failures`-th failed delivery in a row to a channel. */
export function deliveryRetryDelayMs(failures: number, retry: DeliveryRetry): number {
  return Math.min(retry.maxMs, retry.minMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

/** What the delivery processor needs. */
export interface DeliveryProcessorDependencies {
  /** The records to read, and the channels' pacing. */
  readonly store: WatchStore;
  /** Every write to a watch or task: the transitions of a watch's life. */
  readonly life: WatchLife;
  readonly notifiers: { get(platform: ChatPlatform): Notifier | undefined };
  readonly watch: WatchConfig;
  /** Least time between two thread replies in one channel of a platform. */
  readonly spacingMs: (platform: ChatPlatform) => number;
  /** The card's "next check" for a watch (epoch ms), or null. */
  readonly nextCheckOf: (task: TaskRecord) => Promise<number | null>;
  /** The engine's clock (epoch ms), for deciding whether a status ends a watch. */
  readonly now: () => number;
  /** Told of every reply attempt's outcome, for metrics. */
  readonly onDelivery?: (platform: ChatPlatform, outcome: 'sent' | 'failed' | 'retried') => void;
  /** Asked before each delivery; a positive answer (ms) holds the job that long, e.g. while its channel is muted. */
  readonly hold?: DeliveryHold;
  /** The back-off of failed deliveries; default 1 s doubling up to 5 min. */
  readonly retry?: DeliveryRetry;
  readonly logger?: StructuredLogger;
  /** What to expect of a task like this one (see `durations/`); null without enough history. */
  readonly expectationOf?: (taskKey: string, status: TaskStatus) => Promise<DurationExpectation | null>;
  /** Tells a stuck task once per watch (see `durations/stuck-check.ts`); absent: stuck tasks are not called out. */
  readonly stuck?: StuckTeller;
}

/** Decides whether a delivery to a channel must wait; resolves to ms to wait, 0 to deliver now. */
export type DeliveryHold = (delivery: { readonly channel: string; readonly watchId: string; readonly jobId: string | null }) => Promise<number>;

/** Runs delivery jobs. */
export class DeliveryProcessor {
  constructor(private readonly dependencies: DeliveryProcessorDependencies) {}

  /** The BullMQ processor of the notification queue. */
  async process(job: Job<DeliveryJobData>, token: string | undefined): Promise<string> {
    const data = requireJobVersion(job.data);
    const { store, life } = this.dependencies;
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
      const waitMs = await store.takeSendSlot(watch.channel, this.dependencies.spacingMs(channel.platform));
      if (waitMs > 0) return this.later(job, token, waitMs);
      const claimant = job.id ?? `job-${job.timestamp}`;
      if (!(await life.claimDelivery(watch.watchId, claimant, Date.now(), CLAIM_TTL_MS))) return this.later(job, token, BUSY_RETRY_MS);
      // Re-read under the claim: another job may have delivered in the meantime.
      const [fresh, freshTask] = await Promise.all([store.loadWatch(watch.watchId), store.loadTask(watch.taskKey)]);
      if (!fresh || !freshTask || !needsReply(fresh, freshTask)) {
        await life.releaseClaim(watch.watchId, claimant);
      } else {
        try {
          await this.postReply(notifier, channel, fresh, freshTask);
        } catch (error) {
          await life.releaseClaim(watch.watchId, claimant);
          if (error instanceof NotifierRateLimitedError) {
            this.dependencies.onDelivery?.(channel.platform, 'retried');
            await store.holdChannel(watch.channel, error.retryAfterMs);
            return this.later(job, token, error.retryAfterMs);
          }
          this.dependencies.onDelivery?.(channel.platform, 'failed');
          return this.failed(job, token, fresh, freshTask, error);
        }
        // Recorded at once: a worker killed between the platform accepting the reply and this
        // record posts the reply again after a restart (at-least-once; CONTRIBUTING, "Change how
        // a watch lives"), so nothing else runs in between. Also drops the past statuses
        // everyone was told of: dead weight in Redis.
        await life.tell(watch.watchId, claimant, freshTask, freshTask.seq, fresh.endReason !== null);
        this.dependencies.onDelivery?.(channel.platform, 'sent');
        await this.recovered(watch.channel);
      }
    }

    const stuckTold = await this.tellStuck(job, token, notifier, channel, watch.watchId, watch.taskKey);
    if (typeof stuckTold === 'string') return stuckTold;
    // A stuck reply marks the card too, though the task itself did not change; a failed edit is tried again.
    const stuckCard = stuckTold || (await this.dependencies.stuck?.cardOwed(watch.watchId)) === true;

    const latest = await store.loadWatch(watch.watchId);
    const latestTask = await store.loadTask(watch.taskKey);
    if (latest && latestTask && (needsCard(latest, latestTask) || stuckCard)) {
      try {
        // A platform that cannot edit (or no longer can: past its edit window) keeps its card as
        // posted; the replies told the change.
        if (cardEditable(notifier.capabilities, latest, this.dependencies.now())) await notifier.updateCard(channel, latest.cardMessageId as string, await this.card(latest, latestTask));
      } catch (error) {
        if (error instanceof NotifierRateLimitedError) {
          await store.holdChannel(watch.channel, error.retryAfterMs);
          return this.later(job, token, error.retryAfterMs);
        }
        return this.failed(job, token, latest, latestTask, error);
      }
      await this.recovered(watch.channel);
      await life.showOnCard(watch.watchId, latestTask.seq, latest.endReason !== null);
      if (stuckCard) await this.dependencies.stuck?.markCarded(watch.watchId);
    }
    // Whichever job tells the last of an ending (its reply or its card, possibly two jobs
    // racing with an unwatch) lets the record expire; the script checks both are done.
    if (latest?.endReason) await life.expireIfFinished(watch.watchId);
    return 'delivered';
  }

  /**
   * Posts the stuck reply owed to a watch, if any, while its task is still under way. The fact
   * is taken under a lease (owed -> telling) before posting, so no two workers say it, recorded
   * told right after the post, and given back if the post failed. The lease is this job's, like
   * the delivery claim: a worker killed in between leaves it to this same job, which BullMQ
   * runs again, or to the next delivery of the watch once it lapses. Resolves to true when
   * told, false when nothing was owed (or another live delivery is telling it), or to the job's
   * outcome when it must stop here.
   */
  private async tellStuck(
    job: Job<DeliveryJobData>,
    token: string | undefined,
    notifier: Notifier,
    channel: NonNullable<ReturnType<typeof parseChannelAddress>>,
    watchId: string,
    taskKey: string,
  ): Promise<boolean | string> {
    const { store, stuck } = this.dependencies;
    if (!stuck || !notifier.postStuckReply || !(await stuck.isOwed(watchId))) return false;
    const [watch, task] = await Promise.all([store.loadWatch(watchId), store.loadTask(taskKey)]);
    // An ending says how long it took instead; a stuck word after it would be stale.
    if (!watch || !task?.status || watch.endReason !== null || watch.cardMessageId === null || task.status.terminal) return false;
    const waitMs = await store.takeSendSlot(watch.channel, this.dependencies.spacingMs(channel.platform));
    if (waitMs > 0) return this.later(job, token, waitMs);
    const claimant = job.id ?? `job-${job.timestamp}`;
    const facts = await stuck.take(watchId, claimant, Date.now(), CLAIM_TTL_MS);
    if (facts === null) return false;
    const status = task.status;
    const notice = { kind: status.kind, id: status.id, state: status.state, facts, elapsedMs: Math.max(0, this.dependencies.now() - facts.startedAt) };
    try {
      await notifier.postStuckReply(channel, watch.cardMessageId, notice, { broadcast: this.dependencies.watch.broadcastFailures });
    } catch (error) {
      await stuck.restore(watchId, claimant);
      if (error instanceof NotifierRateLimitedError) {
        this.dependencies.onDelivery?.(channel.platform, 'retried');
        await store.holdChannel(watch.channel, error.retryAfterMs);
        return this.later(job, token, error.retryAfterMs);
      }
      this.dependencies.onDelivery?.(channel.platform, 'failed');
      return this.failed(job, token, watch, task, error);
    }
    // Recorded at once, as a thread reply is: a worker killed before this record posts the
    // reply again after a restart (at-least-once), never loses it.
    await stuck.settle(watchId);
    this.dependencies.onDelivery?.(channel.platform, 'sent');
    await this.recovered(watch.channel);
    return true;
  }

  private async postReply(notifier: Notifier, channel: NonNullable<ReturnType<typeof parseChannelAddress>>, watch: WatchRecord, task: TaskRecord): Promise<void> {
    const history = await this.dependencies.store.loadHistory(task.taskKey);
    const previous = watch.deliveredSeq > 0 ? (history.get(watch.deliveredSeq) ?? null) : null;
    const between: TaskState[] = [];
    for (let seq = watch.deliveredSeq + 1; seq < task.seq; seq += 1) {
      const status = history.get(seq);
      if (status) between.push(status.state);
    }
    const ending: WatchEnding | null =
      watch.endReason !== null
        ? { reason: watch.endReason, facts: watch.endFacts, ...(watch.endReason === 'replaced' && task.replacedBy ? { replacedBy: task.replacedBy } : {}) }
        : null;
    const current = currentStatus(task, watch);
    // The thread hears of new states, failed items and endings; the first observation and
    // progress alone only edit the card (the caller still counts them as told), unless the
    // watch asked for every progress step.
    if (!deservesThreadReply(previous, current, between, ending, watch.progress)) return;
    const told = ending !== null && current.terminal ? await this.dependencies.stuck?.toldFacts(watch.watchId) : null;
    // A task called stuck ends with how long it took compared with usual.
    const notice = { ...buildNotice({ previous, current, between, ending, watchStartedAt: watch.startedAt }), ...(told ? { usual: told.usual } : {}) };
    const broadcast = this.dependencies.watch.broadcastFailures && ending?.reason === 'terminal' && current.state === 'failed';
    await notifier.postThreadReply(channel, watch.cardMessageId as string, notice, { broadcast });
  }

  private async card(watch: WatchRecord, task: TaskRecord): Promise<StatusCard> {
    const nextCheck = watch.endReason === null ? await this.dependencies.nextCheckOf(task) : null;
    const status = currentStatus(task, watch);
    // An expectation is for a task still under way; an ended one has its own duration.
    const expected = watch.endReason === null && !status.terminal ? await this.dependencies.expectationOf?.(task.taskKey, status) : null;
    const stuck = watch.endReason === null && !status.terminal ? await this.dependencies.stuck?.toldFacts(watch.watchId) : null;
    return {
      status,
      ...(expected ? { expected } : {}),
      ...(stuck ? { stuck } : {}),
      watch: {
        watchId: watch.watchId,
        startedAt: watch.startedAt,
        deadlineAt: watch.deadlineAt,
        nextCheckAt: nextCheck === null ? null : new Date(nextCheck).toISOString(),
        endReason: watch.endReason,
      },
      // A watch that ended before any answer: the card says why in place of a status message.
      ...(task.status === null && watch.endReason !== null && watch.endFacts !== null ? { unansweredEnding: watch.endFacts } : {}),
    };
  }

  /**
   * After a failed post or edit: a target gone for good ends the watch quietly; anything else
   * parks the job with the channel's back-off, until the watch's deadline (plus one longest
   * pause, so that an ending at the deadline itself still gets its tries) has passed.
   */
  private async failed(job: Job<DeliveryJobData>, token: string | undefined, watch: WatchRecord, task: TaskRecord, error: unknown): Promise<string> {
    const { store } = this.dependencies;
    const logger = this.dependencies.logger;
    const retry = this.dependencies.retry ?? { minMs: DEFAULT_DELIVERY_RETRY_MS, maxMs: DEFAULT_DELIVERY_RETRY_MAX_MS };
    if (error instanceof NotifierTargetGoneError) {
      if (await this.dependencies.life.abandon(watch, task.groupId, 'channel_gone')) {
        logger?.warn({ channel: watch.channel, watchId: watch.watchId, reason: error.reason }, 'chat channel or card is gone for good; the watch ended without a word there');
      }
      return 'target gone';
    }
    const giveUpAt = Date.parse(watch.deadlineAt) + retry.maxMs;
    if (Number.isFinite(giveUpAt) && this.dependencies.now() >= giveUpAt) {
      if (await this.dependencies.life.abandon(watch, task.groupId, 'deadline')) {
        logger?.warn({ channel: watch.channel, watchId: watch.watchId, err: safeError(error) }, 'chat channel stayed unreachable past the watch deadline; its notifications were dropped');
      }
      return 'deadline passed';
    }
    const failures = await store.noteDeliveryFailure(watch.channel);
    // Once per outage of a channel; the end of the outage is logged too (see recovered()).
    if (failures === 1) logger?.warn({ channel: watch.channel, err: safeError(error) }, 'chat channel unreachable; notifications are kept and retried');
    const pauseMs = deliveryRetryDelayMs(failures, retry);
    // The whole channel waits, so its other deliveries do not each try the platform meanwhile.
    await store.holdChannel(watch.channel, pauseMs);
    return this.later(job, token, pauseMs);
  }

  /** After a successful post or edit: ends the channel's run of failures, if any. */
  private async recovered(channel: string): Promise<void> {
    if (await this.dependencies.store.clearDeliveryFailures(channel)) this.dependencies.logger?.info({ channel }, 'chat channel reachable again; held notifications follow');
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
  // A task never answered about shows only its identity: an ending before any answer is told
  // by its facts (the card's `unansweredEnding`, the notice's `endFacts`).
  return task.status ?? placeholderStatus(task, watch.startedAt);
}
