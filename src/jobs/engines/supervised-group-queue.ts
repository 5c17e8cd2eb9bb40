/**
 * One job type for "a supervised group that reschedules itself", shared by the watch engine
 * (poll groups: kind, account, region) and the subscription engine (subscription groups: kind,
 * account, area). Each group has ONE job, whose ID is derived from the group, so BullMQ's job
 * lock keeps two workers from sweeping one group at once and adding it again is a no-op. The
 * job never completes while its group lives: each run ends by moving itself to the delayed set
 * for its next run ("process step jobs" pattern), backing off while the provider throttles.
 * A supervisor pass, on every worker at an interval, adds the job of every group that lost it
 * (a crash between steps, a Redis flush of the queue) and may remove idle groups.
 *
 * The engines keep what differs: what a group is, what a sweep does, and what else their
 * supervisor passes do. They share the constants, the back-off, the supervisor loop and one
 * bounded graceful stop ({@link stopGracefully}).
 */
import { DelayedError, Queue, Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { safeError } from '../../observability/safe-error';
import { reportErrorEvents } from '../error-events';
import { queueOptions } from '../queue-options';
import type { WatchEngineLogger } from '../watch-engine-logger';
import { throttleDelayMs } from '../watch-life/watch-policy';

/**
 * Attempts and stall count of a job that must never fail: BullMQ wants finite numbers, and a
 * group job only spends an attempt on an error of the engine's own, each retried after the
 * group's interval, so this many outlasts any outage.
 */
export const NEVER_FAIL_ATTEMPTS = 1_000_000;

/** How long a graceful stop waits for in-flight jobs before dropping connections. */
export const GRACEFUL_STOP_MS = 10_000;

/** How long a stop that gave up on the graceful close waits for sockets to drop. */
const DISCONNECT_WAIT_MS = 1_000;

/** The data every group job carries. */
export interface GroupJobData {
  readonly v: number;
  readonly groupId: string;
  /** Consecutive runs that met throttling; grows the pause before the next. */
  readonly throttleLevel?: number;
}

/** The pauses of a group: `intervalMs` normally, doubling per throttled run up to `maxIntervalMs`. */
export interface GroupBackoff {
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
}

/** Options of a {@link SupervisedGroupQueue}. */
export interface SupervisedGroupQueueOptions<Data extends GroupJobData> {
  /** The BullMQ queue's name. */
  readonly name: string;
  readonly connection: Redis;
  readonly prefix: string;
  /** The job ID of a group's job (custom job IDs cannot contain `:`). */
  readonly jobIdOf: (groupId: string) => string;
  /** The data of a group's new job. */
  readonly dataOf: (groupId: string) => Data;
  /** Pause before a job is retried after an error of the engine's own. */
  readonly retryDelayMs: number;
  readonly logger: WatchEngineLogger;
  /** Words of the log lines, e.g. `watch` or `subscription`. */
  readonly label: string;
}

/** What a worker of the group queue runs. */
export interface GroupWorkerOptions {
  readonly concurrency: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

/** A queue of self-rescheduling group jobs, with its supervisor. */
export class SupervisedGroupQueue<Data extends GroupJobData> {
  /** The BullMQ queue; other job types may share it (the subscription engine's mute releases). */
  readonly queue: Queue;
  private supervisor: NodeJS.Timeout | null = null;

  constructor(private readonly options: SupervisedGroupQueueOptions<Data>) {
    this.queue = new Queue(options.name, queueOptions(options.connection, options.prefix));
  }

  /**
   * Makes sure a group has its job; with `wake`, a job sleeping until its next run is run now
   * (a job that is running reschedules itself anyway).
   */
  async ensure(groupId: string, wake = false): Promise<void> {
    const jobId = this.options.jobIdOf(groupId);
    await this.queue.add('sweep', this.options.dataOf(groupId), {
      jobId,
      removeOnComplete: true,
      removeOnFail: true,
      attempts: NEVER_FAIL_ATTEMPTS,
      backoff: { type: 'fixed', delay: this.options.retryDelayMs },
    });
    if (!wake) return;
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  /**
   * The idle group removal hook: removes a group's job, then the group through `removeGroup`
   * only if it is still idle (`removeGroup` resolves to false when a member joined meanwhile,
   * and the job is put back). A job that is running is left for the next pass; a member that
   * joins in between finds no job and adds one, or is found here and gets its job back.
   */
  async removeIfIdle(groupId: string, removeGroup: (groupId: string) => Promise<boolean>): Promise<void> {
    const job = await this.queue.getJob(this.options.jobIdOf(groupId));
    if (job) {
      if (!(await job.isDelayed())) return;
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
    if (!(await removeGroup(groupId))) await this.ensure(groupId);
  }

  /** A worker running `processor` on this queue; a stalled job is picked up again, never failed. */
  worker(processor: Processor, tuning: GroupWorkerOptions): Worker {
    return new Worker(this.options.name, processor, {
      connection: this.options.connection,
      prefix: this.options.prefix,
      concurrency: tuning.concurrency,
      lockDuration: tuning.lockDurationMs,
      stalledInterval: tuning.stalledIntervalMs,
      maxStalledCount: NEVER_FAIL_ATTEMPTS,
    });
  }

  /**
   * Runs `pass` now and then every `intervalMs` until {@link stopSupervisor}. A failed pass
   * is logged; the next one tries again.
   */
  async startSupervisor(pass: () => Promise<void>, intervalMs: number): Promise<void> {
    const guarded = async (): Promise<void> => {
      try {
        await pass();
      } catch (error) {
        this.options.logger.warn({ err: safeError(error) }, `${this.options.label} supervisor pass failed`);
      }
    };
    await guarded();
    this.supervisor = setInterval(() => void guarded(), intervalMs);
    this.supervisor.unref();
  }

  stopSupervisor(): void {
    if (this.supervisor) clearInterval(this.supervisor);
    this.supervisor = null;
  }
}

/**
 * Ends a group job's run: the job sleeps until `nextAt` (real time, epoch ms), or longer while
 * the provider throttles (`throttled`: doubling per throttled run in a row, at least its
 * Retry-After). Always throws BullMQ's `DelayedError`, which the processor must let through.
 */
export async function rescheduleGroupJob(
  job: Job<GroupJobData>,
  token: string | undefined,
  next: { readonly nextAt: number; readonly throttled: { readonly retryAfterMs?: number } | null; readonly backoff: GroupBackoff },
  onThrottled?: (level: number, retryAt: number) => void,
): Promise<never> {
  const data = job.data;
  const level = next.throttled ? (data.throttleLevel ?? 0) + 1 : 0;
  const realNow = Date.now();
  let nextAt = next.nextAt;
  if (next.throttled) {
    nextAt = Math.max(nextAt, realNow + throttleDelayMs(level, next.throttled.retryAfterMs, next.backoff));
    onThrottled?.(level, nextAt);
  }
  if (level !== (data.throttleLevel ?? 0)) await job.updateData({ ...data, throttleLevel: level });
  await job.moveToDelayed(Math.max(nextAt, realNow), token);
  throw new DelayedError();
}

/** What a graceful stop closes, in this order. */
export interface Closable {
  readonly workers: readonly Worker[];
  readonly queues: readonly Queue[];
  readonly redis: Redis;
}

/**
 * Graceful first: in-flight jobs finish or return to their queue, then the queues and the
 * connection close. Bounded, because with Redis unreachable these never settle; then every
 * socket is dropped so no reconnect timer keeps the process alive.
 */
export async function stopGracefully(parts: Closable, timeoutMs = GRACEFUL_STOP_MS): Promise<void> {
  const graceful = (async () => {
    await Promise.all(parts.workers.map((worker) => worker.close()));
    await Promise.all(parts.queues.map((queue) => queue.close()));
    await parts.redis.quit();
    return true;
  })().catch(() => false);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([graceful, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
  clearTimeout(timer);
  // Only when the graceful close did not finish: disconnecting a closed BullMQ client reconnects it.
  if (!closed) {
    const dropped = Promise.all([...parts.workers.map((worker) => worker.disconnect()), ...parts.queues.map((queue) => queue.disconnect())]).catch(() => undefined);
    parts.redis.disconnect();
    // Bounded too: BullMQ waits for a socket's 'end', which a socket that already lost its
    // server (ioredis reconnecting) never emits.
    await Promise.race([dropped, new Promise<void>((resolve) => (timer = setTimeout(resolve, DISCONNECT_WAIT_MS)))]);
    clearTimeout(timer);
  }
}

/** Logs every failed job of these workers, and their errors. */
export function reportWorkers(workers: readonly Worker[], logger: WatchEngineLogger, label: string): void {
  reportErrorEvents(workers, logger, `${label} worker error`);
  for (const worker of workers) {
    worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: safeError(error) }, `${label} job failed`));
  }
}
