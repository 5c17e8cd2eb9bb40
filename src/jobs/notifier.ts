/**
 * The watch engine's only view of a chat platform. Slack, Discord and the terminal chat each
 * implement {@link Notifier}; the engine never imports a chat library.
 */
import type { ProviderErrorCode } from '../providers/errors';
import type { TaskState, TaskStatus } from '../providers/types';
import type { DurationEstimate, DurationExpectation } from './durations/duration-group';
import type { StuckFacts, StuckNotice } from './durations/stuck-threshold';
import type { WatchEndFacts } from './watch-life/watch-end-facts';
import type { ChannelAddress, ChatPlatform } from '../util/channel-address';

export type { StuckFacts, StuckNotice } from './durations/stuck-threshold';
export type { WatchEndFacts } from './watch-life/watch-end-facts';

// Defined below both chat and jobs; re-exported for the jobs that already read them from here.
export { formatChannelAddress, parseChannelAddress, type ChannelAddress, type ChatPlatform } from '../util/channel-address';

/** Why a watch ended, when it has. */
export type WatchEndReason = 'terminal' | 'deadline' | 'aged_out' | 'not_found' | 'auth_failed' | 'unwatched' | 'error' | 'replaced' | 'channel_gone';

/** What a status card shows: the task's latest status and the watch around it. */
export interface StatusCard {
  readonly status: TaskStatus;
  /** Present when the card belongs to a watch. */
  readonly watch?: {
    readonly watchId: string;
    readonly startedAt: string;
    readonly deadlineAt: string;
    readonly nextCheckAt: string | null;
    readonly endReason: WatchEndReason | null;
  };
  /**
   * What to expect of a task of this group, from the durations of its past ones; present only
   * while the task runs and only once its group has enough history (see `estimateDuration`).
   */
  readonly expected?: DurationExpectation;
  /** Present once the watch was told the task is stuck (see `durations/stuck-check.ts`), while it is under way. */
  readonly stuck?: StuckFacts;
  /**
   * Present on a watch's first card when the check made before posting it gave no status: why.
   * `status` is then only the task's identity; the card says why instead of showing a state.
   */
  readonly unchecked?: UncheckedReason;
  /**
   * Present when the watch ended before any answer about its task: why, as facts. `status` is
   * then only the task's identity, and the card shows the ending's words
   * (`src/chat/render/watch-end-text.ts`) in place of a status message.
   */
  readonly unansweredEnding?: WatchEndFacts;
}

/**
 * Why the check before a watch's first card gave no status: the provider's error code, or
 * `replaced` when the API answered about a newer task (TCSS reports only the latest).
 */
export type UncheckedReason = ProviderErrorCode | 'replaced';

/** One state change (or ending) to post in the card's thread. */
export interface TransitionNotice {
  readonly previous: TaskStatus | null;
  readonly current: TaskStatus;
  /** States passed through between `previous` and `current` that were not delivered separately. */
  readonly skippedStates: readonly TaskState[];
  /** Items whose status or progress changed since `previous`. */
  readonly changedItems: readonly TaskStatus['items'][number][];
  /** Set when this notice ends the watch. */
  readonly endReason: WatchEndReason | null;
  /**
   * Why the watch ended, as facts, when this notice ends it and they were kept; each surface
   * words them with `watchEndingText` (`src/chat/render/watch-end-text.ts`).
   */
  readonly endFacts: WatchEndFacts | null;
  /** Total duration of the task in ms when it ended, if known. */
  readonly durationMs: number | null;
  /**
   * Set when the watch ended because a newer task replaced the watched one (an API that only
   * reports the latest task, such as TCSS): the newer task's ID. `current` is then the
   * watched task's last known status.
   */
  readonly replacedBy?: string | null;
  /**
   * The usual range of the task's group, set on an ending when the watch was told the task was
   * stuck, so the ending can say how long it took compared with usual.
   */
  readonly usual?: DurationEstimate;
}

/** Thrown by a notifier when the platform rate-limited the call; the engine retries that channel later. */
export class NotifierRateLimitedError extends Error {
  override readonly name = 'NotifierRateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super(`Chat platform rate limit: retry after ${retryAfterMs} ms`);
  }
}

/** Why a notification's target is gone for good. */
export type NotifierGoneReason = 'channel_not_found' | 'archived' | 'not_in_channel' | 'card_deleted';

/**
 * Thrown by a notifier when its target can never be posted to again: the channel was deleted
 * or archived, the bot was removed from it, or the card was deleted. The engine then ends the
 * watch quietly instead of retrying; any other failure is retried until it succeeds or the
 * watch's deadline passes.
 */
export class NotifierTargetGoneError extends Error {
  override readonly name = 'NotifierTargetGoneError';
  constructor(readonly reason: NotifierGoneReason) {
    super(`Chat target gone for good: ${reason}`);
  }
}

