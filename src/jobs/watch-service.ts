/**
 * What the command layer asks of the watch engine. The BullMQ engine in src/jobs implements
 * it; commands and the HTTP API only ever see this interface.
 */
import type { TaskRef, TaskState } from '../providers/types';
import type { ChannelAddress, WatchEndReason } from './notifier';
import type { ProgressDelivery } from './watch-life/watch-records';

export type { ProgressDelivery } from './watch-life/watch-records';

/** A request to watch tasks and report their changes to a channel. */
export interface WatchRequest {
  readonly refs: readonly TaskRef[];
  readonly channel: ChannelAddress;
  /** Platform user ID (or `api:<token name>`) of whoever asked. */
  readonly requestedBy: string;
  /**
   * An already-posted message to use as the status card (e.g. the query reply whose "Watch"
   * button was pressed). When absent, the engine posts a new card through the notifier.
   */
  readonly cardMessageId?: string;
  /**
   * How progress alone is told: `card` (the default) edits the card only; `thread` also posts
   * each step in the thread. Kept per watch; a ref already watched keeps its own.
   */
  readonly progress?: ProgressDelivery;
}

/** One active (or just-ended) watch as shown by `/task-status list`. */
export interface WatchSummary {
  readonly watchId: string;
  /** The task, with region and account resolved. */
  readonly ref: Required<TaskRef>;
  readonly channel: ChannelAddress;
  readonly state: TaskState | null;
  readonly rawStatus: string | null;
  readonly startedAt: string;
  readonly deadlineAt: string;
  /** When the task will next be checked; null once ended. */
  readonly nextCheckAt: string | null;
  readonly endReason: WatchEndReason | null;
  /** The card's message ID on the platform, once posted. */
  readonly cardMessageId: string | null;
}

/** The watch engine as the command layer sees it. */
export interface WatchService {
  /** Starts watching every ref in the request. A ref already watched in that channel is returned as is, not doubled. */
  watch(request: WatchRequest): Promise<WatchSummary[]>;
  /** Stops the named watches in a channel; resolves to how many were stopped. */
  unwatch(channel: ChannelAddress, refs: readonly TaskRef[]): Promise<number>;
  /** Stops every watch in a channel; resolves to how many were stopped. */
  unwatchAll(channel: ChannelAddress): Promise<number>;
  /** The channel's active watches. */
  list(channel: ChannelAddress): Promise<WatchSummary[]>;
}
