/**
 * Channel subscriptions on BullMQ: implements {@link SubscriptionService}. Subscriptions of one
 * kind, account and area form a group with ONE sweep job (queue `subscription-poll`), so
 * one listing serves every channel subscribed there and BullMQ's job lock keeps two workers
 * from listing the same group at once.
 *
 * CDN: each sweep lists `DescribePushTasks` over `[cursor - overlap, now]` (both ends
 * inclusive, paged), so a task that shows up late or sits exactly on a window edge is listed by
 * two sweeps; the cursor moves only after a sweep succeeded. A per-subscription "seen" set,
 * kept longer than any window reaches back, turns that overlap into exactly one watch: a task
 * is taken by an atomic add-if-absent, noted as pending, handed to the watch engine (card and
 * threaded changes exactly as a manual watch) and only then cleared from pending, so a crash in
 * between retries the watch (which the engine does not double) rather than losing the task.
 * Subscriptions filtered by status also list the last `statusLookbackMs` by each status, because
 * a prefetch fails minutes after it was submitted.
 *
 * TCSS: each sweep asks `DescribeUnfinishRefreshTask`; a TaskId not seen before is a new task
 * and gets a watch, which reports its start, finish or failure.
 *
 * Re-authorization: a subscription outlives the rules it was created under (it is in Redis,
 * across restarts and accounts-file edits). At start, and before every sweep that could
 * announce a task, each subscription is checked against the current rules (`authorize`, and
 * whether its account is still configured). One that no longer passes is suspended: it leaves
 * its group, so nothing more is listed or announced for it, the audit log says so, and the
 * channel is told why, once (retried until a post succeeds). Subscribing again resumes it.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, type Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_ACCOUNT } from '../../config';
import { isProviderError, type ProviderError } from '../../providers/errors';
import { isReportedTaskId, kindDescriptor, kindListsByWindow, storedTaskKind } from '../../providers/kinds';
import type { ProviderRegistry, TaskRef, TaskStatus } from '../../providers/types';
import { formatChannelAddress, NotifierRateLimitedError, NotifierTargetGoneError, parseChannelAddress, type ChannelAddress, type ChatPlatform, type HeldNewTask, type Notifier } from '../notifier';
import { safeError } from '../../observability/safe-error';
import { reportErrorEvents } from '../error-events';
import { SUBSCRIPTION_COMMANDS, runLua } from '../lua-commands';
import { queueOptions } from '../queue-options';
import { SupervisedGroupQueue, rescheduleGroupJob, reportWorkers, stopGracefully } from './supervised-group-queue';
import { createRedisConnection, type RedisConnectionTarget } from '../redis-connection';
import { SILENT_LOGGER, type StructuredLogger } from '../../observability/taskwatch-logger';
import { CLAIM_TTL_MS, DEFAULT_DELIVERY_RETRY_MAX_MS, DEFAULT_DELIVERY_RETRY_MS, deliveryRetryDelayMs, type DeliveryRetry } from '../delivery/delivery-processor';
import { NOTIFY_QUEUE, type WatchEngineRole } from './watch-engine';
import type { WatchService } from '../watch-service';
import { WatchStore } from '../watch-life/watch-store';
import { WatchLife } from '../watch-life/watch-life';
import { ChannelMutes, type StagedRelease } from '../subscriptions/channel-mute';
import { canListWindow, listWholeWindow } from '../sweeps/window-listing';
import { matchesFilter, mergeListedTasks } from '../subscriptions/subscription-filter';
import { isSubscriptionRefusedError, SubscriptionRefusedError } from '../subscriptions/subscription-refusal';
import {
  SUBSCRIPTION_RECORD_VERSION,
  SubscriptionKeys,
  channelTokenOf,
  readSubscriptionRecord,
  requireSubscriptionJobVersion,
  subscriptionFields,
  subscriptionGroupIdOf,
  subscriptionIdOf,
  type MuteReleaseJobData,
  type SubscriptionGroup,
  type SubscriptionRecord,
  type SubscriptionSweepJobData,
} from '../subscriptions/subscription-records';
import {
  type MuteState,
  type SubscribeRequest,
  type SubscriptionAccessDecision,
  type SubscriptionAuthorizer,
  type SubscriptionService,
  type SubscriptionSummary,
  type SubscriptionSuspendReason,
  type UnmuteOutcome,
} from '../subscriptions/subscription-service';
import type { AuditLog } from '../../accounts/audit-log';

/** Name of the queue of subscription sweeps and mute releases. */
export const SUBSCRIPTION_QUEUE = 'subscription-poll';

