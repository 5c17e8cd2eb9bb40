/**
 * What the command layer asks of channel subscriptions and mutes. The BullMQ implementation in
 * `subscription-engine.ts` provides it; commands only ever see this interface.
 */
import type { TaskKind } from '../../providers/types';
import type { ChannelAddress } from '../notifier';

/**
 * A task kind a channel can subscribe to: one whose descriptor has a `subscription` (kinds that
 * list by time window, such as CDN prefetches, and kinds without IDs, such as TCSS refreshes).
 */
export type SubscriptionKind = TaskKind;

/** Longest mute a channel can ask for. */
export const MAX_MUTE_MS = 7 * 86_400_000;

/** A request to subscribe a channel. */
export interface SubscribeRequest {
  readonly channel: ChannelAddress;
  readonly kind: SubscriptionKind;
  /** Account name; `default` when absent. */
  readonly account?: string;
  /** Kinds with areas (CDN): one of the kind's areas (`mainland`, `overseas`, `global`); every area when absent. */
  readonly region?: string;
  /** Kinds that filter by domain (CDN): only tasks with a URL on this host (case-insensitive, exact host). */
  readonly domain?: string;
  /** Kinds with status filters (CDN): only tasks with a URL in one of these raw statuses (e.g. `fail`, `invalid`). */
  readonly statuses?: readonly string[];
  /** Platform user ID of whoever asked. */
  readonly requestedBy: string;
  /**
   * The asker's Slack user-group handles or Discord role IDs, as the adapter resolved them when
   * they subscribed; kept so that the subscription can be re-authorized later.
   */
  readonly requestedByGroups?: readonly string[];
}

/**
 * Why a subscription was suspended: the channel may no longer use its account, whoever
 * subscribed may no longer, or the account is no longer configured.
 */
export type SubscriptionSuspendReason = 'channel_not_allowed' | 'user_not_allowed' | 'unknown_account';

/** What a subscription is re-authorized on: where it posts, for which account, on whose authority. */
export interface SubscriptionAccessSubject {
  readonly channel: ChannelAddress;
  readonly kind: SubscriptionKind;
  readonly account: string;
  /** The platform user ID that subscribed (or re-subscribed) it. */
  readonly createdBy: string;
  /** Their groups or roles when they subscribed (see {@link SubscribeRequest.requestedByGroups}). */
  readonly createdByGroups: readonly string[];
}

/** The answer of a {@link SubscriptionAuthorizer}. */
export type SubscriptionAccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: SubscriptionSuspendReason };

/** Checks a stored subscription against the current access rules (the composition root wires the access policy in). */
export type SubscriptionAuthorizer = (subject: SubscriptionAccessSubject) => SubscriptionAccessDecision;

/** One subscription as `/task-status subscriptions` shows it. */
export interface SubscriptionSummary {
  readonly subscriptionId: string;
  /** 1-based position in the channel's list, oldest first; what `unsubscribe <n>` takes. */
  readonly number: number;
  readonly channel: ChannelAddress;
  readonly kind: SubscriptionKind;
  readonly account: string;
  readonly region: string | null;
  readonly domain: string | null;
  readonly statuses: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  /** Set when the subscription no longer passes the access rules and announces nothing; subscribing again resumes it. */
  readonly suspended?: SubscriptionSuspendReason | null;
}

/** A channel's mute, when it has one. */
export interface MuteState {
  /** ISO time the mute ends by itself. */
  readonly until: string;
  readonly mutedBy: string;
}

/** What `unmute` did. */
export interface UnmuteOutcome {
  /** False when the channel was not muted. */
  readonly wasMuted: boolean;
  /** How many tasks the summary will list. */
  readonly heldCount: number;
}

/** Subscriptions and mutes, as the command layer sees them. */
export interface SubscriptionService {
  /**
   * Subscribes a channel; an identical subscription in the same channel is returned as is, not
   * doubled. Rejects with a `SubscriptionRefusedError` (`subscription-refusal.ts`) when the kind
   * cannot be subscribed to, or its account cannot list tasks; with a `ProviderError` when the
   * account is not configured.
   */
  subscribe(request: SubscribeRequest): Promise<SubscriptionSummary>;
  /** The channel's subscriptions, numbered oldest first. */
  list(channel: ChannelAddress): Promise<SubscriptionSummary[]>;
  /** Removes the channel's subscription number `number`; resolves to it, or null when there is no such number. */
  unsubscribe(channel: ChannelAddress, number: number): Promise<SubscriptionSummary | null>;
  /** Removes every subscription of the channel; resolves to how many were removed. */
  unsubscribeAll(channel: ChannelAddress): Promise<number>;
  /** Holds the channel's notifications for `durationMs` (a later mute replaces an earlier one). */
  mute(channel: ChannelAddress, durationMs: number, requestedBy: string): Promise<MuteState>;
  /** Ends a mute now; one summary of what was held is then posted in the channel. */
  unmute(channel: ChannelAddress): Promise<UnmuteOutcome>;
  /** The channel's mute, or null. */
  muteState(channel: ChannelAddress): Promise<MuteState | null>;
}
