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
import type { WatchConfig } from '../../config';
import { DEFAULT_ACCOUNT } from '../../config';
import type { RateBudget } from '../../providers/rate-budget';
import { TASK_KINDS, type ProviderRegistry, type TaskKind, type TaskRef, type TaskStatus } from '../../providers/types';
import { isProviderError } from '../../providers/errors';
import { DEFAULT_DELIVERY_RETRY_MAX_MS, DEFAULT_DELIVERY_RETRY_MS, DeliveryProcessor, type DeliveryHold } from '../delivery/delivery-processor';
import { formatChannelAddress, type ChannelAddress, type ChatPlatform, type Notifier, type UncheckedReason } from '../notifier';
import { safeError } from '../../observability/safe-error';
import { PollSweeper } from '../sweeps/poll-sweeper';
import { reportErrorEvents } from '../error-events';
import { NEVER_FAIL_ATTEMPTS, SupervisedGroupQueue, reportWorkers, stopGracefully } from './supervised-group-queue';
import { createRedisConnection } from '../redis-connection';
import { queueOptions } from '../queue-options';
import type { TaskwatchMetrics } from '../../observability/metrics';
import { SILENT_LOGGER, type StructuredLogger } from '../../observability/taskwatch-logger';
import { JOB_VERSION, groupIdOf, taskKeyOf, watchIdOf, type ResolvedTask } from '../watch-life/watch-keys';
import { UNWATCHED_ENDING, endingForStatus, placeholderStatus, replacingTaskId } from '../watch-life/watch-policy';
import type { DeliveryJobData, SweepJobData, TaskRecord, WatchRecord } from '../watch-life/watch-records';
import { WatchStore, type SubscribeInput } from '../watch-life/watch-store';
import { WatchLife } from '../watch-life/watch-life';
import { DurationRecorder } from '../durations/duration-recorder';
import { DurationStore } from '../durations/duration-store';
import { StuckCheck } from '../durations/stuck-check';
import type { WatchRequest, WatchService, WatchSummary } from '../watch-service';
import { canonicalTaskId, kindRequiresRegion } from '../../providers/kinds';

/** What the check before a card found: the task's status, or why there is none. */
type FirstCheck = { readonly status: TaskStatus } | { readonly unchecked: UncheckedReason };

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
  readonly logger?: StructuredLogger;
  /**
   * Least ms between two thread replies in one channel, per platform, overriding the pacing the
   * platform's notifier declares (`Notifier.capabilities`, default 0).
   */
  readonly deliverySpacingMs?: Partial<Record<ChatPlatform, number>>;
  readonly tuning?: WatchEngineTuning;
  /** Counters and gauges to keep; {@link WatchEngine.refreshMetrics} fills the gauges. */
  readonly metrics?: Pick<TaskwatchMetrics, 'activeWatches' | 'notifications' | 'queueDepth'> & Partial<Pick<TaskwatchMetrics, 'activeWatchesByAccount' | 'taskDurations'>>;
  /** Holds deliveries to a channel while it is muted (see `src/jobs/subscriptions/channel-mute.ts`). */
  readonly deliveryHold?: DeliveryHold;
  /** How long the check before a new card may take, rate-budget wait included. Default {@link DEFAULT_FIRST_CHECK_TIMEOUT_MS}. */
  readonly firstCheckTimeoutMs?: number;
}

/**
 * Default bound of the check before a new card: within a chat command's own answer time (Slack
 * and Discord wait far longer once acknowledged; the HTTP API answers at once after it).
 */
export const DEFAULT_FIRST_CHECK_TIMEOUT_MS = 5_000;

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

/**
 * How long a command's reservation of a watch holds (see {@link WatchStore.reserveWatch}): long
 * enough to post a card (the chat clients give up on a call after 10 s); a command that died
 * meanwhile blocks the watch no longer than this.
 */
const RESERVATION_TTL_MS = 30_000;

/** How often a command waiting for another's reservation looks again. */
const RESERVATION_POLL_MS = 50;

export { EVENTS_KEPT } from '../queue-options';

/** Name of the queue of sweep jobs. */
export const POLL_QUEUE = 'watch-poll';
/** Name of the queue of delivery jobs. */
export const NOTIFY_QUEUE = 'watch-notify';