/**
 * What a muted channel missed (see `/task-status mute`), told in one message when the mute
 * ends; each chat surface words it (`src/chat/render/mute-summary-text.ts`) and formats it.
 */
export interface ChannelSummary {
  /** When the mute began and ended (ISO-8601). */
  readonly mutedAt: string;
  readonly endedAt: string;
  /** Watched tasks whose notifications the mute held. */
  readonly changes: readonly HeldChange[];
  /** Tasks a subscription found while the channel was muted. */
  readonly newTasks: readonly HeldNewTask[];
}

/** A watched task whose notifications a mute held. */
export interface HeldChange {
  readonly kind: string;
  readonly id: string;
  /** The state the channel last heard of, or null when it had only seen the card. */
  readonly from: TaskState | null;
  readonly to: TaskState;
  readonly rawStatus: string;
  readonly endReason: WatchEndReason | null;
  /**
   * The statuses behind `from` and `to`, for a line that says what changed when the state did
   * not (an item failed, the task is no longer found, a step the watch asked to hear): the status
   * the channel last heard of (null: only the card), the latest, and the states passed through
   * between them (as {@link TransitionNotice.skippedStates}). Absent: only `from` and `to` are known.
   */
  readonly statuses?: { readonly previous: TaskStatus | null; readonly current: TaskStatus; readonly skippedStates: readonly TaskState[] };
}

/**
 * A task a subscription found while the channel was muted (stored as JSON while the mute lasts).
 * `state` and `rawStatus` are its latest known: checked again when the mute ends.
 */
export interface HeldNewTask {
  readonly kind: string;
  readonly id: string;
  readonly state: TaskState;
  readonly rawStatus: string;
  /** The cloud account it was found under (absent in entries noted by earlier releases: the default). */
  readonly account?: string;
  /** The state it was found in, when the check at the mute's end found it in another. */
  readonly foundState?: TaskState;
}

/**
 * A one-off message to a channel about the channel itself, not about a task; each chat surface
 * words it (`src/chat/render/channel-notice-text.ts`). Today: a subscription of the channel was
 * suspended because it no longer passes the access rules.
 */
export interface ChannelNotice {
  readonly type: 'subscription_suspended';
  readonly kind: string;
  readonly account: string;
  /** `channel_not_allowed`, `user_not_allowed` or `unknown_account`. */
  readonly reason: string;
}

/**
 * What a platform can do, as far as delivering notifications goes; each platform declares its
 * own (see `src/chat/chat-platform.ts`). A notify-only webhook robot has edits and threads off.
 */
export interface DeliveryCapabilities {
  /** Least ms between two posts to one channel, the platform's posting limit; 0 for none. */
  readonly pacingMs: number;
  /**
   * Whether a posted card can be edited in place. Without, the card is posted once and never
   * edited: changes reach the channel only as `postThreadReply` posts.
   */
  readonly edits: boolean;
  /** Whether replies go into a thread under the card; without, `postThreadReply` posts in the channel. */
  readonly threads: boolean;
  /**
   * How long after posting a card can still be edited, in ms; null or absent: as long as it
   * exists. Past it the card is kept as posted, as without `edits`: the replies tell the changes.
   */
  readonly editWindowMs?: number | null;
}

/** The capabilities of a notifier that declares none: edits and threads, no pacing. */
export const FULL_DELIVERY_CAPABILITIES: DeliveryCapabilities = { pacingMs: 0, edits: true, threads: true };

/** Posts and edits status cards and their threads on one platform. */
export interface Notifier {
  readonly platform: ChatPlatform;
  /** What the platform can do; absent: {@link FULL_DELIVERY_CAPABILITIES}. */
  readonly capabilities?: DeliveryCapabilities;
  /** Posts a new card in a channel; resolves to the platform's message ID (Slack ts, Discord message ID). */
  postCard(channel: ChannelAddress, card: StatusCard): Promise<string>;
  /** Edits a posted card in place. */
  updateCard(channel: ChannelAddress, messageId: string, card: StatusCard): Promise<void>;
  /** Posts a reply in the card's thread; `broadcast` also shows it in the channel. */
  postThreadReply(channel: ChannelAddress, messageId: string, notice: TransitionNotice, options: { readonly broadcast: boolean }): Promise<void>;
  /**
   * Posts, once per watch, that a task runs far past its usual time, in the card's thread;
   * `broadcast` also shows it in the channel. Optional: a platform without it says nothing.
   */
  postStuckReply?(channel: ChannelAddress, messageId: string, notice: StuckNotice, options: { readonly broadcast: boolean }): Promise<void>;
  /** Posts one channel message summing up a mute; optional, platforms without it lose nothing but the summary. */
  postSummary?(channel: ChannelAddress, summary: ChannelSummary): Promise<string>;
  /** Posts a {@link ChannelNotice} as one channel message; optional, like `postSummary`. */
  postNotice?(channel: ChannelAddress, notice: ChannelNotice): Promise<string>;
}
