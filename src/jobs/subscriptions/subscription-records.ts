/**
 * What subscriptions keep in Redis and the job data they enqueue. Keys live under
 * `<prefix>:tw:sub:*`, next to the watch engine's records; every record and job carries `v`
 * so that a later release can read what this one wrote.
 */
import { createHash } from 'node:crypto';
import { allKinds, storedTaskKind } from '../../providers/kinds';
import type { TaskKind } from '../../providers/types';
import { UnsupportedRecordVersionError } from '../watch-life/watch-records';
import type { SubscriptionKind, SubscriptionSuspendReason } from './subscription-service';

/** Version of the records and job data this release writes. */
export const SUBSCRIPTION_RECORD_VERSION = 1;

function digest(text: string, length: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length);
}

/** One channel's subscription. */
export interface SubscriptionRecord {
  readonly v: number;
  readonly id: string;
  /** `<platform>:<channelId>`. */
  readonly channel: string;
  readonly kind: SubscriptionKind;
  readonly account: string;
  /** The kind's area (CDN: prefetch area), or null for every area. */
  readonly region: string | null;
  /** Lowercase host, or null for every host. */
  readonly domain: string | null;
  /** Lowercase raw statuses, empty for every status. */
  readonly statuses: readonly string[];
  readonly createdBy: string;
  /** The subscriber's groups or roles when they subscribed; empty for records written before this field. */
  readonly createdByGroups: readonly string[];
  /** Why the subscription is suspended, or null while it is active. */
  readonly suspended: SubscriptionSuspendReason | null;
  readonly createdAt: string;
  /** `createdAt` in epoch ms on the engine clock: tasks created before it are not "new". */
  readonly createdAtMs: number;
  readonly groupId: string;
}

/** The listing group of a subscription: one sweep job and one API quota per kind, account and area. */
export interface SubscriptionGroup {
  readonly v: number;
  readonly kind: SubscriptionKind;
  readonly account: string;
  readonly region: string | null;
}

/** Data of a group sweep job. */
export interface SubscriptionSweepJobData {
  readonly v: number;
  readonly groupId: string;
  /** Consecutive throttled sweeps; grows the pause before the next. */
  readonly throttleLevel?: number;
}

/** Data of a mute-release job. */
export interface MuteReleaseJobData {
  readonly v: number;
  readonly channel: string;
}

/** The group ID of a kind, account and area; no `:` so it can be part of a BullMQ job ID. */
export function subscriptionGroupIdOf(group: Pick<SubscriptionGroup, 'kind' | 'account' | 'region'>): string {
  return `${group.kind}-${digest(`${group.kind}|${group.account}|${group.region ?? '-'}`, 12)}`;
}

/** The ID of a subscription: the same filters in the same channel always give the same ID. */
export function subscriptionIdOf(record: Pick<SubscriptionRecord, 'channel' | 'kind' | 'account' | 'region' | 'domain' | 'statuses'>): string {
  return `s${digest([record.channel, record.kind, record.account, record.region ?? '-', record.domain ?? '-', [...record.statuses].sort().join(',')].join('|'), 15)}`;
}

/** A channel as a job-ID-safe token. */
export function channelTokenOf(channel: string): string {
  return digest(channel, 16);
}

/** Redis key names under one namespace (the queue prefix plus `:tw:sub`). */
export class SubscriptionKeys {
  constructor(readonly namespace: string) {}

  /** Hash: one subscription. */
  record(id: string): string {
    return `${this.namespace}:record:${id}`;
  }

  /** Sorted set: a channel's subscription IDs scored by creation (real ms), for numbering. */
  channel(channel: string): string {
    return `${this.namespace}:channel:${channel}`;
  }

  /** Hash: group ID -> group JSON. */
  groups(): string {
    return `${this.namespace}:groups`;
  }

  /** Set: subscription IDs of a group. */
  members(groupId: string): string {
    return `${this.namespace}:members:${groupId}`;
  }

  /** String: epoch ms (engine clock) up to which a group's listing is complete. */
  cursor(groupId: string): string {
    return `${this.namespace}:cursor:${groupId}`;
  }

  /** Set: suspended subscription IDs whose channel has not yet been told (retried by the supervisor). */
  untold(): string {
    return `${this.namespace}:suspended-untold`;
  }

