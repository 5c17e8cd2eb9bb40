/**
 * Reads and writes the watch engine's records in Redis. Multi-step updates go through the Lua
 * commands in `lua/` (signatures in `lua-commands.ts`); everything here is safe to call from
 * several processes. Its writers are called by `watch-life.ts` only, which names the
 * transition each one is; everything else reads (through `WatchLife.read`).
 */
import type Redis from 'ioredis';
import type { TaskStatus } from '../../providers/types';
import { RECORD_VERSION, WatchKeys, groupIdOf, type ResolvedTask } from './watch-keys';
import { encodeWatchEndFacts } from './watch-end-facts';
import { isOlderObservation, isWorthTelling, type WatchEnding } from './watch-policy';
import { decodeStatus, encodeStatus, readTaskRecord, readWatchRecord, type ProgressDelivery, type StatusIdentity, type TaskRecord, type WatchRecord } from './watch-records';
import { WATCH_COMMANDS, defineLuaCommands, runLua } from '../lua-commands';

/**
 * Most past statuses of a task kept for subscribers not yet told of them ("previous" and the
 * skipped states of a notice). Those every subscriber was told of are dropped after each
 * delivery, so this bound only matters while deliveries lag behind the changes.
 */
export const HISTORY_KEEP = 12;

/** How long the records of an ended task stay readable (for late deliveries, e.g. to a muted channel), in seconds. */
export const ENDED_TTL_SECONDS = 7 * 86_400;

/**
 * How long a watch record stays once its ending was posted and shown on its card, in seconds:
 * only late duplicate jobs still look at it then, and they find nothing left to do either way.
 */
export const FINISHED_WATCH_TTL_SECONDS = 3_600;

/** Times {@link WatchStore.recordObservation} judges an observation again while other sweeps keep recording first. */
const RECORD_ATTEMPTS = 5;

/** One watch noted in the outbox, with the score it was noted at. */
export interface OutboxEntry {
  readonly watchId: string;
  readonly notedAt: number;
}

/** What a new subscription needs. */
export interface SubscribeInput {
  readonly watchId: string;
  readonly taskKey: string;
  readonly task: ResolvedTask;
  readonly channel: string;
  readonly requestedBy: string;
  readonly cardMessageId: string;
  readonly startedAt: string;
  readonly deadlineAt: string;
  /** Real time (epoch ms) the first check is due. */
  readonly realNow: number;
  /**
   * The task seq whose status the posted card shows (0 for a card that shows no status yet).
   * Absent when the card was posted elsewhere and its content is unknown: then the current seq.
   * `'checked'` when the card shows {@link SubscribeInput.checked}.
   */
  readonly cardSeq?: number | 'checked';
  /**
   * The check made before the card was posted, recorded as the task's first observation while
   * the task's seq is still `expectedSeq` (see `lua/subscribe-9.lua`); the task's first poll then
   * waits until `dueAt` (real time, epoch ms).
   */
  readonly checked?: {
    readonly status: TaskStatus;
    readonly expectedSeq: number;
    readonly dueAt: number;
    /** True when the status ends the watch (a task found finished): its ending is then the thread's first word. */
    readonly ends?: boolean;
  };
  /** How the watch tells progress alone (default `card`: it only edits the card). */
  readonly progress?: ProgressDelivery;
  /** When the card was posted (engine clock, epoch ms); absent for a card posted elsewhere (a button's message). */
  readonly cardPostedAt?: number;
  /** The token {@link WatchStore.reserveWatch} was called with; the reservation is dropped. */
  readonly reservation?: string;
  /**
   * Go on with the ended watch's own card and what it was told, instead of `cardMessageId`;
   * only possible while its ending is untold (see {@link WatchStore.reserveWatch}).
   */
  readonly revive?: boolean;
}

/** What {@link WatchStore.reserveWatch} found. */
export type WatchReservation = 'active' | 'busy' | 'revive' | 'new';

/** Typed access to the watch records. */
export class WatchStore {
  readonly keys: WatchKeys;

