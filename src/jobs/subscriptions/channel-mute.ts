/**
 * Channel mutes. While a channel is muted, the watch engine's deliveries to it are held (the
 * delivery jobs wait in the delayed set; nothing is dropped) and new tasks found by its
 * subscriptions are noted instead of announced. When the mute ends, by `unmute` or by
 * expiry, one summary message lists what happened; the held deliveries then only edit their
 * cards in place, because the summary has told their changes.
 *
 * Ending a mute is crash-safe: the held sets are first moved to staging copies (one command,
 * `lua/stageMuteRelease-8.lua`),
 * the summary is built from the staging copies and posted, and only then are the held changes
 * marked as told and the copies removed. A release interrupted by a crash, or retried after a
 * 429 on its summary, is found again by the supervisor (the channel stays in the mutes index
 * until the release completes) and builds the same summary again: nothing held is lost.
 *
 * From building the summary until its changes are marked as told, the release holds each held
 * watch's delivery claim, the same claim a delivery takes before posting. Once the mute has
 * ended, deliveries to the channel are no longer held, so without it a change could be both
 * posted in the thread and listed in the summary; a watch whose claim a delivery already holds
 * is left out of the summary, and that delivery tells its change in the thread.
 */
import type Redis from 'ioredis';
import { CLAIM_TTL_MS, type DeliveryHold } from '../delivery/delivery-processor';
import { SUBSCRIPTION_COMMANDS, defineLuaCommands, queueLua, runLua } from '../lua-commands';
import type { WatchLife } from '../watch-life/watch-life';
import { deservesThreadReply, skippedStatesOf } from '../watch-life/watch-policy';
import type { TaskState } from '../../providers/types';
import type { ChannelSummary, HeldChange, HeldNewTask } from '../notifier';
import { SUBSCRIPTION_RECORD_VERSION, SubscriptionKeys } from './subscription-records';
import { MAX_MUTE_MS, type MuteState } from './subscription-service';

/** Held deliveries are checked again at least this often, so an early unmute is never waited out. */
export const HOLD_RECHECK_MAX_MS = 60_000;
/** Least pause of a held delivery. */
const HOLD_RECHECK_MIN_MS = 250;

/** A release ready to post: the summary, and the held delivery jobs to let go afterwards. */
export interface StagedRelease {
  readonly channel: string;
  readonly summary: ChannelSummary;
  readonly heldJobIds: readonly string[];
  /** The watches whose claims the release holds, with the seq the summary tells them up to. */
  readonly told: readonly { readonly watchId: string; readonly taskKey: string; readonly seq: number; readonly ended: boolean }[];
}

/** The claimant a release holds delivery claims as; the same on every retry, so it takes its own claims back. */
function releaseClaimant(channel: string): string {
  return `mute-release:${channel}`;
}

