/**
 * The BullMQ watch engine: implements {@link WatchService} on Redis. Two queues: `watch-poll`
 * holds one sweep job per poll group (kind, account, region) and `watch-notify` one delivery job
 * per watch and change. Records live next to the queues under `<prefix>:tw:*` (see
 * `watch-keys.ts`), each with a version field. A `web` process registers and lists watches; a
 * `worker` process polls and delivers; `all` does both. See `poll-sweeper.ts` and
 * `delivery-processor.ts` for how polling is shared and deliveries stay exactly-once.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WatchConfig } from '../config';
import { DEFAULT_ACCOUNT } from '../config';
import type { RateBudget } from '../providers/rate-budget';
import { TASK_KINDS, type ProviderRegistry, type TaskKind, type TaskRef } from '../providers/types';
import { DEFAULT_DELIVERY_RETRY_MAX_MS, DEFAULT_DELIVERY_RETRY_MS, DeliveryProcessor, type DeliveryHold } from './delivery-processor';
import { formatChannelAddress, type ChannelAddress, type ChatPlatform, type Notifier } from './notifier';
import { safeError } from '../observability/safe-error';
import { PollSweeper } from './poll-sweeper';
import { reportErrorEvents } from './error-events';
import { createRedisConnection } from './redis-connection';
import { queueOptions } from './queue-options';
import type { TaskwatchMetrics } from '../observability/metrics';
import { SILENT_WATCH_LOGGER, type WatchEngineLogger } from './watch-engine-logger';
import { JOB_VERSION, groupIdOf, taskKeyOf, watchIdOf, type ResolvedTask } from './watch-keys';
import { UNWATCHED_ENDING, placeholderStatus } from './watch-policy';
import type { DeliveryJobData, SweepJobData, TaskRecord, WatchRecord } from './watch-records';
import { WatchStore } from './watch-store';
import { DurationRecorder } from './durations/duration-recorder';
import { DurationStore } from './durations/duration-store';
import { StuckCheck } from './durations/stuck-check';
import type { WatchRequest, WatchService, WatchSummary } from './watch-service';
import { canonicalTaskId, kindRequiresRegion } from '../providers/kinds';

/** Which parts of the engine a process runs. */
export type WatchEngineRole = 'web' | 'worker' | 'all';

/** Tuning that tests and benchmarks change; production keeps the defaults. */
export interface WatchEngineTuning {
  /** BullMQ job lock; a crashed worker's jobs are taken over after it expires. Default 30 s. */
  readonly lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. Default 30 s. */
  readonly stalledIntervalMs?: number;
  /** Sweep jobs (poll groups) one worker runs at once. Default 8. */
  readonly pollConcurrency?: number;
  /** Delivery jobs one worker runs at once. Default 16. */
  readonly deliveryConcurrency?: number;
  /** How often a worker re-creates missing sweep jobs and flushes a stuck outbox. Default `maxIntervalMs`. */
  readonly supervisorIntervalMs?: number;
}

/** Options of {@link createWatchEngine}. */
export interface WatchEngineOptions {
  /** Redis: host and port, or a `redis://` URL. */
  readonly connection: { readonly host: string; readonly port: number } | string;
  /** Prefix of every queue and record key; tests pass a unique one. Default `taskwatch`. */
  readonly prefix?: string;
  readonly providers: ProviderRegistry;
  /** One notifier per platform. */
  readonly notifiers: readonly Notifier[];
  readonly watch: WatchConfig;
  /**
   * The budget the providers were built with (see {@link RedisRateBudget}); the providers
   * already spend it on every call, so the engine only keeps it for its own future listing calls.
   */
  readonly rateBudget?: RateBudget;
  /** The engine's clock for watch start, deadlines and task age; default `Date.now`. Scheduling uses real time. */
  readonly now?: () => number;
  readonly role: WatchEngineRole;
  readonly logger?: WatchEngineLogger;
  /** Least ms between two thread replies in one channel, per platform. Default Slack 1000, Discord 1000, terminal 0. */
  readonly deliverySpacingMs?: Partial<Record<ChatPlatform, number>>;
  readonly tuning?: WatchEngineTuning;
  /** Counters and gauges to keep; {@link WatchEngine.refreshMetrics} fills the gauges. */
  readonly metrics?: Pick<TaskwatchMetrics, 'activeWatches' | 'notifications' | 'queueDepth'> & Partial<Pick<TaskwatchMetrics, 'activeWatchesByAccount' | 'taskDurations'>>;
  /** Holds deliveries to a channel while it is muted (see `src/jobs/subscriptions/channel-mute.ts`). */
  readonly deliveryHold?: DeliveryHold;
}