  constructor(
    readonly redis: Redis,
    namespace: string,
  ) {
    this.keys = new WatchKeys(namespace);
    defineLuaCommands(redis);
  }

  async loadTask(taskKey: string): Promise<TaskRecord | null> {
    const [fields, status] = await Promise.all([this.redis.hgetall(this.keys.task(taskKey)), this.redis.get(this.keys.status(taskKey))]);
    return readTaskRecord(taskKey, fields, status);
  }

  async loadWatch(watchId: string): Promise<WatchRecord | null> {
    return readWatchRecord(watchId, await this.redis.hgetall(this.keys.watch(watchId)));
  }

  async loadWatches(watchIds: readonly string[]): Promise<WatchRecord[]> {
    if (watchIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const watchId of watchIds) pipeline.hgetall(this.keys.watch(watchId));
    const results = (await pipeline.exec()) ?? [];
    return watchIds
      .map((watchId, index) => readWatchRecord(watchId, (results[index]?.[1] ?? {}) as Record<string, string>))
      .filter((record): record is WatchRecord => record !== null);
  }

  async loadTasks(taskKeys: readonly string[]): Promise<Map<string, { record: TaskRecord | null; subscribers: string[] }>> {
    const pipeline = this.redis.pipeline();
    for (const taskKey of taskKeys) {
      pipeline.hgetall(this.keys.task(taskKey));
      pipeline.smembers(this.keys.subscribers(taskKey));
      pipeline.get(this.keys.status(taskKey));
    }
    const results = (await pipeline.exec()) ?? [];
    const loaded = new Map<string, { record: TaskRecord | null; subscribers: string[] }>();
    taskKeys.forEach((taskKey, index) => {
      const fields = (results[index * 3]?.[1] ?? {}) as Record<string, string>;
      const subscribers = (results[index * 3 + 1]?.[1] ?? []) as string[];
      const status = (results[index * 3 + 2]?.[1] ?? null) as string | null;
      loaded.set(taskKey, { record: readTaskRecord(taskKey, fields, status), subscribers });
    });
    return loaded;
  }

  /** Statuses kept for a task, by seq: the past ones some subscriber may still need, and the current one. */
  async loadHistory(taskKey: string): Promise<Map<number, TaskStatus>> {
    const [fields, task] = await Promise.all([this.redis.hgetall(this.keys.history(taskKey)), this.loadTask(taskKey)]);
    const history = new Map<number, TaskStatus>();
    if (!task) return history;
    for (const [seq, text] of Object.entries(fields)) {
      const status = decodeStatus(text, task);
      if (status) history.set(Number(seq), status);
    }
    if (task.status) history.set(task.seq, task.status);
    return history;
  }

  /**
   * Drops the past statuses of a task that every current subscriber (and the caller, told of
   * `toldSeq`) was told of, unless an ended watch's reply is still owed.
   */
  async trimHistory(taskKey: string, toldSeq: number): Promise<number> {
    return runLua(this.redis, WATCH_COMMANDS.trimHistory, {
      keys: { history: this.keys.history(taskKey), subscribers: this.keys.subscribers(taskKey), task: this.keys.task(taskKey) },
      args: { watchKeyPrefix: this.keys.watch(''), toldSeq },
    });
  }

  /**
   * Reserves a watch for one subscribing command (`token`) for `ttlMs`, so that concurrent
   * commands for one task and channel post one card: `active` the watch exists, `busy` another
   * command is subscribing it, `revive` reserved and the ended watch may go on on its card,
   * `new` reserved, post a card.
   */
  async reserveWatch(watchId: string, token: string, realNow: number, ttlMs: number): Promise<WatchReservation> {
    return runLua(this.redis, WATCH_COMMANDS.reserveWatch, {
      keys: { watch: this.keys.watch(watchId), reservation: this.keys.reservation(watchId) },
      args: { token, realNow, ttlMs },
    });
  }

  /** Drops a reservation that is still `token`'s (e.g. its card could not be posted). */
  async releaseReservation(watchId: string, token: string): Promise<void> {
    await runLua(this.redis, WATCH_COMMANDS.releaseReservation, { keys: { reservation: this.keys.reservation(watchId) }, args: { token } });
  }