/** Timing that tests change; production keeps the defaults. */
export interface SubscriptionTuning {
  /** Pause between two sweeps of a group (real time). Default 30 s; `taskwatch start` passes `WATCH_INTERVAL_MS`. */
  readonly intervalMs?: number;
  /** How far each CDN window reaches back before the previous one's end. Default 5 min. */
  readonly overlapMs?: number;
  /** How far status-filtered subscriptions look back for tasks that reached the status. Default 24 h. */
  readonly statusLookbackMs?: number;
  /** How long a taken TaskId is remembered; always longer than any window reaches back. */
  readonly seenRetentionMs?: number;
  /** How often a worker re-creates missing sweeps and ends expired mutes. Default 15 s. */
  readonly supervisorIntervalMs?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

/** Options of {@link createSubscriptionEngine}. */
export interface SubscriptionEngineOptions {
  readonly connection: RedisConnectionTarget;
  /** The watch engine's prefix; subscriptions live next to its records. Default `taskwatch`. */
  readonly prefix?: string;
  readonly providers: ProviderRegistry;
  /** Where new tasks become watches. */
  readonly watches: WatchService;
  /** For mute summaries; looked up at use. */
  readonly notifiers: readonly Notifier[];
  readonly role: WatchEngineRole;
  /** The engine clock (task windows, mutes); scheduling uses real time. Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: StructuredLogger;
  readonly tuning?: SubscriptionTuning;
  /** The back-off of a mute summary the chat platform refused; the watch engine's (default 1 s doubling up to 5 min). */
  readonly deliveryRetry?: DeliveryRetry;
  /**
   * The current access rules for a stored subscription; absent: only a vanished account
   * suspends one. The composition root builds it from the accounts file's policy.
   */
  readonly authorize?: SubscriptionAuthorizer;
  /** Where suspensions are recorded; absent: they are only logged. */
  readonly audit?: Pick<AuditLog, 'record'>;
}

/** Subscriptions with a lifecycle. */
export interface SubscriptionEngine extends SubscriptionService {
  start(): Promise<void>;
  /** Graceful: in-flight sweeps finish or return to their queue, then every connection closes. */
  stop(): Promise<void>;
  readonly queues: readonly Queue[];
}

type Tuned = Required<Omit<SubscriptionTuning, 'seenRetentionMs'>> & { readonly seenRetentionMs: number };

function tuned(tuning: SubscriptionTuning = {}): Tuned {
  const base = {
    intervalMs: tuning.intervalMs ?? 30_000,
    overlapMs: tuning.overlapMs ?? 300_000,
    statusLookbackMs: tuning.statusLookbackMs ?? 86_400_000,
    supervisorIntervalMs: tuning.supervisorIntervalMs ?? 15_000,
    lockDurationMs: tuning.lockDurationMs ?? 30_000,
    stalledIntervalMs: tuning.stalledIntervalMs ?? 30_000,
  };
  const floor = Math.max(base.overlapMs, base.statusLookbackMs) + base.overlapMs + 3_600_000;
  return { ...base, seenRetentionMs: Math.max(tuning.seenRetentionMs ?? 0, floor) };
}

const ALLOWED: SubscriptionAccessDecision = { allowed: true };

/** How long the check of one task found while muted may take when the mute ends. */
const HELD_CHECK_TIMEOUT_MS = 5_000;

/** Most tasks found while muted that are checked again when the mute ends; the rest keep the state they were found in. */
const MAX_HELD_CHECKS = 100;

/** Throttling backs a group off, doubling per throttled sweep up to this. */
const MAX_BACKOFF_MS = 300_000;

/** Creates the subscription engine; nothing runs until {@link SubscriptionEngine.start}. */
export function createSubscriptionEngine(options: SubscriptionEngineOptions): SubscriptionEngine {
  const prefix = options.prefix ?? 'taskwatch';
  const now = options.now ?? Date.now;
  const logger = options.logger ?? SILENT_LOGGER;
  const tuning = tuned(options.tuning);
  const deliveryRetry: DeliveryRetry = options.deliveryRetry ?? { minMs: DEFAULT_DELIVERY_RETRY_MS, maxMs: DEFAULT_DELIVERY_RETRY_MAX_MS };
  const redis: Redis = createRedisConnection(options.connection);
  const keys = new SubscriptionKeys(`${prefix}:tw:sub`);
  const watchStore = new WatchStore(redis, `${prefix}:tw`);
  // A mute release tells held watches their changes: a transition of each watch's life.
  const watchLife = new WatchLife(watchStore);
  const mutes = new ChannelMutes(redis, prefix, now);
  const sweeps = new SupervisedGroupQueue<SubscriptionSweepJobData>({
    name: SUBSCRIPTION_QUEUE,
    connection: redis,
    prefix,
    jobIdOf: (groupId) => `subsweep-${groupId}`,
    dataOf: (groupId) => ({ v: SUBSCRIPTION_RECORD_VERSION, groupId }),
    retryDelayMs: tuning.intervalMs,
    logger,
    label: 'subscription',
  });
  // Mute releases share the sweeps' queue.
  const queue = sweeps.queue;
  // The watch engine's queue, opened here only to let held deliveries go: with the same options,
  // or this opener would write BullMQ's default event-stream cap over the watch engine's.
  const notifyQueue = new Queue(NOTIFY_QUEUE, queueOptions(redis, prefix));
  reportErrorEvents([queue, notifyQueue], logger, 'subscription queue error');
  const workers: Worker[] = [];
  let stopped = false;

  const notifierFor = (platform: ChatPlatform): Notifier | undefined => options.notifiers.find((notifier) => notifier.platform === platform);

  const ensureSweep = (groupId: string): Promise<void> => sweeps.ensure(groupId);

  const ensureRelease = async (channel: string): Promise<void> => {
    // One release job per channel: the supervisor asks again every pass while a release is
    // unfinished, and a release waiting out a refused summary must not be doubled by each
    // ask. A finished one is removed, so a later mute's release is never swallowed; a release
    // that is running stages whatever a newer unmute held, or the next pass starts another.
    await queue.add(
      'release',
      { v: SUBSCRIPTION_RECORD_VERSION, channel },
      { jobId: `release-${channelTokenOf(channel)}`, removeOnComplete: true, removeOnFail: true, attempts: 10, backoff: { type: 'exponential', delay: 1000 } },
    );
  };

  const loadRecords = async (ids: readonly string[]): Promise<SubscriptionRecord[]> => {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.record(id));
    const results = (await pipeline.exec()) ?? [];
    return ids.map((id, index) => readSubscriptionRecord(id, (results[index]?.[1] ?? {}) as Record<string, string>)).filter((record): record is SubscriptionRecord => record !== null);
  };

