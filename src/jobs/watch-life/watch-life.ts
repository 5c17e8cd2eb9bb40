/**
 * The life of a watch, in one place: its states, every transition between them, and the
 * invariants that hold throughout. A watch is one channel's watch of one task; the task's
 * records (its hash, status and history) are shared by every channel that watches it.
 *
 * ```
 *  subscribe ──▶ subscribed ── a poll records a change worth telling ──▶ changed
 *                                                                          │ a delivery (or a mute
 *                                                                          ▼ summary) says it
 *  changed ◀── a poll records the next change ── polled ◀── card edited ── told
 *
 *  any of those ── task ended, deadline, unwatch, replaced, permanent error ──▶ ending owed
 *  ending owed ── ending said (or the channel is gone for good) ──▶ ended ── carded ──▶ expired
 * ```
 *
 * States, as the records show them ({@link watchStateOf}):
 * - **subscribed**: the watch exists and has a card; its task has not been observed yet (`seq` 0).
 * - **changed**: a change worth telling was recorded (`task.seq` > `watch.deliveredSeq`), not yet told.
 * - **told**: the channel was told every change (`deliveredSeq` = `seq`), its card not yet edited to it.
 * - **polled**: thread and card show everything recorded; the task is polled again when due.
 * - **ending owed**: the watch ended (`endReason`), and that was not said yet (`endPosted` unset).
 * - **ended**: its ending was said; its card is edited to it, or the watch was given up on.
 * - **expired**: its record is gone (it expires once ended and carded, see `FINISHED_WATCH_TTL_SECONDS`).
 *
 * Transitions, each one method of {@link WatchLife}, each one atomic Lua command (`lua/`):
 * - subscribe: {@link WatchLife.reserve}, {@link WatchLife.subscribe} (also revives an ended
 *   watch whose ending is still owed: it goes on on its own card, owing nothing twice).
 * - polled / changed: {@link WatchLife.observe} (records a status worth telling, notes each
 *   subscriber in the outbox), {@link WatchLife.scheduleNextCheck}, {@link WatchLife.forgetDue}.
 * - told: {@link WatchLife.claimDelivery} then {@link WatchLife.tell} (a thread reply) or
 *   {@link WatchLife.markToldBySummary} (a mute summary); {@link WatchLife.showOnCard}.
 * - ending owed: {@link WatchLife.endWatch} (one watch: unwatch, its deadline) and
 *   {@link WatchLife.endTask} / {@link WatchLife.replaceTask} (every watch of a task).
 * - ended: {@link WatchLife.tell} with the ending, or {@link WatchLife.abandon} (gone for good).
 * - expired: {@link WatchLife.expireIfFinished}; a task left without watches expires by itself
 *   (`includes/leaveTask.lua`), an idle poll group by {@link WatchLife.removeIdleGroup}.
 *
 * Invariants ({@link WatchLife.invariantBreaches} checks them; the life test walks every state):
 * 1. Nothing is told that was not recorded: `deliveredSeq` ≤ `seq` and `cardSeq` ≤ `seq`.
 * 2. Told once: `deliveredSeq` only grows, and a change is said by one claimant (the claim).
 *    One window is at-least-once: a worker killed after the platform accepted a reply and
 *    before {@link WatchLife.tell} records it leaves the change untold in Redis, and the
 *    restarted delivery says it again (see CONTRIBUTING, "Change how a watch lives").
 * 3. An active watch is in its task's subscribers and its channel's set, and its task is polled
 *    (in its group's due set) unless the task ended; an ended watch is in neither set.
 * 4. Endings are counted: the task's `endingsOwed` is the number of its watches in "ending owed",
 *    so history is kept for their last replies and trimmed again once all are said.
 * 5. Ended is final: a watch's `endReason` never changes once set (a revived watch starts anew).
 * 6. Nothing is left behind: an ended, carded watch expires; a task without watches is not
 *    polled and its records expire.
 *
 * Nothing outside this module and its store (`watch-store.ts`) writes a watch or task hash or a
 * poll group's due set; `npm run lint` refuses store writes elsewhere in `src/jobs`. A new
 * transition is a method here over a store method over one command in `lua/` (see CONTRIBUTING).
 */
import type { TaskStatus } from '../../providers/types';
import type { ResolvedTask } from './watch-keys';
import type { WatchEnding } from './watch-policy';
import type { TaskRecord, WatchRecord } from './watch-records';
import type { SubscribeInput, WatchReservation, WatchStore } from './watch-store';

/** The states of a watch (see the module's doc comment). */
export type WatchState = 'subscribed' | 'changed' | 'told' | 'polled' | 'ending owed' | 'ended' | 'expired';

