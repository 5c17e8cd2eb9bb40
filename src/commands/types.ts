/**
 * The chat-neutral command model. The parser turns text into a {@link Command}; the handler
 * turns a command into a {@link CommandResult}; each chat adapter renders results its own way.
 * Nothing here knows Slack, Discord or the terminal.
 */
import type { ProviderError } from '../providers/errors';
import type { ProviderRegistry, TaskKind, TaskRef, TaskStatus } from '../providers/types';
import type { ChannelAddress, ChatPlatform } from '../util/channel-address';
import type { ProgressDelivery, WatchService, WatchSummary } from '../jobs/watch-service';
import type { MuteState, SubscriptionKind, SubscriptionService, SubscriptionSummary } from '../jobs/subscriptions/subscription-service';
import type { CommandAccess } from '../accounts/access-policy';
import type { WatchLimiter } from '../jobs/watch-quota';
import type { DurationStore } from '../jobs/durations/duration-store';
import type { DurationSummary } from '../jobs/durations/duration-group';
import type { StructuredLogger } from '../observability/taskwatch-logger';

/** Options common to task-addressing commands. */
export interface TaskSelection {
  readonly kind: TaskKind;
  /** Empty for `tcss`, which takes no ID. */
  readonly ids: readonly string[];
  readonly region?: string;
  readonly account?: string;
}

/** A parsed `/task-status` command. */
export type Command =
  | { readonly type: 'help' }
  | ({ readonly type: 'query' } & TaskSelection)
  | ({ readonly type: 'watch'; readonly progress?: ProgressDelivery } & TaskSelection)
  | ({ readonly type: 'unwatch' } & TaskSelection)
  | { readonly type: 'unwatch-all' }
  | { readonly type: 'list' }
  | ({ readonly type: 'subscribe' } & SubscriptionSelection)
  | { readonly type: 'subscriptions' }
  | { readonly type: 'unsubscribe'; readonly number: number }
  | { readonly type: 'unsubscribe-all' }
  | { readonly type: 'mute'; readonly durationMs: number }
  | { readonly type: 'unmute' }
  | StatsCommand;

/** `stats [<kind>] [account=<name>]`: how long ended tasks took. Absent kind: every kind. */
export interface StatsCommand {
  readonly type: 'stats';
  readonly kind?: TaskKind;
  readonly account?: string;
}

/** What `subscribe` asks for. `domain`, `statuses` and `region` (an area) apply to the kinds whose descriptor's `subscription` has them (CDN prefetch and purge). */
export interface SubscriptionSelection {
  readonly kind: SubscriptionKind;
  readonly account?: string;
  readonly region?: string;
  readonly domain?: string;
  readonly statuses?: readonly string[];
}

/** Identifiers of everything the parser can reject. One module turns them into text. */
export type ParseErrorCode =
  | 'too_long'
  | 'unknown_kind'
  | 'missing_kind'
  | 'missing_id'
  | 'unexpected_id'
  | 'empty_id'
  | 'id_too_long'
  | 'invalid_id'
  | 'too_many_ids'
  | 'unknown_option'
  | 'invalid_option'
  | 'duplicate_option'
  | 'missing_region'
  | 'unknown_subcommand'
  | 'unsupported_subscription_kind'
  | 'invalid_subscription_number'
  | 'invalid_duration';

/** Why a text did not parse, with what the message needs. */
export interface ParseError {
  readonly code: ParseErrorCode;
  /** The offending token, already cut to a safe length (never rendered unescaped). */
  readonly token?: string;
  /** The nearest valid word, when there is one. */
  readonly suggestion?: string;
  /** The kind concerned, for per-kind usage lines. */
  readonly kind?: TaskKind;
  /** The subcommand concerned, e.g. `watch`. */
  readonly subcommand?: Command['type'];
  /** The option concerned (`region`, `account`) for option errors. */
  readonly option?: string;
}

/** The parser's answer. */
export type ParseResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly error: ParseError };

/** Who asked, and where. */
export interface CommandContext {
  readonly platform: ChatPlatform;
  readonly channel: ChannelAddress;
  readonly userId: string;
  /**
   * What the user belongs to, for access lists: Slack user-group handles or Discord role IDs.
   * Absent or empty when the adapter did not resolve them (then only user entries can match).
   */
  readonly groups?: readonly string[];
}