  /** `address` is the channel the caller asked about: the one the record is filed under. */
  const summarize = (record: SubscriptionRecord, number: number, address: ChannelAddress): SubscriptionSummary => {
    return {
      subscriptionId: record.id,
      number,
      channel: address,
      kind: record.kind,
      account: record.account,
      region: record.region,
      domain: record.domain,
      statuses: record.statuses,
      createdBy: record.createdBy,
      createdAt: record.createdAt,
      suspended: record.suspended,
    };
  };

  const channelRecords = async (channel: string): Promise<SubscriptionRecord[]> => loadRecords(await redis.zrange(keys.channel(channel), 0, -1));

  const remove = async (record: SubscriptionRecord): Promise<void> => {
    await redis
      .multi()
      .del(keys.record(record.id), keys.seen(record.id), keys.pending(record.id))
      .zrem(keys.channel(record.channel), record.id)
      .srem(keys.members(record.groupId), record.id)
      .exec();
    await redis.srem(keys.untold(), record.id);
    // The last subscription of a group takes the group with it; its sweep then ends by itself.
    await runLua(redis, SUBSCRIPTION_COMMANDS.removeEmptySubscriptionGroup, {
      keys: { members: keys.members(record.groupId), groups: keys.groups(), cursor: keys.cursor(record.groupId) },
      args: { groupId: record.groupId },
    });
  };