  /** String with a TTL: who is posting a subscription's suspension notice now (see `claimSuspensionNotice-2.lua`). */
  noticeClaim(id: string): string {
    return `${this.namespace}:suspended-telling:${id}`;
  }

  /** Sorted set: task IDs a subscription has already taken, scored by when (engine clock). */
  seen(id: string): string {
    return `${this.namespace}:seen:${id}`;
  }

  /** Hash: task ID -> ref JSON, taken but not yet confirmed as a watch (retried after a crash). */
  pending(id: string): string {
    return `${this.namespace}:pending:${id}`;
  }

  /** Hash: a channel's mute (`v`, `until`, `mutedBy`, `mutedAt`). */
  mute(channel: string): string {
    return `${this.namespace}:mute:${channel}`;
  }

  /** Set: watch IDs whose deliveries were held by a mute. */
  heldWatches(channel: string): string {
    return `${this.namespace}:held-watches:${channel}`;
  }

  /** Set: delivery job IDs held by a mute, promoted when it ends. */
  heldJobs(channel: string): string {
    return `${this.namespace}:held-jobs:${channel}`;
  }

  /** List: JSON of new tasks a subscription found while the channel was muted. */
  heldNew(channel: string): string {
    return `${this.namespace}:held-new:${channel}`;
  }

  /** A held key's staging copy while its summary is being posted. */
  staged(heldKey: string): string {
    return `${heldKey}:staged`;
  }
}

function nullable(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

const SUSPEND_REASONS: readonly SubscriptionSuspendReason[] = ['channel_not_allowed', 'user_not_allowed', 'unknown_account'];

function suspendReasonOf(text: string | undefined): SubscriptionSuspendReason | null {
  if (text === undefined || text === '') return null;
  // An unknown word (a later release's reason) still means suspended: fail closed.
  return (SUSPEND_REASONS as readonly string[]).includes(text) ? (text as SubscriptionSuspendReason) : 'unknown_account';
}

/** The kind of a record whose kind this release does not know: the first kind that lists by window, as before kinds were stored by name. */
const FALLBACK_KIND: TaskKind = (allKinds().find((descriptor) => descriptor.listsByWindow) ?? allKinds()[0])?.kind as TaskKind;

/** Reads a subscription hash; null when empty. */
export function readSubscriptionRecord(id: string, fields: Record<string, string>): SubscriptionRecord | null {
  if (Object.keys(fields).length === 0) return null;
  if (Number(fields['v']) !== SUBSCRIPTION_RECORD_VERSION) throw new UnsupportedRecordVersionError(fields['v']);
  return {
    v: SUBSCRIPTION_RECORD_VERSION,
    id,
    channel: fields['channel'] ?? '',
    kind: storedTaskKind(fields['kind']) ?? FALLBACK_KIND,
    account: fields['account'] ?? 'default',
    region: nullable(fields['region']),
    domain: nullable(fields['domain']),
    statuses: (fields['statuses'] ?? '').split(',').filter((status) => status !== ''),
    createdBy: fields['createdBy'] ?? '',
    createdByGroups: (fields['createdByGroups'] ?? '').split(',').filter((group) => group !== ''),
    suspended: suspendReasonOf(fields['suspended']),
    createdAt: fields['createdAt'] ?? '',
    createdAtMs: Number(fields['createdAtMs'] ?? 0),
    groupId: fields['groupId'] ?? '',
  };
}

/** The hash fields of a subscription. */
export function subscriptionFields(record: SubscriptionRecord): Record<string, string> {
  return {
    v: String(SUBSCRIPTION_RECORD_VERSION),
    channel: record.channel,
    kind: record.kind,
    account: record.account,
    region: record.region ?? '',
    domain: record.domain ?? '',
    statuses: record.statuses.join(','),
    createdBy: record.createdBy,
    createdByGroups: record.createdByGroups.join(','),
    ...(record.suspended !== null ? { suspended: record.suspended } : {}),
    createdAt: record.createdAt,
    createdAtMs: String(record.createdAtMs),
    groupId: record.groupId,
  };
}

/** Checks job data written by any release. */
export function requireSubscriptionJobVersion<T extends { readonly v: number }>(data: T): T {
  if (data.v !== SUBSCRIPTION_RECORD_VERSION) throw new UnsupportedRecordVersionError(data.v);
  return data;
}