/** Every state, in the order of a watch's life. */
export const WATCH_STATES: readonly WatchState[] = ['subscribed', 'changed', 'told', 'polled', 'ending owed', 'ended', 'expired'];

/** The state a watch is in, as its records (and its task's) show it. */
export function watchStateOf(watch: WatchRecord | null, task: TaskRecord | null): WatchState {
  if (!watch) return 'expired';
  if (watch.endReason !== null) return watch.endPosted ? 'ended' : 'ending owed';
  if (!task || task.seq === 0) return 'subscribed';
  if (task.seq > watch.deliveredSeq) return 'changed';
  if (task.seq > watch.cardSeq) return 'told';
  return 'polled';
}

/** What readers of the watch records may use; writes go through {@link WatchLife}. */
export type WatchReader = Pick<
  WatchStore,
  'keys' | 'loadTask' | 'loadTasks' | 'loadWatch' | 'loadWatches' | 'loadHistory' | 'dueTasks' | 'nextDue' | 'nextCheckOf' | 'groupIds' | 'groupInfo' | 'channelWatchIds'
>;

/** Every transition of a watch's life. */
export class WatchLife {
  constructor(private readonly store: WatchStore) {}

  /** The records, to read. */
  get read(): WatchReader {
    return this.store;
  }

  // ── subscribed ─────────────────────────────────────────────────────────────────────────

  /** Reserves a watch for one subscribing command (see {@link WatchStore.reserveWatch}). */
  reserve(watchId: string, token: string, realNow: number, ttlMs: number): Promise<WatchReservation> {
    return this.store.reserveWatch(watchId, token, realNow, ttlMs);
  }

  /** Drops a reservation that is still `token`'s. */
  releaseReservation(watchId: string, token: string): Promise<void> {
    return this.store.releaseReservation(watchId, token);
  }

  /**
   * none / ending owed → subscribed, or straight to polled when the check made before the card
   * was posted is recorded as the task's first observation (`input.checked`, told up to it in the
   * same script): resolves to the task's seq, or -1 when a revive was refused.
   */
  subscribe(input: SubscribeInput): Promise<number> {
    return this.store.subscribe(input);
  }

  // ── polled, changed ────────────────────────────────────────────────────────────────────

  /**
   * polled → changed when `status` is worth telling (every subscriber noted in the outbox);
   * resolves to the record it was judged against, or null when superseded or the task ended.
   */
  observe(task: TaskRecord, status: TaskStatus, realNow: number): Promise<TaskRecord | null> {
    return this.store.recordObservation(task, status, realNow);
  }

  /** Moves the next check of tasks still polled (real time, epoch ms). */
  scheduleNextCheck(groupId: string, taskKeys: readonly string[], at: number): Promise<void> {
    return this.store.reschedule(groupId, taskKeys, at);
  }

  /** Stops polling a task that is gone or ended (a due entry left behind). */
  forgetDue(groupId: string, taskKey: string): Promise<void> {
    return this.store.forgetDue(groupId, taskKey);
  }

  // ── told ───────────────────────────────────────────────────────────────────────────────

  /** Claims telling a watch for `claimant`; false when another live claimant holds it. */
  claimDelivery(watchId: string, claimant: string, realNow: number, ttlMs: number): Promise<boolean> {
    return this.store.claimDelivery(watchId, claimant, realNow, ttlMs);
  }

  /** Lets go of a claim without telling anything. */
  releaseClaim(watchId: string, claimant: string): Promise<void> {
    return this.store.releaseDelivery(watchId, claimant);
  }

  /**
   * changed → told (and ending owed → ended when `ending`): the claimant said everything up to
   * `seq` in the thread; releases the claim and drops the history every subscriber was told.
   */
  async tell(watchId: string, claimant: string, task: Pick<TaskRecord, 'taskKey'>, seq: number, ending: boolean): Promise<void> {
    await this.store.releaseDelivery(watchId, claimant, { deliveredSeq: seq, endPosted: ending ? '1' : '' }, task.taskKey);
    await this.store.trimHistory(task.taskKey, seq);
  }

  /** changed → told (and ending owed → ended when `ending`), said by a mute summary. */
  markToldBySummary(watchId: string, taskKey: string, seq: number, ending: boolean): Promise<void> {
    return this.store.markTold(watchId, taskKey, seq, ending);
  }

  /** told → polled: the card shows `seq` (and the ending when `ending`). Card edits are idempotent: no claim. */
  showOnCard(watchId: string, seq: number, ending: boolean): Promise<void> {
    return this.store.recordCard(watchId, { cardSeq: seq, endCarded: ending ? '1' : '' });
  }

  // ── ending owed ────────────────────────────────────────────────────────────────────────