  /** Whether a stored subscription still passes: its account exists, and the current rules allow it. */
  const decide = (record: SubscriptionRecord): SubscriptionAccessDecision => {
    try {
      options.providers.get(record.kind, record.account);
    } catch (error) {
      if (isProviderError(error) && error.code === 'not_configured') return { allowed: false, reason: 'unknown_account' };
      throw error;
    }
    const channel = parseChannelAddress(record.channel);
    if (!channel) return { allowed: false, reason: 'channel_not_allowed' };
    return options.authorize?.({ channel, kind: record.kind, account: record.account, createdBy: record.createdBy, createdByGroups: record.createdByGroups }) ?? ALLOWED;
  };

  /**
   * Tells the channel why its subscription was suspended, once: the suspending worker and every
   * supervisor pass may both try, so each try first claims the notice (atomically, with a lease
   * that outlasts a post), and only the claimant posts. Resolves to false when no notifier can
   * tell the channel; true when it was posted, or is told or being told by another try.
   */
  const tellSuspension = async (record: SubscriptionRecord, reason: SubscriptionSuspendReason): Promise<boolean> => {
    const channel = parseChannelAddress(record.channel);
    const notifier = channel ? notifierFor(channel.platform) : undefined;
    if (!channel || !notifier?.postNotice) return false;
    const claim = { untold: keys.untold(), claim: keys.noticeClaim(record.id) };
    const claimant = randomUUID();
    const claimed = await runLua(redis, SUBSCRIPTION_COMMANDS.claimSuspensionNotice, { keys: claim, args: { id: record.id, claimant, ttlMs: CLAIM_TTL_MS } });
    if (claimed !== 1) return true;
    let told = false;
    try {
      await notifier.postNotice(channel, { type: 'subscription_suspended', kind: record.kind, account: record.account, reason });
      told = true;
    } catch (error) {
      // A channel gone for good (archived, deleted, the bot removed) will never hear it: the
      // notice is settled, logged once here, instead of being retried on every supervisor pass.
      if (!(error instanceof NotifierTargetGoneError)) throw error;
      told = true;
      logger.warn({ subscriptionId: record.id, channel: record.channel }, 'the channel is gone for good; its suspension notice is dropped');
    } finally {
      // Not posted: the claim goes back at once, so the next supervisor pass tries again.
      await runLua(redis, SUBSCRIPTION_COMMANDS.settleSuspensionNotice, { keys: claim, args: { id: record.id, claimant, told: told ? '1' : '' } });
    }
    return true;
  };

  const suspend = async (record: SubscriptionRecord, reason: SubscriptionSuspendReason): Promise<void> => {
    const first =
      (await runLua(redis, SUBSCRIPTION_COMMANDS.suspendSubscription, {
        keys: { record: keys.record(record.id), members: keys.members(record.groupId), untold: keys.untold() },
        args: { id: record.id, reason, at: new Date(now()).toISOString() },
      })) === 1;
    if (!first) return;
    await redis.del(keys.pending(record.id));
    await runLua(redis, SUBSCRIPTION_COMMANDS.removeEmptySubscriptionGroup, {
      keys: { members: keys.members(record.groupId), groups: keys.groups(), cursor: keys.cursor(record.groupId) },
      args: { groupId: record.groupId },
    });
    const platform = record.channel.split(':')[0] ?? '';
    options.audit?.record({
      who: `${platform}:${record.createdBy}`,
      platform,
      where: record.channel,
      action: 'subscription.suspend',
      kind: record.kind,
      account: record.account,
      outcome: 'refused',
      reason,
    });
    logger.warn({ subscriptionId: record.id, reason }, 'subscription suspended: it no longer passes the access rules');
    try {
      if (!(await tellSuspension(record, reason))) logger.warn({ subscriptionId: record.id }, 'no notifier can tell this channel about the suspension; will retry');
    } catch (error) {
      logger.warn({ err: safeError(error), subscriptionId: record.id }, 'could not tell the channel about the suspension; will retry');
    }
  };

  /** Suspends every record that no longer passes; resolves to the ones that do. */
  const reauthorize = async (records: readonly SubscriptionRecord[]): Promise<SubscriptionRecord[]> => {
    const passing: SubscriptionRecord[] = [];
    for (const record of records) {
      if (record.suspended !== null) continue;
      const decision = decide(record);
      if (decision.allowed) passing.push(record);
      else await suspend(record, decision.reason);
    }
    return passing;
  };