/**
 * Where the handler reports failures it did not expect. A pino logger fits. It receives error
 * names and stack frames only, never error messages, which may carry vendor text or secrets.
 */
export type CommandErrorLog = Pick<StructuredLogger, 'error'>;

/** How one command ended, for metrics. */
export interface CommandOutcome {
  readonly platform: ChatPlatform;
  /** The command type, or `invalid` when the text did not parse. */
  readonly command: Command['type'] | 'invalid';
  readonly kind: TaskKind | null;
  /** `ok`, `partial` (some tasks failed), `error` (an error reply). */
  readonly outcome: 'ok' | 'partial' | 'error';
}

/** Receives every command's outcome (e.g. to count it in /metrics). */
export interface CommandObserver {
  commandCompleted(outcome: CommandOutcome): void;
}

/** What the handler needs. `watches` is absent where watching is not available. */
export interface CommandServices {
  readonly providers: ProviderRegistry;
  readonly watches?: WatchService;
  /** Channel subscriptions and mutes; absent where they are not available. */
  readonly subscriptions?: SubscriptionService;
  /** Optional sink for unexpected failures. */
  readonly log?: CommandErrorLog;
  /** Optional observer of command outcomes. */
  readonly observer?: CommandObserver;
  /**
   * Who may use which account, and the audit log. Absent: every command is allowed and none is
   * audited (the single-account behaviour, and what tests without accounts rely on).
   */
  readonly access?: CommandAccess;
  /** How much one channel or person may watch and subscribe; absent: unlimited. */
  readonly limits?: CommandLimits;
  /** How long ended tasks took, for `stats`; absent where the watch engine is not available. */
  readonly durations?: Pick<DurationStore, 'summaries'>;
}

/** The usage limits the command handler applies (see the README's Limits). */
export interface CommandLimits {
  /** Active and per-minute watch limits per channel and user. */
  readonly watches?: WatchLimiter;
  /** Subscriptions one channel may have. */
  readonly subscriptionsPerChannel?: number;
}

/** A task query that failed as a whole call. */
export interface QueryFailure {
  readonly refs: readonly TaskRef[];
  readonly error: ProviderError;
}

/**
 * The handler's answer. `visibility` says whether adapters should show it only to the user
 * (`ephemeral`) or post it in the channel (`channel`).
 */
export type CommandResult =
  | { readonly type: 'help'; readonly visibility: 'ephemeral'; readonly text: string }
  | { readonly type: 'error'; readonly visibility: 'ephemeral'; readonly text: string }
  | {
      readonly type: 'statuses';
      readonly visibility: 'channel';
      readonly statuses: readonly TaskStatus[];
      readonly failures: readonly QueryFailure[];
    }
  | { readonly type: 'watching'; readonly visibility: 'ephemeral'; readonly watches: readonly WatchSummary[]; readonly text: string }
  | { readonly type: 'unwatched'; readonly visibility: 'ephemeral'; readonly count: number; readonly text: string }
  | { readonly type: 'watch-list'; readonly visibility: 'ephemeral'; readonly watches: readonly WatchSummary[]; readonly text: string }
  | { readonly type: 'subscribed'; readonly visibility: 'ephemeral'; readonly subscription: SubscriptionSummary; readonly text: string }
  | { readonly type: 'subscription-list'; readonly visibility: 'ephemeral'; readonly subscriptions: readonly SubscriptionSummary[]; readonly text: string }
  | { readonly type: 'unsubscribed'; readonly visibility: 'ephemeral'; readonly count: number; readonly text: string }
  | { readonly type: 'muted'; readonly visibility: 'ephemeral'; readonly mute: MuteState; readonly text: string }
  | { readonly type: 'unmuted'; readonly visibility: 'ephemeral'; readonly wasMuted: boolean; readonly heldCount: number; readonly text: string }
  | { readonly type: 'stats'; readonly visibility: 'ephemeral'; readonly summaries: readonly DurationSummary[]; readonly text: string };