  /**
   * Subscribes a watch; resolves to the task's seq at that moment (the checked status's, when it
   * was recorded), or -1 when `revive` was asked for and the watch can no longer go on (post a
   * card and subscribe again). A change the card missed is noted in the outbox.
   */
  async subscribe(input: SubscribeInput): Promise<number> {
    const groupId = groupIdOf(input.task);
    const groupJson = JSON.stringify({ v: RECORD_VERSION, kind: input.task.kind, account: input.task.account, region: input.task.region });
    return runLua(this.redis, WATCH_COMMANDS.subscribe, {
      keys: {
        task: this.keys.task(input.taskKey),
        subscribers: this.keys.subscribers(input.taskKey),
        watch: this.keys.watch(input.watchId),
        channel: this.keys.channel(input.channel),
        due: this.keys.due(groupId),
        groups: this.keys.groups(),
        activeCount: this.keys.activeCount(),
        outbox: this.keys.outbox(),
        reservation: this.keys.reservation(input.watchId),
      },
      args: {
        watchId: input.watchId,
        taskKey: input.taskKey,
        version: RECORD_VERSION,
        kind: input.task.kind,
        account: input.task.account,
        region: input.task.region ?? '',
        id: input.task.id,
        groupId,
        realNow: input.realNow,
        channel: input.channel,
        requestedBy: input.requestedBy,
        cardMessageId: input.cardMessageId,
        startedAt: input.startedAt,
        deadlineAt: input.deadlineAt,
        groupJson,
        cardSeq: input.cardSeq ?? '',
        revive: input.revive ? '1' : '',
        token: input.reservation ?? '',
        checkedStatus: input.checked ? encodeStatus(input.checked.status, input.task) : '',
        expectedSeq: input.checked ? input.checked.expectedSeq : '',
        checkedDueAt: input.checked ? input.checked.dueAt : input.realNow,
        everFound: input.checked?.status.found ? '1' : '',
        historyKeep: HISTORY_KEEP,
        progress: input.progress === 'thread' ? 'thread' : '',
        checkedEnds: input.checked?.ends ? '1' : '',
        cardPostedAt: input.cardPostedAt ?? '',
      },
    });
  }

  /**
   * Ends a watch unless already ended; true when this call ended it (and noted it in the
   * outbox). The last watch of a task leaves its records to expire after {@link ENDED_TTL_SECONDS}.
   */
  async endWatch(watch: Pick<WatchRecord, 'watchId' | 'taskKey' | 'channel'>, groupId: string, ending: WatchEnding, realNow: number): Promise<boolean> {
    const ended = await runLua(this.redis, WATCH_COMMANDS.endWatch, {
      keys: {
        watch: this.keys.watch(watch.watchId),
        subscribers: this.keys.subscribers(watch.taskKey),
        channel: this.keys.channel(watch.channel),
        outbox: this.keys.outbox(),
        due: this.keys.due(groupId),
        activeCount: this.keys.activeCount(),
        task: this.keys.task(watch.taskKey),
      },
      args: { watchId: watch.watchId, reason: ending.reason, message: encodeWatchEndFacts(ending.facts), realNow, taskKey: watch.taskKey, taskTtlSeconds: ENDED_TTL_SECONDS },
    });
    return ended === 1;
  }

  /** Records a change worth telling; resolves to the new seq and the watches noted in the outbox. */
  async recordChange(taskKey: string, status: TaskStatus, realNow: number, identity?: StatusIdentity): Promise<{ seq: number; watchIds: string[] }> {
    return (await this.runRecordChange(taskKey, status, realNow, identity, '')) as { seq: number; watchIds: string[] };
  }

  /**
   * Records a change decided against `task` as it was read: only while the task's seq is still
   * `task.seq`. Resolves to null, recording nothing, when another sweep recorded in between.
   */
  async recordChangeSince(task: TaskRecord, status: TaskStatus, realNow: number): Promise<{ seq: number; watchIds: string[] } | null> {
    return this.runRecordChange(task.taskKey, status, realNow, task, task.seq);
  }