  const reauthorizeAll = async (): Promise<void> => {
    for (const groupId of await redis.hkeys(keys.groups())) await reauthorize(await loadRecords(await redis.smembers(keys.members(groupId))));
  };

  /** Retries the notices of suspensions no channel has been told about yet; silent, the first failure was logged. */
  const retryUntold = async (): Promise<void> => {
    for (const record of await loadRecords(await redis.smembers(keys.untold()))) {
      if (record.suspended === null) {
        await redis.srem(keys.untold(), record.id);
        continue;
      }
      await tellSuspension(record, record.suspended).catch(() => false);
    }
  };

  /** Hands a taken task to the channel: a watch, or a note in the mute summary. */
  const announce = async (record: SubscriptionRecord, ref: TaskRef, status: Pick<TaskStatus, 'state' | 'rawStatus'>): Promise<void> => {
    const channel = parseChannelAddress(record.channel);
    if (!channel) return;
    const held: HeldNewTask = { kind: ref.kind, id: ref.id, state: status.state, rawStatus: status.rawStatus, ...(ref.account ? { account: ref.account } : {}) };
    if (!(await mutes.noteNewTask(record.channel, held))) {
      await options.watches.watch({ refs: [ref], channel, requestedBy: `subscription:${record.id}` });
    }
    await redis.hdel(keys.pending(record.id), ref.id);
  };

  const offer = async (record: SubscriptionRecord, status: TaskStatus): Promise<void> => {
    const ref: TaskRef = { kind: record.kind, id: status.id, account: record.account };
    const taken = await runLua(redis, SUBSCRIPTION_COMMANDS.takeSubscriptionTask, {
      keys: { seen: keys.seen(record.id), pending: keys.pending(record.id) },
      args: { taskId: status.id, now: now(), entryJson: JSON.stringify({ ref, state: status.state, rawStatus: status.rawStatus }), retentionMs: tuning.seenRetentionMs },
    });
    if (taken !== 1) return;
    try {
      await announce(record, ref, status);
    } catch (error) {
      // Stays pending: the next sweep retries it.
      logger.warn({ err: safeError(error), subscriptionId: record.id }, 'could not start a subscription watch; will retry');
    }
  };

  const retryPending = async (record: SubscriptionRecord): Promise<void> => {
    const pending = await redis.hgetall(keys.pending(record.id));
    for (const json of Object.values(pending)) {
      const entry = JSON.parse(json) as { ref: TaskRef; state: TaskStatus['state']; rawStatus: string };
      try {
        await announce(record, entry.ref, entry);
      } catch (error) {
        logger.warn({ err: safeError(error), subscriptionId: record.id }, 'pending subscription watch failed again');
      }
    }
  };

  /** A kind that lists by window: lists what was created since the last sweep (and, for status filters, what reached a status). */
  const sweepWindow = async (groupId: string, group: SubscriptionGroup, records: readonly SubscriptionRecord[]): Promise<void> => {
    const provider = options.providers.get(group.kind, group.account);
    if (!canListWindow(provider)) throw new SubscriptionRefusedError({ reason: 'cannot_list', kind: group.kind, scope: 'provider' });
    const end = now();
    const cursorText = await redis.get(keys.cursor(groupId));
    const cursor = cursorText === null ? Math.min(...records.map((record) => record.createdAtMs)) : Number(cursorText);
    const area = group.region ?? undefined;
    const listings: TaskStatus[][] = [[...(await listWholeWindow(provider, { startMs: Math.min(cursor - tuning.overlapMs, end), endMs: end, ...(area ? { area } : {}) })).values()]];
    const statuses = [...new Set(records.flatMap((record) => record.statuses))];
    for (const status of statuses) {
      const listed = await listWholeWindow(provider, { startMs: end - tuning.statusLookbackMs, endMs: end, status, ...(area ? { area } : {}) });
      listings.push([...listed.values()]);
    }
    const tasks = [...mergeListedTasks(listings).values()].sort((left, right) => (left.createdAt ?? '').localeCompare(right.createdAt ?? ''));
    for (const record of records) {
      for (const task of tasks) if (matchesFilter(record, task)) await offer(record, task);
    }
    // Only a complete sweep moves the window on; a failed one is listed again in full.
    await redis.set(keys.cursor(groupId), String(end));
  };