/** The watch engine: a {@link WatchService} with a lifecycle. */
export interface WatchEngine extends WatchService {
  /** Starts the workers (role `worker` or `all`) and the supervisor. */
  start(): Promise<void>;
  /** Graceful: lets in-flight jobs finish (or return to their queue), then closes every connection. */
  stop(): Promise<void>;
  /** The BullMQ queues, for the admin dashboard. */
  readonly queues: readonly Queue[];
  /** Updates the queue-depth and active-watch gauges (call before serving /metrics). */
  refreshMetrics(): Promise<void>;
  /** How long ended tasks took, per group (for `/task-status stats` and estimates). */
  readonly durations: DurationStore;
}

/** How long `stop()` waits for in-flight jobs before dropping connections. */
const GRACEFUL_STOP_MS = 10_000;

/**
 * How long a command's reservation of a watch holds (see {@link WatchStore.reserveWatch}): long
 * enough to post a card (the chat clients give up on a call after 10 s); a command that died
 * meanwhile blocks the watch no longer than this.
 */
const RESERVATION_TTL_MS = 30_000;

/** How often a command waiting for another's reservation looks again. */
const RESERVATION_POLL_MS = 50;

/** Default per-platform spacing of thread replies in one channel. */
export const DEFAULT_DELIVERY_SPACING_MS: Readonly<Record<ChatPlatform, number>> = { slack: 1000, discord: 1000, terminal: 0 };

export { EVENTS_KEPT } from './queue-options';

/** Name of the queue of sweep jobs. */
export const POLL_QUEUE = 'watch-poll';
/** Name of the queue of delivery jobs. */
export const NOTIFY_QUEUE = 'watch-notify';