  /**
   * Records an observed status when it is worth telling against the stored one. Two sweeps of
   * one group can overlap (a sweep whose job lock expired under load is run again while the
   * first is still finishing), so the record is a compare-and-set on the task's seq: when
   * another sweep recorded first, the observation is judged again against what that sweep
   * recorded. So a channel never hears the same state twice, and an older observation never
   * replaces a newer one. `task` is the record as the caller read it.
   * Resolves to the record the status was judged against, or null when the observation is
   * superseded or the task ended meanwhile (the caller then leaves the task alone).
   */
  async recordObservation(task: TaskRecord, status: TaskStatus, realNow: number): Promise<TaskRecord | null> {
    let base = task;
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt += 1) {
      if (isOlderObservation(base.status, status)) return null;
      if (!isWorthTelling(base.status, status)) return base;
      if (await this.recordChangeSince(base, status, realNow)) return base;
      const fresh = await this.loadTask(task.taskKey);
      if (!fresh || fresh.endReason !== null) return null;
      base = fresh;
    }
    return null;
  }

  private async runRecordChange(
    taskKey: string,
    status: TaskStatus,
    realNow: number,
    identity: StatusIdentity | undefined,
    expectedSeq: number | '',
  ): Promise<{ seq: number; watchIds: string[] } | null> {
    const recorded = await runLua(this.redis, WATCH_COMMANDS.recordChange, {
      keys: {
        task: this.keys.task(taskKey),
        history: this.keys.history(taskKey),
        subscribers: this.keys.subscribers(taskKey),
        outbox: this.keys.outbox(),
        status: this.keys.status(taskKey),
      },
      args: { encodedStatus: encodeStatus(status, identity), historyKeep: HISTORY_KEEP, realNow, everFound: status.found ? '1' : '', version: RECORD_VERSION, expectedSeq },
    });
    return recorded.seq < 0 ? null : recorded;
  }

  /**
   * Notes the task that replaced this one (see `replacingTaskId`), before its watches end, so
   * that their ending replies can name it.
   */
  async noteReplacement(taskKey: string, replacedBy: string): Promise<void> {
    await this.redis.hset(this.keys.task(taskKey), 'replacedBy', replacedBy);
  }

  /** Marks a task as ended and stops polling it; its records expire after {@link ENDED_TTL_SECONDS}. */
  async endTask(task: Pick<TaskRecord, 'taskKey' | 'groupId'>, ending: WatchEnding): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.task(task.taskKey), 'endReason', ending.reason)
      .zrem(this.keys.due(task.groupId), task.taskKey)
      .expire(this.keys.task(task.taskKey), ENDED_TTL_SECONDS)
      .expire(this.keys.history(task.taskKey), ENDED_TTL_SECONDS)
      .expire(this.keys.status(task.taskKey), ENDED_TTL_SECONDS)
      .exec();
  }

  /** Moves a task's next check, only if it is still being polled. */
  async reschedule(groupId: string, taskKeys: readonly string[], at: number): Promise<void> {
    if (taskKeys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const taskKey of taskKeys) pipeline.zadd(this.keys.due(groupId), 'XX', at, taskKey);
    await pipeline.exec();
  }

  /** Stops polling a task (a due entry whose task is gone or ended). */
  async forgetDue(groupId: string, taskKey: string): Promise<void> {
    await this.redis.zrem(this.keys.due(groupId), taskKey);
  }

  /** The watches subscribed to a task. */
  async subscriberIds(taskKey: string): Promise<string[]> {
    return this.redis.smembers(this.keys.subscribers(taskKey));
  }

  async dueTasks(groupId: string, realNow: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.due(groupId), '-inf', realNow, 'LIMIT', 0, limit);
  }

  /** The earliest next check of a group (epoch ms), or null when nothing is polled there. */
  async nextDue(groupId: string): Promise<number | null> {
    const first = await this.redis.zrange(this.keys.due(groupId), 0, 0, 'WITHSCORES');
    return first.length === 2 ? Number(first[1]) : null;
  }

  async nextCheckOf(groupId: string, taskKey: string): Promise<number | null> {
    const score = await this.redis.zscore(this.keys.due(groupId), taskKey);
    return score === null ? null : Number(score);
  }

  async activeWatchCount(): Promise<number> {
    return Math.max(0, Number((await this.redis.get(this.keys.activeCount())) ?? 0));
  }

  /**
   * Active watches per kind and account (every region together), for `/metrics`: who uses
   * the shared quota. One pass over the poll groups; a task watched in two channels is two watches.
   */
  async watchesByAccount(): Promise<Array<{ readonly kind: ResolvedTask['kind']; readonly account: string; readonly watches: number }>> {
    const totals = new Map<string, { kind: ResolvedTask['kind']; account: string; watches: number }>();
    for (const groupId of await this.groupIds()) {
      const info = await this.groupInfo(groupId);
      if (!info) continue;
      const tasks = await this.loadTasks(await this.redis.zrange(this.keys.due(groupId), 0, -1));
      let watches = 0;
      for (const { subscribers } of tasks.values()) watches += subscribers.length;
      const key = `${info.kind}|${info.account}`;
      const entry = totals.get(key) ?? { kind: info.kind, account: info.account, watches: 0 };
      entry.watches += watches;
      totals.set(key, entry);
    }
    return [...totals.values()];
  }

  async groupIds(): Promise<string[]> {
    return this.redis.hkeys(this.keys.groups());
  }

  async groupInfo(groupId: string): Promise<Pick<ResolvedTask, 'kind' | 'account' | 'region'> | null> {
    const json = await this.redis.hget(this.keys.groups(), groupId);
    if (!json) return null;
    const parsed = JSON.parse(json) as { kind: ResolvedTask['kind']; account: string; region: string | null };
    return { kind: parsed.kind, account: parsed.account, region: parsed.region };
  }

  async channelWatchIds(channel: string): Promise<string[]> {
    return this.redis.smembers(this.keys.channel(channel));
  }

  /** Outbox entries noted at or before `before` (epoch ms). */
  async outboxEntries(before: number, limit: number): Promise<OutboxEntry[]> {
    const flat = await this.redis.zrangebyscore(this.keys.outbox(), '-inf', before, 'WITHSCORES', 'LIMIT', 0, limit);
    const entries: OutboxEntry[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) entries.push({ watchId: flat[index] as string, notedAt: Number(flat[index + 1]) });
    return entries;
  }

  /** Removes an outbox entry unless it was noted again after `notedAt`. */
  async settleOutbox(entry: OutboxEntry): Promise<void> {
    await runLua(this.redis, WATCH_COMMANDS.settleOutbox, { keys: { outbox: this.keys.outbox() }, args: { watchId: entry.watchId, notedAt: entry.notedAt } });
  }

  /** Claims delivery to a watch for `claimant`; false when another live delivery holds it. */
  async claimDelivery(watchId: string, claimant: string, realNow: number, ttlMs: number): Promise<boolean> {
    return (await runLua(this.redis, WATCH_COMMANDS.claimDelivery, { keys: { watch: this.keys.watch(watchId) }, args: { claimant, realNow, ttlMs } })) === 1;
  }

  /**
   * Releases a claim, recording the given fields with it; `endPosted: '1'` settles the watch's
   * owed ending on its task (`taskKey`, needed only then).
   */
  async releaseDelivery(watchId: string, claimant: string, fields: Readonly<Record<string, string | number>> = {}, taskKey = ''): Promise<void> {
    await runLua(this.redis, WATCH_COMMANDS.releaseDelivery, {
      keys: { watch: this.keys.watch(watchId), task: this.keys.task(taskKey) },
      args: { claimant },
      rest: Object.entries(fields).flat(),
    });
  }

  /** Marks a watch's changes up to `seq` as told by a mute summary, and its ending when `ended`. */
  async markTold(watchId: string, taskKey: string, seq: number, ended: boolean): Promise<void> {
    await runLua(this.redis, WATCH_COMMANDS.markTold, { keys: { watch: this.keys.watch(watchId), task: this.keys.task(taskKey) }, args: { seq, ended: ended ? '1' : '' } });
  }

  /** Records card progress, outside any claim (card edits are idempotent); an empty value removes the field. */
  async recordCard(watchId: string, fields: Readonly<Record<string, string | number>>): Promise<void> {
    const key = this.keys.watch(watchId);
    const set = Object.entries(fields).filter(([, value]) => value !== '');
    const removed = Object.entries(fields).filter(([, value]) => value === '').map(([field]) => field);
    const transaction = this.redis.multi();
    if (set.length > 0) transaction.hset(key, Object.fromEntries(set));
    if (removed.length > 0) transaction.hdel(key, ...removed);
    await transaction.exec();
  }

  /** Lets a watch's record expire if it is finished (ended, its ending posted and shown); true when it will. */
  async expireIfFinished(watchId: string): Promise<boolean> {
    return (await runLua(this.redis, WATCH_COMMANDS.expireFinished, { keys: { watch: this.keys.watch(watchId) }, args: { ttlSeconds: FINISHED_WATCH_TTL_SECONDS } })) === 1;
  }

  /** Forgets a poll group with nothing due, unless a task joined it meanwhile; true when removed. */
  async removeIdleGroup(groupId: string): Promise<boolean> {
    return (await runLua(this.redis, WATCH_COMMANDS.removeIdleGroup, { keys: { due: this.keys.due(groupId), groups: this.keys.groups() }, args: { groupId } })) === 1;
  }

  /**
   * Gives up on a watch whose channel or card is gone for good, or whose deadline passed while
   * its channel stayed unreachable: it ends (as `reason` if it had not ended) owing nothing.
   * True when this call gave up on it (so the caller logs it once).
   */
  async abandonWatch(watch: Pick<WatchRecord, 'watchId' | 'taskKey' | 'channel'>, groupId: string, reason: WatchEnding['reason']): Promise<boolean> {
    const abandoned = await runLua(this.redis, WATCH_COMMANDS.abandonWatch, {
      keys: {
        watch: this.keys.watch(watch.watchId),
        subscribers: this.keys.subscribers(watch.taskKey),
        channel: this.keys.channel(watch.channel),
        due: this.keys.due(groupId),
        activeCount: this.keys.activeCount(),
        task: this.keys.task(watch.taskKey),
      },
      args: { watchId: watch.watchId, reason, taskKey: watch.taskKey, watchTtlSeconds: FINISHED_WATCH_TTL_SECONDS, taskTtlSeconds: ENDED_TTL_SECONDS },
    });
    return abandoned === 1;
  }

  /** Counts one more failed delivery to a channel in a row; resolves to the count. Forgotten a day after the last. */
  async noteDeliveryFailure(channel: string): Promise<number> {
    const [[, count] = [null, 0]] = ((await this.redis.multi().incr(this.keys.outage(channel)).expire(this.keys.outage(channel), 86_400).exec()) ?? []) as [unknown, number][];
    return Number(count);
  }

  /** Ends a channel's run of failed deliveries; true when there was one. */
  async clearDeliveryFailures(channel: string): Promise<boolean> {
    return (await this.redis.del(this.keys.outage(channel))) === 1;
  }

  /** Takes a channel's next send slot; 0 to send now, else ms to wait. */
  async takeSendSlot(channel: string, spacingMs: number): Promise<number> {
    if (spacingMs <= 0) return 0;
    return runLua(this.redis, WATCH_COMMANDS.takeSendSlot, { keys: { pace: this.keys.pace(channel) }, args: { spacingMs } });
  }

  /** Holds a channel for `ms` (a platform's Retry-After). */
  async holdChannel(channel: string, ms: number): Promise<void> {
    await runLua(this.redis, WATCH_COMMANDS.holdChannel, { keys: { pace: this.keys.pace(channel) }, args: { holdMs: Math.max(1, Math.ceil(ms)) } });
  }
}