  /** A kind without IDs: asks for the account's latest task; a TaskId not seen before is new. */
  const sweepLatest = async (group: SubscriptionGroup, records: readonly SubscriptionRecord[]): Promise<void> => {
    const [status] = await options.providers.get(group.kind, group.account).describe([]);
    const found = status !== undefined && status.found && isReportedTaskId(group.kind, status.id);
    for (const record of records) {
      // The task already there when the channel subscribed is news only while it is unfinished.
      const first = (await redis.hsetnx(keys.record(record.id), 'baselined', '1')) === 1;
      if (!found) continue;
      if (first && status.terminal) {
        await redis.zadd(keys.seen(record.id), 'NX', now(), status.id);
        continue;
      }
      await offer(record, status);
    }
  };

  const processSweep = async (job: Job<SubscriptionSweepJobData>, token: string | undefined): Promise<string> => {
    const data = requireSubscriptionJobVersion(job.data);
    const groupJson = await redis.hget(keys.groups(), data.groupId);
    if (!groupJson) return 'group gone';
    const group = JSON.parse(groupJson) as SubscriptionGroup;
    // Checked before anything can be announced: the rules may have changed since the last sweep.
    const records = await reauthorize(await loadRecords(await redis.smembers(keys.members(data.groupId))));
    let throttled: ProviderError | null = null;
    if (records.length > 0) {
      try {
        for (const record of records) await retryPending(record);
        if (kindListsByWindow(group.kind)) await sweepWindow(data.groupId, group, records);
        else await sweepLatest(group, records);
        for (const record of records) await redis.zremrangebyscore(keys.seen(record.id), '-inf', now() - tuning.seenRetentionMs);
      } catch (error) {
        if (isProviderError(error) && error.code === 'throttled') throttled = error;
        logger.warn({ err: isSubscriptionRefusedError(error) ? error.toJSON() : safeError(error), groupId: data.groupId }, 'subscription sweep failed; the window will be listed again');
      }
    }
    return rescheduleGroupJob(job, token, { nextAt: Date.now() + tuning.intervalMs, throttled, backoff: { intervalMs: tuning.intervalMs, maxIntervalMs: MAX_BACKOFF_MS } });
  };

  /** Lets the deliveries a mute held run now instead of at their next recheck. */
  const releaseHeldJobs = async (staged: StagedRelease): Promise<void> => {
    for (const jobId of staged.heldJobIds) {
      const held = await notifyQueue.getJob(jobId);
      if (held && (await held.isDelayed())) await held.promote().catch(() => undefined);
    }
  };

  /**
   * A task found while muted, with its latest state: the subscription only noted it when found,
   * and it may have finished since. One provider call through the rate budget, bounded; when the
   * check fails (or the API now answers about a newer task), the noted state stands.
   */
  const latestOfHeld = async (task: HeldNewTask): Promise<HeldNewTask> => {
    // Stored as text: a kind this version does not know (or cannot subscribe to) keeps its noted state.
    const kind = storedTaskKind(task.kind);
    if (task.state === 'succeeded' || task.state === 'failed' || kind === null || kindDescriptor(kind).subscription === undefined) return task;
    try {
      const provider = options.providers.get(kind, task.account);
      const [status] = await provider.describe([task.id], { signal: AbortSignal.timeout(HELD_CHECK_TIMEOUT_MS) });
      if (!status || !status.found || status.id !== task.id || (status.state === task.state && status.rawStatus === task.rawStatus)) return task;
      return { ...task, state: status.state, rawStatus: status.rawStatus, foundState: task.foundState ?? task.state };
    } catch (error) {
      logger.warn({ err: safeError(error), kind: task.kind }, 'could not check a task found while muted; the summary gives the state it was found in');
      return task;
    }
  };

  const withLatestStates = async (staged: StagedRelease): Promise<StagedRelease> => {
    const newTasks: HeldNewTask[] = [];
    for (const [index, task] of staged.summary.newTasks.entries()) newTasks.push(index < MAX_HELD_CHECKS ? await latestOfHeld(task) : task);
    return { ...staged, summary: { ...staged.summary, newTasks } };
  };

