/**
 * A Notifier that records every call into a Redis list, so that tests can read what worker
 * processes posted. It can refuse one channel with a 429 (NotifierRateLimitedError) while that
 * channel's ID is in a "blocked" set, which tests toggle.
 */
import type Redis from 'ioredis';
import { watchEndingText } from '../../../src/chat/render/watch-end-text';
import { NotifierRateLimitedError, formatChannelAddress, type ChannelAddress, type Notifier, type StatusCard, type StuckNotice, type TransitionNotice } from '../../../src/jobs/notifier';

/** One recorded notifier call. */
export interface RecordedEvent {
  readonly type: 'card' | 'update' | 'reply' | 'stuck' | 'rate_limited';
  readonly channel: string;
  readonly messageId: string;
  /** The task ID the card or reply is about. */
  readonly taskId?: string;
  readonly state: string | null;
  /** The task's progress the card or reply showed. */
  readonly progress?: number | null;
  readonly previousState?: string | null;
  readonly skippedStates?: readonly string[];
  readonly endReason?: string | null;
  /** The ending's words, as every chat surface says them (`watchEndingText`). */
  readonly endMessage?: string | null;
  readonly durationMs?: number | null;
  readonly broadcast?: boolean;
  /** Why a first card shows no state (its check failed). */
  readonly unchecked?: string;
  /** The task that replaced the watched one, when a reply says so. */
  readonly replacedBy?: string | null;
  readonly pid: number;
}

/**
 * A worker process that kills itself (SIGKILL) at the first thread reply showing `state`:
 * `before_post` before the reply reaches the platform (here: before it is recorded),
 * `after_post` right after the platform accepted it, before the engine records it told.
 * `reply` says which reply: a change's (`thread`, the default) or a stuck task's (`stuck`).
 * Only for a worker in its own process.
 */
export interface ReplyCrash {
  readonly state: string;
  readonly when: 'before_post' | 'after_post';
  readonly reply?: 'thread' | 'stuck';
}

/** Records calls under `namespace` in Redis. */
export class RecordingNotifier implements Notifier {
  readonly platform = 'slack' as const;

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly retryAfterMs = 200,
    private readonly crash: ReplyCrash | null = null,
  ) {}

  async postCard(channel: ChannelAddress, card: StatusCard): Promise<string> {
    const messageId = `${Date.now()}.${String(await this.redis.incr(`${this.namespace}:message-ids`)).padStart(6, '0')}`;
    await this.record({
      type: 'card',
      channel: formatChannelAddress(channel),
      messageId,
      taskId: card.status.id,
      state: card.status.state,
      progress: card.status.progress,
      ...(card.unchecked ? { unchecked: card.unchecked } : {}),
      pid: process.pid,
    });
    return messageId;
  }

  async updateCard(channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void> {
    await this.refuseIfBlocked(channel, messageId);
    await this.record({
      type: 'update',
      channel: formatChannelAddress(channel),
      messageId,
      taskId: card.status.id,
      state: card.status.state,
      progress: card.status.progress,
      endReason: card.watch?.endReason ?? null,
      pid: process.pid,
    });
  }

  async postThreadReply(channel: ChannelAddress, messageId: string, notice: TransitionNotice, options: { readonly broadcast: boolean }): Promise<void> {
    await this.refuseIfBlocked(channel, messageId);
    const crashing = this.crashesAt('thread', notice.current.state);
    if (crashing && this.crash?.when === 'before_post') process.kill(process.pid, 'SIGKILL');
    await this.record({
      type: 'reply',
      channel: formatChannelAddress(channel),
      messageId,
      taskId: notice.current.id,
      state: notice.current.state,
      replacedBy: notice.replacedBy ?? null,
      previousState: notice.previous?.state ?? null,
      skippedStates: notice.skippedStates,
      endReason: notice.endReason,
      endMessage: notice.endFacts ? watchEndingText(notice.endFacts) : null,
      durationMs: notice.durationMs,
      broadcast: options.broadcast,
      pid: process.pid,
    });
    if (crashing && this.crash?.when === 'after_post') process.kill(process.pid, 'SIGKILL');
  }

  async postStuckReply(channel: ChannelAddress, messageId: string, notice: StuckNotice, options: { readonly broadcast: boolean }): Promise<void> {
    await this.refuseIfBlocked(channel, messageId);
    const crashing = this.crashesAt('stuck', notice.state);
    if (crashing && this.crash?.when === 'before_post') process.kill(process.pid, 'SIGKILL');
    await this.record({ type: 'stuck', channel: formatChannelAddress(channel), messageId, taskId: notice.id, state: notice.state, broadcast: options.broadcast, pid: process.pid });
    if (crashing && this.crash?.when === 'after_post') process.kill(process.pid, 'SIGKILL');
  }

  private crashesAt(reply: 'thread' | 'stuck', state: string): boolean {
    return this.crash !== null && (this.crash.reply ?? 'thread') === reply && this.crash.state === state;
  }

  private async refuseIfBlocked(channel: ChannelAddress, messageId: string): Promise<void> {
    if ((await this.redis.sismember(`${this.namespace}:blocked`, channel.channelId)) === 1) {
      await this.record({ type: 'rate_limited', channel: formatChannelAddress(channel), messageId, state: null, pid: process.pid });
      throw new NotifierRateLimitedError(this.retryAfterMs);
    }
  }

  private async record(event: RecordedEvent): Promise<void> {
    await this.redis.rpush(`${this.namespace}:events`, JSON.stringify(event));
  }
}

/** Reads every recorded event, oldest first. */
export async function recordedEvents(redis: Redis, namespace: string): Promise<RecordedEvent[]> {
  return (await redis.lrange(`${namespace}:events`, 0, -1)).map((line) => JSON.parse(line) as RecordedEvent);
}

/** How many cards (by message) were last posted or updated showing `state` and `endReason`. */
export async function cardsShowing(redis: Redis, namespace: string, state: string, endReason: string | null = null): Promise<number> {
  const latest = new Map<string, { state: string | null; endReason: string | null }>();
  for (const event of await recordedEvents(redis, namespace)) {
    if (event.type === 'card' || event.type === 'update') latest.set(event.messageId, { state: event.state, endReason: event.endReason ?? null });
  }
  return [...latest.values()].filter((card) => card.state === state && card.endReason === endReason).length;
}