  /** → ending owed, for one watch; true when this call ended it (it was not ended already). */
  endWatch(watch: Pick<WatchRecord, 'watchId' | 'taskKey' | 'channel'>, groupId: string, ending: WatchEnding, realNow: number): Promise<boolean> {
    return this.store.endWatch(watch, groupId, ending, realNow);
  }

  /** → ending owed, for every watch of a task that itself ended; the task stops being polled. */
  async endTask(task: Pick<TaskRecord, 'taskKey' | 'groupId'>, ending: WatchEnding): Promise<void> {
    const watches = await this.store.loadWatches(await this.store.subscriberIds(task.taskKey));
    for (const watch of watches) await this.store.endWatch(watch, task.groupId, ending, Date.now());
    await this.store.endTask(task, ending);
  }

  /** A newer task replaced this one (TCSS): noted first so that the endings can name it, then {@link endTask}. */
  async replaceTask(task: Pick<TaskRecord, 'taskKey' | 'groupId'>, replacedBy: string, ending: WatchEnding): Promise<void> {
    await this.store.noteReplacement(task.taskKey, replacedBy);
    await this.endTask(task, ending);
  }

  // ── ended, expired ─────────────────────────────────────────────────────────────────────

  /** → ended, owing nothing: the channel or card is gone for good, or stayed unreachable past the deadline. True when this call did it. */
  abandon(watch: Pick<WatchRecord, 'watchId' | 'taskKey' | 'channel'>, groupId: string, reason: WatchEnding['reason']): Promise<boolean> {
    return this.store.abandonWatch(watch, groupId, reason);
  }

  /** ended → expired once its ending is said and carded; true when the record will expire. */
  expireIfFinished(watchId: string): Promise<boolean> {
    return this.store.expireIfFinished(watchId);
  }

  /** Forgets a poll group with nothing due, unless a task joined it meanwhile; true when removed. */
  removeIdleGroup(groupId: string): Promise<boolean> {
    return this.store.removeIdleGroup(groupId);
  }

  // ── invariants ─────────────────────────────────────────────────────────────────────────

  /**
   * The invariants of the module's doc comment that the records of one task and the given
   * watches of it (its subscribers and any ended ones) break, each as one line; empty when
   * all hold. For tests and for an operator's investigation; it only reads.
   */
  async invariantBreaches(task: Pick<ResolvedTask, 'kind' | 'account' | 'region'> & { readonly taskKey: string; readonly groupId: string }, watchIds: readonly string[]): Promise<string[]> {
    const breaches: string[] = [];
    const { keys, redis } = this.store;
    const record = await this.store.loadTask(task.taskKey);
    const subscribers = new Set(await this.store.subscriberIds(task.taskKey));
    const taskTtl = await redis.ttl(keys.task(task.taskKey));
    const polled = (await redis.zscore(keys.due(task.groupId), task.taskKey)) !== null;
    let owed = 0;
    for (const watchId of watchIds) {
      const watch = await this.store.loadWatch(watchId);
      if (!watch) continue;
      const state = watchStateOf(watch, record);
      const seq = record?.seq ?? 0;
      if (record && (watch.deliveredSeq > seq || watch.cardSeq > seq)) breaches.push(`1: ${watchId} is told beyond seq ${seq} (delivered ${watch.deliveredSeq}, card ${watch.cardSeq})`);
      const inChannel = (await redis.sismember(keys.channel(watch.channel), watchId)) === 1;
      if (watch.endReason === null) {
        if (!subscribers.has(watchId) || !inChannel) breaches.push(`3: active ${watchId} is missing from its task's subscribers or its channel`);
        if (record && record.endReason === null && !polled) breaches.push(`3: active ${watchId}'s task is not polled`);
      } else if (subscribers.has(watchId) || inChannel) {
        breaches.push(`3: ended ${watchId} is still in its task's subscribers or its channel`);
      }
      if (state === 'ending owed') owed += 1;
      const watchTtl = await redis.ttl(keys.watch(watchId));
      if (watch.endReason !== null && watch.endPosted && watch.endCarded && watchTtl < 0) breaches.push(`6: finished ${watchId} never expires`);
      if (watch.endReason === null && watchTtl >= 0) breaches.push(`6: active ${watchId} would expire`);
    }
    const counted = Number((await redis.hget(keys.task(task.taskKey), 'endingsOwed')) ?? 0);
    if (record && counted !== owed) breaches.push(`4: the task counts ${counted} endings owed, its watches owe ${owed}`);
    if (record && subscribers.size === 0) {
      if (polled) breaches.push('6: a task without watches is still polled');
      if (taskTtl < 0) breaches.push('6: a task without watches never expires');
    }
    return breaches;
  }
}