  const processRelease = async (job: Job<MuteReleaseJobData>): Promise<string> => {
    const { channel } = requireSubscriptionJobVersion(job.data);
    const stagedAsNoted = await mutes.stage(channel, watchLife);
    if (!stagedAsNoted) return 'nothing to release';
    const staged = await withLatestStates(stagedAsNoted);
    const address = parseChannelAddress(channel);
    const notifier = address ? notifierFor(address.platform) : undefined;
    if (address && staged.summary.changes.length + staged.summary.newTasks.length > 0) {
      if (notifier?.postSummary) {
        try {
          await notifier.postSummary(address, staged.summary);
          await watchStore.clearDeliveryFailures(channel);
        } catch (error) {
          // Not posted: the claims go back at once, so held deliveries are not kept spinning
          // on them while the summary waits (a change one of them posts meanwhile is left
          // out of the next try's summary).
          await mutes.releaseClaims(staged, watchLife);
          if (error instanceof NotifierTargetGoneError) {
            // The channel is gone for good: nobody will read a summary. The held deliveries,
            // let go below, meet the same answer and end their watches quietly.
            logger.warn({ channel, reason: error.reason }, 'muted channel is gone for good; its mute summary was dropped');
            await releaseHeldJobs(staged);
            await mutes.finish(channel);
            return 'channel gone';
          }
          if (error instanceof NotifierRateLimitedError) {
            await job.moveToDelayed(Date.now() + error.retryAfterMs, job.token);
            throw new DelayedError();
          }
          // Kept, and tried again with the same back-off as the channel's other deliveries.
          const failures = await watchStore.noteDeliveryFailure(channel);
          if (failures === 1) logger.warn({ channel, err: safeError(error) }, 'mute summary could not be posted; it is kept and retried');
          const pauseMs = deliveryRetryDelayMs(failures, deliveryRetry);
          await watchStore.holdChannel(channel, pauseMs);
          await job.moveToDelayed(Date.now() + pauseMs, job.token);
          throw new DelayedError();
        }
      } else {
        logger.warn({ platform: address.platform }, 'this platform cannot post a mute summary; it was dropped');
      }
    }
    await mutes.markTold(staged, watchLife);
    await releaseHeldJobs(staged);
    await mutes.finish(channel);
    return 'released';
  };

  const supervise = async (): Promise<void> => {
    for (const groupId of await redis.hkeys(keys.groups())) await ensureSweep(groupId);
    for (const channel of await mutes.due()) await ensureRelease(channel);
    await retryUntold();
  };