/** Mutes in Redis. */
export class ChannelMutes {
  private readonly keys: SubscriptionKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new SubscriptionKeys(`${prefix}:tw:sub`);
    // Before any transaction is made on it: `finish` queues a command in one.
    defineLuaCommands(redis);
  }

  /** Sorted set: muted channels scored by when their mute ends (engine clock). */
  get index(): string {
    return `${this.keys.namespace}:mutes`;
  }

  /** The hold the watch engine asks before every delivery (pass it as `deliveryHold`). */
  readonly hold: DeliveryHold = async ({ channel, watchId, jobId }) =>
    runLua(this.redis, SUBSCRIPTION_COMMANDS.holdMutedDelivery, {
      keys: { mute: this.keys.mute(channel), heldWatches: this.keys.heldWatches(channel), heldJobs: this.keys.heldJobs(channel) },
      args: { watchId, jobId: jobId ?? '', now: this.now(), minMs: HOLD_RECHECK_MIN_MS, maxMs: HOLD_RECHECK_MAX_MS },
    });

  async mute(channel: string, durationMs: number, mutedBy: string): Promise<MuteState> {
    const now = this.now();
    const until = now + Math.min(durationMs, MAX_MUTE_MS);
    // A second mute moves the end; it keeps the start, so the summary covers the whole silence.
    await this.redis
      .multi()
      .hsetnx(this.keys.mute(channel), 'mutedAt', now)
      .hset(this.keys.mute(channel), { v: SUBSCRIPTION_RECORD_VERSION, until, mutedBy })
      .zadd(this.index, until, channel)
      .exec();
    return { until: new Date(until).toISOString(), mutedBy };
  }

  async state(channel: string): Promise<MuteState | null> {
    const fields = await this.redis.hgetall(this.keys.mute(channel));
    if (!fields['until']) return null;
    return { until: new Date(Number(fields['until'])).toISOString(), mutedBy: fields['mutedBy'] ?? '' };
  }

  /** Makes a mute end now; resolves to how many tasks it held, or null when the channel was not muted. */
  async endNow(channel: string): Promise<number | null> {
    const now = this.now();
    const [exists] = (await this.redis.multi().exists(this.keys.mute(channel)).exec()) ?? [];
    if (!exists || Number(exists[1]) === 0) return null;
    const results = await this.redis
      .multi()
      .hset(this.keys.mute(channel), 'until', now)
      .zadd(this.index, now, channel)
      .scard(this.keys.heldWatches(channel))
      .llen(this.keys.heldNew(channel))
      .exec();
    return Number(results?.[2]?.[1] ?? 0) + Number(results?.[3]?.[1] ?? 0);
  }

  /** Channels whose mute has ended (or whose release did not finish). */
  async due(): Promise<string[]> {
    return this.redis.zrangebyscore(this.index, '-inf', this.now(), 'LIMIT', 0, 100);
  }

  /** Notes a task found while the channel is muted; false when it is not muted. */
  async noteNewTask(channel: string, task: HeldNewTask): Promise<boolean> {
    const noted = await runLua(this.redis, SUBSCRIPTION_COMMANDS.noteMutedTask, {
      keys: { mute: this.keys.mute(channel), heldNew: this.keys.heldNew(channel) },
      args: { entryJson: JSON.stringify(task) },
    });
    return noted === 1;
  }

  /**
   * Ends an expired mute (moving its held entries to staging), marks the held changes as told
   * and builds the summary. Null when the channel is still muted or has nothing staged.
   */
  async stage(channel: string, life: WatchLife): Promise<StagedRelease | null> {
    const keys = this.keys;
    const staged = await runLua(this.redis, SUBSCRIPTION_COMMANDS.stageMuteRelease, {
      keys: {
        mute: keys.mute(channel),
        heldWatches: keys.heldWatches(channel),
        heldJobs: keys.heldJobs(channel),
        heldNew: keys.heldNew(channel),
        stagedWatches: keys.staged(keys.heldWatches(channel)),
        stagedJobs: keys.staged(keys.heldJobs(channel)),
        stagedNew: keys.staged(keys.heldNew(channel)),
        stagedMute: keys.staged(keys.mute(channel)),
      },
      args: { now: this.now() },
    });
    if (staged !== 1) return null;
    const [watchIds, jobIds, newJson, span] = await Promise.all([
      this.redis.smembers(keys.staged(keys.heldWatches(channel))),
      this.redis.smembers(keys.staged(keys.heldJobs(channel))),
      this.redis.lrange(keys.staged(keys.heldNew(channel)), 0, -1),
      this.redis.hgetall(keys.staged(keys.mute(channel))),
    ]);
    const claimant = releaseClaimant(channel);
    const changes: HeldChange[] = [];
    const told: { watchId: string; taskKey: string; seq: number; ended: boolean }[] = [];
    for (const watchId of watchIds) {
      // A delivery holding the claim is posting this watch's change itself: leave it out.
      if (!(await life.claimDelivery(watchId, claimant, Date.now(), CLAIM_TTL_MS))) continue;
      // Read under the claim: a delivery may have posted just before it was taken.
      const watch = await life.read.loadWatch(watchId);
      const task = watch ? await life.read.loadTask(watch.taskKey) : null;
      if (!watch || !task?.status) {
        await life.releaseClaim(watchId, claimant);
        continue;
      }
      told.push({ watchId, taskKey: task.taskKey, seq: task.seq, ended: watch.endReason !== null });
      const unsaidEnding = watch.endReason !== null && !watch.endPosted;
      if (task.seq > watch.deliveredSeq || unsaidEnding) {
        const history = await life.read.loadHistory(task.taskKey);
        const previous = watch.deliveredSeq > 0 ? (history.get(watch.deliveredSeq) ?? null) : null;
        const between: TaskState[] = [];
        for (let seq = watch.deliveredSeq + 1; seq < task.seq; seq += 1) {
          const passed = history.get(seq);
          if (passed) between.push(passed.state);
        }
        // The summary says what a thread would have heard: a first observation only fills the
        // card in, and progress alone only edits it (unless the watch asked for every step).
        if (unsaidEnding || deservesThreadReply(previous, task.status, between, null, watch.progress)) {
          changes.push({
            kind: task.kind,
            id: task.id,
            from: previous?.state ?? null,
            to: task.status.state,
            rawStatus: task.status.rawStatus,
            endReason: watch.endReason,
            statuses: { previous, current: task.status, skippedStates: skippedStatesOf(previous, between, task.status) },
          });
        }
      }
    }
    const newTasks = newJson.map((json) => JSON.parse(json) as HeldNewTask);
    const iso = (epoch: string | undefined): string => new Date(epoch ? Number(epoch) : this.now()).toISOString();
    return {
      channel,
      summary: { mutedAt: iso(span['mutedAt']), endedAt: iso(span['endedAt']), changes, newTasks },
      heldJobIds: jobIds,
      told,
    };
  }

  /** After the summary was posted (or had nothing to say): marks its changes as told and lets go of the claims. */
  async markTold(staged: StagedRelease, life: WatchLife): Promise<void> {
    const claimant = releaseClaimant(staged.channel);
    for (const { watchId, taskKey, seq, ended } of staged.told) {
      // A transition of the watch's life: telling an ending settles what the task is owed.
      await life.markToldBySummary(watchId, taskKey, seq, ended);
      await life.releaseClaim(watchId, claimant);
    }
  }

  /** Lets go of a staged release's claims without marking anything as told (its summary was not posted). */
  async releaseClaims(staged: StagedRelease, life: WatchLife): Promise<void> {
    const claimant = releaseClaimant(staged.channel);
    for (const { watchId } of staged.told) await life.releaseClaim(watchId, claimant);
  }

  /** Forgets a finished release. */
  async finish(channel: string): Promise<void> {
    const keys = this.keys;
    const transaction = this.redis
      .multi()
      .del(keys.staged(keys.heldWatches(channel)), keys.staged(keys.heldJobs(channel)), keys.staged(keys.heldNew(channel)), keys.staged(keys.mute(channel)));
    await queueLua(transaction, SUBSCRIPTION_COMMANDS.unindexMute, { keys: { mutes: this.index, mute: keys.mute(channel) }, args: { channel } }).exec();
  }
}