/** Creates the engine; nothing runs until {@link WatchEngine.start}. */
export function createWatchEngine(options: WatchEngineOptions): WatchEngine {
  const prefix = options.prefix ?? 'taskwatch';
  const now = options.now ?? Date.now;
  const logger = options.logger ?? SILENT_LOGGER;
  const tuning = options.tuning ?? {};
  const redis: Redis = createRedisConnection(options.connection);
  const store = new WatchStore(redis, `${prefix}:tw`);
  // Every write to a watch or task goes through its life; the store is read directly.
  const life = new WatchLife(store);
  const sweeps = new SupervisedGroupQueue<SweepJobData>({
    name: POLL_QUEUE,
    connection: redis,
    prefix,
    jobIdOf: (groupId) => `sweep-${groupId}`,
    dataOf: (groupId) => ({ v: JOB_VERSION, groupId }),
    retryDelayMs: options.watch.intervalMs,
    logger,
    label: 'watch',
  });
  const pollQueue = sweeps.queue;
  const notifyQueue = new Queue<DeliveryJobData>(NOTIFY_QUEUE, queueOptions(redis, prefix));
  reportErrorEvents([pollQueue, notifyQueue], logger, 'watch queue error');
  // Looked up at use: the composition root may add a platform's notifier after creating the engine.
  const notifiers = {
    get: (platform: ChatPlatform): Notifier | undefined => options.notifiers.find((notifier) => notifier.platform === platform),
  };
  const workers: Worker[] = [];
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

  const ensureSweep = (groupId: string, wake: boolean): Promise<void> => sweeps.ensure(groupId, wake);

  const supervise = async (): Promise<void> => {
    // A group with nothing to poll loses its sweep, which would otherwise reschedule itself
    // forever (groups are made at will: every region a user types is one).
    for (const groupId of await store.groupIds()) {
      if ((await store.nextDue(groupId)) !== null) await ensureSweep(groupId, false);
      else await sweeps.removeIfIdle(groupId, (idle) => life.removeIdleGroup(idle));
    }
    await flushOutbox();
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
      if (await life.endWatch(watch, task?.groupId ?? '', UNWATCHED_ENDING, Date.now())) ended += 1;
    }
    await flushOutbox();
    return ended;
  };

  /**
   * How a check is recorded: when it ends the watch (a task found finished or unknown), the
   * task is polled again at once, so the sweep ends the watch and its thread hears the ending;
   * else its first poll is one interval on.
   */
  const recordedCheck = (status: TaskStatus, expectedSeq: number): NonNullable<SubscribeInput['checked']> => {
    const ends = endingForStatus(status, status.found, now()) !== null;
    return { status, expectedSeq, dueAt: ends ? Date.now() : Date.now() + options.watch.intervalMs, ends };
  };

  /**
   * The checks new watches make before their cards are posted: as few provider calls as the API
   * allows (DCDN takes 10 IDs a call), through the same rate budget as the sweeps, all bounded
   * by one deadline so that the command still answers in its own time however many IDs it
   * names. A failure is not fatal: that card then says why, and the sweeps go on as usual.
   */
  const firstChecks = async (tasks: readonly { readonly resolved: ResolvedTask; readonly taskKey: string }[]): Promise<Map<string, FirstCheck>> => {
    const results = new Map<string, FirstCheck>();
    const failure = (error: unknown, kind: string): FirstCheck => {
      if (isProviderError(error)) return { unchecked: error.code };
      logger.warn({ err: safeError(error), kind }, 'the check before a card failed');
      return { unchecked: 'internal' };
    };
    const groups = new Map<string, { resolved: ResolvedTask; taskKey: string }[]>();
    for (const task of tasks) {
      if (results.has(task.taskKey) || groups.get(groupIdOf(task.resolved))?.some((member) => member.taskKey === task.taskKey)) continue;
      groups.set(groupIdOf(task.resolved), [...(groups.get(groupIdOf(task.resolved)) ?? []), task]);
    }
    if (groups.size === 0) return results;
    const signal = AbortSignal.timeout(options.firstCheckTimeoutMs ?? DEFAULT_FIRST_CHECK_TIMEOUT_MS);
    for (const members of groups.values()) {
      const { kind, account, region } = (members[0] as { resolved: ResolvedTask }).resolved;
      let provider: ReturnType<ProviderRegistry['get']>;
      try {
        provider = options.providers.get(kind, account);
      } catch (error) {
        for (const member of members) results.set(member.taskKey, failure(error, kind));
        continue;
      }
      const size = Math.max(1, provider.maxIdsPerCall);
      for (let index = 0; index < members.length; index += size) {
        const batch = members.slice(index, index + size);
        try {
          const statuses = await provider.describe(
            batch.map((member) => member.resolved.id),
            { ...(region ? { region } : {}), signal },
          );
          batch.forEach((member, position) => {
            const status = statuses[position];
            // An API that takes no ID answers about the latest task: a newer one is not this one.
            const replaced = status && !provider.takesId && replacingTaskId({ id: member.resolved.id, status: null }, status) !== null;
            results.set(member.taskKey, !status ? { unchecked: 'internal' } : replaced ? { unchecked: 'replaced' } : { status });
          });
        } catch (error) {
          for (const member of batch) results.set(member.taskKey, failure(error, kind));
        }
      }
    }
    return results;
  };

  /**
   * Subscribes one watch under a reservation, so that commands for the same task and channel
   * at once make one watch with one card: the later one waits for the first and answers with
   * its watch. An ended watch whose ending was not told yet goes on on its own card.
   */
  const subscribeOne = async (
    request: WatchRequest,
    resolved: ResolvedTask,
    taskKey: string,
    watchId: string,
    channel: string,
    prechecked?: FirstCheck,
  ): Promise<WatchSummary | null> => {
    const token = randomBytes(8).toString('hex');
    const waitUntil = Date.now() + RESERVATION_TTL_MS + RESERVATION_POLL_MS * 4;
    let reservation = await life.reserve(watchId, token, Date.now(), RESERVATION_TTL_MS);
    while (reservation === 'busy') {
      if (Date.now() > waitUntil) throw new Error('Another command is still starting this watch; try again.');
      await new Promise((resume) => setTimeout(resume, RESERVATION_POLL_MS));
      reservation = await life.reserve(watchId, token, Date.now(), RESERVATION_TTL_MS);
    }
    if (reservation === 'active') {
      const existing = await store.loadWatch(watchId);
      return existing ? summarize(existing, await store.loadTask(taskKey), resolved) : null;
    }
    try {
      const startedAt = new Date(now()).toISOString();
      const deadlineAt = new Date(now() + options.watch.deadlineMs).toISOString();
      const base = { watchId, taskKey, task: resolved, channel, requestedBy: request.requestedBy, startedAt, deadlineAt, reservation: token, progress: request.progress ?? 'card' };
      let seqNow = -1;
      let cardSeq: number | 'checked' | undefined;
      if (reservation === 'revive' && !request.cardMessageId) {
        seqNow = await life.subscribe({ ...base, cardMessageId: '', realNow: Date.now(), revive: true });
        // Revived with what its card showed: a change it missed is in the outbox.
        if (seqNow >= 0) cardSeq = -1;
      }
      if (seqNow < 0) {
        let cardMessageId = request.cardMessageId;
        let cardPostedAt: number | undefined;
        const task = await store.loadTask(taskKey);
        const shown = task && task.endReason === null && task.status ? task.status : null;
        // No status to show yet: check first, so the card (or the button's message, edited at
        // once) shows the task's real state, recorded as its first observation.
        const check = shown ? null : (prechecked ?? (await firstChecks([{ resolved, taskKey }])).get(taskKey) ?? { unchecked: 'internal' as const });
        const checked = check && 'status' in check ? recordedCheck(check.status, task?.seq ?? 0) : undefined;
        if (!cardMessageId) {
          const notifier = notifiers.get(request.channel.platform);
          if (!notifier) throw new Error(`No notifier is configured for ${request.channel.platform}.`);
          // What the card shows, so that a change recorded while it is being posted still reaches it.
          cardSeq = shown && task ? task.seq : checked ? 'checked' : 0;
          const status = shown ?? checked?.status ?? placeholderStatus(resolved, startedAt);
          const nextCheckAt = new Date(checked ? checked.dueAt : Date.now()).toISOString();
          // What to expect, as every later edit of the card shows it; a failed read must not hold the card.
          const expected = shown || checked ? await durations.expectation(taskKey, status, now()).catch(() => null) : null;
          cardMessageId = await notifier.postCard(request.channel, {
            status,
            watch: { watchId, startedAt, deadlineAt, nextCheckAt, endReason: null },
            ...(expected && !status.terminal ? { expected } : {}),
            ...(check && 'unchecked' in check ? { unchecked: check.unchecked } : {}),
          });
          // On the engine clock, as the delivery judges a platform's edit window by it.
          cardPostedAt = now();
        } else if (checked) {
          // The button's message shows what its query found: edited to the check at once.
          cardSeq = 0;
        }
        seqNow = await life.subscribe({
          ...base,
          cardMessageId,
          realNow: Date.now(),
          ...(cardPostedAt === undefined ? {} : { cardPostedAt }),
          ...(cardSeq === undefined ? {} : { cardSeq }),
          ...(checked ? { checked } : {}),
        });
        if (checked) {
          const after = await store.loadTask(taskKey);
          const recorded = after?.seq === seqNow && after.status?.observedAt === checked.status.observedAt;
          // Recorded: the check is the task's first observation, remembered like a sweep's.
          if (recorded) await durationRecorder.observe(taskKey, null, checked.status);
          // Dropped (a sweep recorded first): the card is edited to what the sweep saw, at once.
          else if (cardSeq === 'checked') await flushOutbox();
        }
      }
      await ensureSweep(groupIdOf(resolved), true);
      if (typeof cardSeq === 'number' && seqNow > cardSeq) await flushOutbox();
    } finally {
      await life.releaseReservation(watchId, token);
    }
    const created = await store.loadWatch(watchId);
    return created ? summarize(created, await store.loadTask(taskKey), resolved) : null;
  };

  const durations = new DurationStore(redis, `${prefix}:tw`, { startTtlSeconds: Math.ceil(options.watch.deadlineMs / 1000) + 86_400 });
  const durationRecorder = new DurationRecorder(durations, logger, options.metrics?.taskDurations);
  const stuck = new StuckCheck(redis, `${prefix}:tw`, store.keys, durations, { now, ttlSeconds: Math.ceil(options.watch.deadlineMs / 1000) + 86_400, logger });
  const sweeper = new PollSweeper({ store, life, providers: options.providers, watch: options.watch, now, flushOutbox, logger, durations: durationRecorder, stuck });
  const delivery = new DeliveryProcessor({
    store,
    life,
    notifiers,
    watch: options.watch,
    spacingMs: (platform) => options.deliverySpacingMs?.[platform] ?? notifiers.get(platform)?.capabilities?.pacingMs ?? 0,
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
      const entries = request.refs.map((ref) => {
        const resolved = resolve(ref);
        const taskKey = taskKeyOf(resolved);
        return { resolved, taskKey, watchId: watchIdOf(taskKey, channel) };
      });
      // Checked together before any card is posted: tasks with no status to show yet, for
      // watches not already running here (those post no card).
      const [tasks, running] = await Promise.all([store.loadTasks(entries.map((entry) => entry.taskKey)), store.loadWatches(entries.map((entry) => entry.watchId))]);
      const active = new Set(running.filter((watch) => watch.endReason === null).map((watch) => watch.watchId));
      const unchecked = entries.filter((entry) => {
        const record = tasks.get(entry.taskKey)?.record;
        return !active.has(entry.watchId) && !(record && record.endReason === null && record.status);
      });
      const checks = await firstChecks(unchecked);
      const summaries: WatchSummary[] = [];
      for (const { resolved, taskKey, watchId } of entries) {
        const summary = await subscribeOne(request, resolved, taskKey, watchId, channel, checks.get(taskKey));
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
        sweeps.worker((job: Job<SweepJobData>, token?: string) => sweeper.process(job, token), {
          concurrency: tuning.pollConcurrency ?? 8,
          lockDurationMs: lockDuration,
          stalledIntervalMs: stalledInterval,
        }),
        new Worker<DeliveryJobData, string>(NOTIFY_QUEUE, (job: Job<DeliveryJobData>, token?: string) => delivery.process(job, token), {
          connection: redis,
          prefix,
          concurrency: tuning.deliveryConcurrency ?? 16,
          lockDuration,
          stalledInterval,
          // A delivery that stalls (its worker died) must be picked up again, never failed.
          maxStalledCount: NEVER_FAIL_ATTEMPTS,
        }),
      );
      reportWorkers(workers, logger, 'watch');
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      await sweeps.startSupervisor(supervise, tuning.supervisorIntervalMs ?? options.watch.maxIntervalMs);
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      sweeps.stopSupervisor();
      await stopGracefully({ workers, queues: [pollQueue, notifyQueue], redis });
    },
  };
}