/** Creates the engine; nothing runs until {@link WatchEngine.start}. */
export function createWatchEngine(options: WatchEngineOptions): WatchEngine {
  const prefix = options.prefix ?? 'taskwatch';
  const now = options.now ?? Date.now;
  const logger = options.logger ?? SILENT_WATCH_LOGGER;
  const tuning = options.tuning ?? {};
  const redis: Redis = createRedisConnection(options.connection);
  const store = new WatchStore(redis, `${prefix}:tw`);
  const pollQueue = new Queue<SweepJobData>(POLL_QUEUE, queueOptions(redis, prefix));
  const notifyQueue = new Queue<DeliveryJobData>(NOTIFY_QUEUE, queueOptions(redis, prefix));
  reportErrorEvents([pollQueue, notifyQueue], logger, 'watch queue error');
  // Looked up at use: the composition root may add a platform's notifier after creating the engine.
  const notifiers = {
    get: (platform: ChatPlatform): Notifier | undefined => options.notifiers.find((notifier) => notifier.platform === platform),
  };
  const workers: Worker[] = [];
  let supervisor: NodeJS.Timeout | null = null;
  let stopped = false;

  const flushOutbox = async (): Promise<void> => {
    const entries = await store.outboxEntries(Date.now(), 1000);
    if (entries.length === 0) return;
    const watches = new Map((await store.loadWatches(entries.map((entry) => entry.watchId))).map((watch) => [watch.watchId, watch]));
    const jobs: { name: string; data: DeliveryJobData; opts: Record<string, unknown> }[] = [];
    for (const entry of entries) {
      const watch = watches.get(entry.watchId);
      if (!watch) continue;
      const task = await store.loadTask(watch.taskKey);
      const seq = task?.seq ?? 0;
      jobs.push({
        name: 'deliver',
        data: { v: JOB_VERSION, watchId: watch.watchId },
        opts: {
          // Idempotent: the same change of the same watch is one job, however often it is flushed.
          jobId: `${watch.watchId}-${seq}${watch.endReason !== null ? '-end' : ''}`,
          // A failed post never fails the job (it is parked and tried again, see
          // delivery-processor.ts); these attempts only cover the engine's own errors.
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: { age: 86_400 },
        },
      });
    }
    if (jobs.length > 0) await notifyQueue.addBulk(jobs);
    for (const entry of entries) await store.settleOutbox(entry);
  };

  const ensureSweep = async (groupId: string, wake: boolean): Promise<void> => {
    const jobId = `sweep-${groupId}`;
    await pollQueue.add(
      'sweep',
      { v: JOB_VERSION, groupId },
      { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1_000_000, backoff: { type: 'fixed', delay: options.watch.intervalMs } },
    );
    if (!wake) return;
    const job = await pollQueue.getJob(jobId);
    // A sleeping sweep is woken for a new task; one that is running reschedules itself anyway.
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  };

  /**
   * Removes a poll group with nothing to poll, and its sweep, which would otherwise reschedule
   * itself forever (groups are made at will: every region a user types is one). The sweep goes
   * first and the group only if still idle; a task that joins in between finds no sweep and
   * makes one (`ensureSweep` after subscribing), or is found here and gets its sweep back.
   * A sweep that is running is left for the next pass.
   */
  const removeIfIdle = async (groupId: string): Promise<void> => {
    const job = await pollQueue.getJob(`sweep-${groupId}`);
    if (job) {
      if (!(await job.isDelayed())) return;
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
    if (!(await store.removeIdleGroup(groupId))) await ensureSweep(groupId, false);
  };

  const supervise = async (): Promise<void> => {
    try {
      for (const groupId of await store.groupIds()) {
        if ((await store.nextDue(groupId)) !== null) await ensureSweep(groupId, false);
        else await removeIfIdle(groupId);
      }
      await flushOutbox();
    } catch (error) {
      logger.warn({ err: safeError(error) }, 'watch supervisor pass failed');
    }
  };

  const resolve = (ref: TaskRef): ResolvedTask => {
    const account = ref.account?.trim() || DEFAULT_ACCOUNT;
    const region = kindRequiresRegion(ref.kind) ? ref.region?.trim() || options.providers.defaultRegion(ref.kind, account) : null;
    // Canonical, so that every way in (chat, buttons, API, restarts) keys one task one way.
    return { kind: ref.kind, account, region: region ?? null, id: canonicalTaskId(ref.kind, ref.id) };
  };

  const summarize = async (watch: WatchRecord, task: TaskRecord | null, resolved?: ResolvedTask): Promise<WatchSummary> => {
    const source = task ?? resolved;
    const channel = watch.channel.split(':');
    const nextCheck = watch.endReason === null && task ? await store.nextCheckOf(task.groupId, task.taskKey) : null;
    return {
      watchId: watch.watchId,
      ref: { kind: source?.kind ?? (TASK_KINDS[0] as TaskKind), id: source?.id ?? '', region: source?.region ?? '', account: source?.account ?? DEFAULT_ACCOUNT },
      channel: { platform: channel[0] as ChatPlatform, channelId: channel.slice(1).join(':') },
      state: task?.status?.state ?? null,
      rawStatus: task?.status?.rawStatus ?? null,
      startedAt: watch.startedAt,
      deadlineAt: watch.deadlineAt,
      nextCheckAt: nextCheck === null ? null : new Date(nextCheck).toISOString(),
      endReason: watch.endReason,
      cardMessageId: watch.cardMessageId,
    };
  };

  const endWatches = async (watchIds: readonly string[]): Promise<number> => {
    let ended = 0;
    for (const watch of await store.loadWatches(watchIds)) {
      if (watch.endReason !== null) continue;
      const task = await store.loadTask(watch.taskKey);
      if (await store.endWatch(watch, task?.groupId ?? '', UNWATCHED_ENDING, Date.now())) ended += 1;
    }
    await flushOutbox();
    return ended;
  };

  /**
   * Subscribes one watch under a reservation, so that commands for the same task and channel
   * at once make one watch with one card: the later one waits for the first and answers with
   * its watch. An ended watch whose ending was not told yet goes on on its own card.
   */
  const subscribeOne = async (request: WatchRequest, resolved: ResolvedTask, taskKey: string, watchId: string, channel: string): Promise<WatchSummary | null> => {
    const token = randomBytes(8).toString('hex');
    const waitUntil = Date.now() + RESERVATION_TTL_MS + RESERVATION_POLL_MS * 4;
    let reservation = await store.reserveWatch(watchId, token, Date.now(), RESERVATION_TTL_MS);
    while (reservation === 'busy') {
      if (Date.now() > waitUntil) throw new Error('Another command is still starting this watch; try again.');
      await new Promise((resume) => setTimeout(resume, RESERVATION_POLL_MS));
      reservation = await store.reserveWatch(watchId, token, Date.now(), RESERVATION_TTL_MS);
    }
    if (reservation === 'active') {
      const existing = await store.loadWatch(watchId);
      return existing ? summarize(existing, await store.loadTask(taskKey), resolved) : null;
    }
    try {
      const startedAt = new Date(now()).toISOString();
      const deadlineAt = new Date(now() + options.watch.deadlineMs).toISOString();
      const base = { watchId, taskKey, task: resolved, channel, requestedBy: request.requestedBy, startedAt, deadlineAt, reservation: token };
      let seqNow = -1;
      let cardSeq: number | undefined;
      if (reservation === 'revive' && !request.cardMessageId) {
        seqNow = await store.subscribe({ ...base, cardMessageId: '', realNow: Date.now(), revive: true });
        // Revived with what its card showed: a change it missed is in the outbox.
        if (seqNow >= 0) cardSeq = -1;
      }
      if (seqNow < 0) {
        let cardMessageId = request.cardMessageId;
        if (!cardMessageId) {
          const notifier = notifiers.get(request.channel.platform);
          if (!notifier) throw new Error(`No notifier is configured for ${request.channel.platform}.`);
          const task = await store.loadTask(taskKey);
          const shown = task && task.endReason === null && task.status ? task.status : null;
          // What the card shows, so that a change recorded while it is being posted still reaches it.
          cardSeq = shown && task ? task.seq : 0;
          const status = shown ?? placeholderStatus(resolved, startedAt);
          cardMessageId = await notifier.postCard(request.channel, {
            status,
            watch: { watchId, startedAt, deadlineAt, nextCheckAt: startedAt, endReason: null },
          });
        }
        seqNow = await store.subscribe({ ...base, cardMessageId, realNow: Date.now(), ...(cardSeq === undefined ? {} : { cardSeq }) });
      }
      await ensureSweep(groupIdOf(resolved), true);
      if (cardSeq !== undefined && seqNow > cardSeq) await flushOutbox();
    } finally {
      await store.releaseReservation(watchId, token);
    }
    const created = await store.loadWatch(watchId);
    return created ? summarize(created, await store.loadTask(taskKey), resolved) : null;
  };

  const durations = new DurationStore(redis, `${prefix}:tw`, { startTtlSeconds: Math.ceil(options.watch.deadlineMs / 1000) + 86_400 });
  const durationRecorder = new DurationRecorder(durations, logger, options.metrics?.taskDurations);
  const stuck = new StuckCheck(redis, `${prefix}:tw`, store.keys, durations, { now, ttlSeconds: Math.ceil(options.watch.deadlineMs / 1000) + 86_400, logger });
  const sweeper = new PollSweeper({ store, providers: options.providers, watch: options.watch, now, flushOutbox, logger, durations: durationRecorder, stuck });
  const delivery = new DeliveryProcessor({
    store,
    notifiers,
    watch: options.watch,
    spacingMs: { ...DEFAULT_DELIVERY_SPACING_MS, ...options.deliverySpacingMs },
    now,
    nextCheckOf: (task) => store.nextCheckOf(task.groupId, task.taskKey),
    onDelivery: (platform, outcome) => options.metrics?.notifications.inc({ platform, outcome }),
    retry: { minMs: options.watch.deliveryRetryMs ?? DEFAULT_DELIVERY_RETRY_MS, maxMs: options.watch.deliveryRetryMaxMs ?? DEFAULT_DELIVERY_RETRY_MAX_MS },
    logger,
    ...(options.deliveryHold ? { hold: options.deliveryHold } : {}),
    stuck,
    // A card without its expectation is still worth posting: a failed read must not hold it.
    expectationOf: (taskKey, status) =>
      durations.expectation(taskKey, status, now()).catch((error: unknown) => {
        logger.warn({ err: safeError(error), taskKey }, 'could not read what to expect of a task');
        return null;
      }),
  });

  return {
    queues: [pollQueue, notifyQueue],
    durations,

    async refreshMetrics(): Promise<void> {
      const metrics = options.metrics;
      if (!metrics) return;
      metrics.activeWatches.set(await store.activeWatchCount());
      if (metrics.activeWatchesByAccount) {
        const byAccount = await store.watchesByAccount();
        // Reset first: an account whose last watch ended must drop to nothing, not keep its old value.
        metrics.activeWatchesByAccount.reset();
        for (const entry of byAccount) metrics.activeWatchesByAccount.set({ kind: entry.kind, account: entry.account }, entry.watches);
      }
      for (const queue of [pollQueue, notifyQueue]) {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
        for (const [state, count] of Object.entries(counts)) metrics.queueDepth.set({ queue: queue.name, state }, count);
      }
    },

    async watch(request: WatchRequest): Promise<WatchSummary[]> {
      const channel = formatChannelAddress(request.channel);
      const summaries: WatchSummary[] = [];
      for (const ref of request.refs) {
        const resolved = resolve(ref);
        const taskKey = taskKeyOf(resolved);
        const watchId = watchIdOf(taskKey, channel);
        const summary = await subscribeOne(request, resolved, taskKey, watchId, channel);
        if (summary) summaries.push(summary);
      }
      return summaries;
    },

    async unwatch(channel: ChannelAddress, refs: readonly TaskRef[]): Promise<number> {
      const address = formatChannelAddress(channel);
      return endWatches(refs.map((ref) => watchIdOf(taskKeyOf(resolve(ref)), address)));
    },

    async unwatchAll(channel: ChannelAddress): Promise<number> {
      return endWatches(await store.channelWatchIds(formatChannelAddress(channel)));
    },

    async list(channel: ChannelAddress): Promise<WatchSummary[]> {
      const watches = await store.loadWatches(await store.channelWatchIds(formatChannelAddress(channel)));
      const summaries: WatchSummary[] = [];
      for (const watch of watches) {
        if (watch.endReason !== null) continue;
        summaries.push(await summarize(watch, await store.loadTask(watch.taskKey)));
      }
      return summaries.sort((left, right) => left.startedAt.localeCompare(right.startedAt));
    },

    async start(): Promise<void> {
      if (stopped) throw new Error('This watch engine was stopped; create a new one.');
      if (options.role === 'web') return;
      const lockDuration = tuning.lockDurationMs ?? 30_000;
      const stalledInterval = tuning.stalledIntervalMs ?? 30_000;
      workers.push(
        new Worker<SweepJobData, string>(POLL_QUEUE, (job: Job<SweepJobData>, token?: string) => sweeper.process(job, token), {
          connection: redis,
          prefix,
          concurrency: tuning.pollConcurrency ?? 8,
          lockDuration,
          stalledInterval,
          // A sweep that stalls (its worker died) must be picked up again, never failed.
          maxStalledCount: 1_000_000,
        }),
        new Worker<DeliveryJobData, string>(NOTIFY_QUEUE, (job: Job<DeliveryJobData>, token?: string) => delivery.process(job, token), {
          connection: redis,
          prefix,
          concurrency: tuning.deliveryConcurrency ?? 16,
          lockDuration,
          stalledInterval,
          maxStalledCount: 1_000_000,
        }),
      );
      reportErrorEvents(workers, logger, 'watch worker error');
      for (const worker of workers) {
        worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: safeError(error) }, 'watch job failed'));
      }
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      await supervise();
      supervisor = setInterval(() => void supervise(), tuning.supervisorIntervalMs ?? options.watch.maxIntervalMs);
      supervisor.unref();
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (supervisor) clearInterval(supervisor);
      // Graceful first: in-flight jobs finish or return to their queue. Bounded, because with
      // Redis unreachable these never settle; then drop every socket so no reconnect timer
      // keeps the process alive.
      const graceful = (async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        await Promise.all([pollQueue.close(), notifyQueue.close()]);
        await redis.quit();
        return true;
      })().catch(() => false);
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([graceful, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), GRACEFUL_STOP_MS)))]);
      clearTimeout(timer);
      // Only when the graceful close did not finish: disconnecting a closed BullMQ client reconnects it.
      if (!closed) {
        await Promise.all([...workers.map((worker) => worker.disconnect()), pollQueue.disconnect(), notifyQueue.disconnect()]).catch(() => undefined);
        redis.disconnect();
      }
    },
  };
}