  return {
    queues: [queue],

    async subscribe(request: SubscribeRequest): Promise<SubscriptionSummary> {
      const channel = formatChannelAddress(request.channel);
      const account = request.account?.trim() || DEFAULT_ACCOUNT;
      // Throws a ProviderError (not_configured) when the account does not exist; the refusals
      // below are facts, worded by the command layer.
      const provider = options.providers.get(request.kind, account);
      const descriptor = kindDescriptor(request.kind);
      const filters = descriptor.subscription;
      if (!filters) {
        throw new SubscriptionRefusedError({ reason: 'not_subscribable', kind: request.kind });
      }
      if (descriptor.listsByWindow && !canListWindow(provider)) {
        throw new SubscriptionRefusedError({ reason: 'cannot_list', kind: request.kind, scope: 'account' });
      }
      // Filters the kind does not have are dropped, as the parser would refuse them.
      const region = request.region && filters.areas.includes(request.region) ? request.region : null;
      const domain = filters.filtersByDomain && request.domain ? request.domain.trim().toLowerCase() : null;
      const statuses = [...new Set((request.statuses ?? []).map((status) => status.toLowerCase()))].filter((status) => filters.statuses.includes(status)).sort();
      const groupId = subscriptionGroupIdOf({ kind: request.kind, account, region });
      const partial = { channel, kind: request.kind, account, region, domain, statuses };
      const id = subscriptionIdOf(partial);
      const existing = (await loadRecords([id]))[0];
      const createdByGroups = (request.requestedByGroups ?? []).filter((group) => group !== '' && !group.includes(','));
      if (existing?.suspended) {
        // Subscribing again, after the command's own access check, resumes it on the new
        // subscriber's authority. It then behaves as a new subscription in its group would: the
        // group's next windows (and a status filter's lookback) may still list recent tasks.
        const group: SubscriptionGroup = { v: SUBSCRIPTION_RECORD_VERSION, kind: request.kind, account, region };
        await redis
          .multi()
          .hdel(keys.record(id), 'suspended', 'suspendedAt')
          .hset(keys.record(id), { createdBy: request.requestedBy, createdByGroups: createdByGroups.join(',') })
          .srem(keys.untold(), id)
          .hset(keys.groups(), groupId, JSON.stringify(group))
          .sadd(keys.members(groupId), id)
          .set(keys.cursor(groupId), String(now()), 'NX')
          .exec();
        await ensureSweep(groupId);
      } else if (!existing) {
        const createdAtMs = now();
        const record: SubscriptionRecord = {
          v: SUBSCRIPTION_RECORD_VERSION,
          id,
          ...partial,
          createdBy: request.requestedBy,
          createdByGroups,
          suspended: null,
          createdAt: new Date(createdAtMs).toISOString(),
          createdAtMs,
          groupId,
        };
        const group: SubscriptionGroup = { v: SUBSCRIPTION_RECORD_VERSION, kind: request.kind, account, region };
        await redis
          .multi()
          .hset(keys.record(id), subscriptionFields(record))
          .zadd(keys.channel(channel), Date.now(), id)
          .hset(keys.groups(), groupId, JSON.stringify(group))
          .sadd(keys.members(groupId), id)
          .set(keys.cursor(groupId), String(createdAtMs), 'NX')
          .exec();
        await ensureSweep(groupId);
      }
      const list = await channelRecords(channel);
      const index = list.findIndex((record) => record.id === id);
      return summarize(list[index] ?? (existing as SubscriptionRecord), index + 1, request.channel);
    },

    async list(address: ChannelAddress): Promise<SubscriptionSummary[]> {
      return (await channelRecords(formatChannelAddress(address))).map((record, index) => summarize(record, index + 1, address));
    },

    async unsubscribe(address: ChannelAddress, number: number): Promise<SubscriptionSummary | null> {
      const list = await channelRecords(formatChannelAddress(address));
      const record = list[number - 1];
      if (!record) return null;
      await remove(record);
      return summarize(record, number, address);
    },

    async unsubscribeAll(address: ChannelAddress): Promise<number> {
      const list = await channelRecords(formatChannelAddress(address));
      for (const record of list) await remove(record);
      return list.length;
    },

    async mute(address: ChannelAddress, durationMs: number, requestedBy: string): Promise<MuteState> {
      return mutes.mute(formatChannelAddress(address), durationMs, requestedBy);
    },

    async unmute(address: ChannelAddress): Promise<UnmuteOutcome> {
      const channel = formatChannelAddress(address);
      const held = await mutes.endNow(channel);
      if (held === null) return { wasMuted: false, heldCount: 0 };
      await ensureRelease(channel);
      return { wasMuted: true, heldCount: held };
    },

    async muteState(address: ChannelAddress): Promise<MuteState | null> {
      return mutes.state(formatChannelAddress(address));
    },

    async start(): Promise<void> {
      if (stopped) throw new Error('This subscription engine was stopped; create a new one.');
      if (options.role === 'web') return;
      workers.push(
        sweeps.worker(
          (job: Job<SubscriptionSweepJobData | MuteReleaseJobData>, token?: string) =>
            job.name === 'release' ? processRelease(job as Job<MuteReleaseJobData>) : processSweep(job as Job<SubscriptionSweepJobData>, token),
          { concurrency: 4, lockDurationMs: tuning.lockDurationMs, stalledIntervalMs: tuning.stalledIntervalMs },
        ),
      );
      reportWorkers(workers, logger, 'subscription');
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      // At start: the accounts file may have changed while the bot was down.
      await reauthorizeAll().catch((error: unknown) => logger.warn({ err: safeError(error) }, 're-authorizing subscriptions at start failed; each sweep checks again'));
      await sweeps.startSupervisor(supervise, tuning.supervisorIntervalMs);
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      sweeps.stopSupervisor();
      await stopGracefully({ workers, queues: [queue, notifyQueue], redis });
    },
  };
}
