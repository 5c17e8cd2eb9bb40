/**
 * Which Slack user groups a user belongs to, for access lists that name groups as `"@handle"`.
 *
 * Slack has no "groups of this user" method; `usergroups.list` with `include_users` answers
 * for every user at once, so one answer is cached (handle -> members) and shared by all
 * commands and button presses for a few minutes. The lookup never throws and never holds a
 * command up for long:
 * - the web client rejects 429s instead of waiting them out, so a rate limit or any other
 *   failure falls back to the last answer (up to an hour old), else to no groups, and no new
 *   call is made until Retry-After (or a short back-off) has passed;
 * - a slow answer is waited for only briefly; it still fills the cache when it arrives.
 * With no groups, only user-ID entries can match, so a failure can refuse a group member but
 * never lets anyone in.
 */
import type { webApi } from '@slack/bolt';
import { systemClock, type Clock } from '../../util/clock';
import type { TaskwatchLogger } from '../../observability/taskwatch-logger';
import { readSlackApiFailure } from './slack-api-failure';

/** How long a `usergroups.list` answer is used before it is asked for again. */
export const SLACK_USER_GROUPS_CACHE_MS = 5 * 60_000;
/** After a failure, the last answer keeps being used up to this age; after it, no groups. */
export const SLACK_USER_GROUPS_MAX_STALE_MS = 60 * 60_000;
/** How long a command waits for a `usergroups.list` answer before going on without it. */
export const SLACK_USER_GROUPS_WAIT_MS = 3_000;
/** Pause after a failure other than a 429 (which says its own Retry-After). */
const FAILURE_BACKOFF_MS = 30_000;

/** Options for {@link SlackUserGroups}. */
export interface SlackUserGroupsOptions {
  /** The adapter's web client (built to reject 429s rather than wait). */
  readonly client: Pick<webApi.WebClient, 'usergroups'>;
  readonly clock?: Clock;
  /** Receives one line per failed lookup, with Slack's error word only. */
  readonly logger?: Pick<TaskwatchLogger, 'warn'>;
  /** Default {@link SLACK_USER_GROUPS_CACHE_MS}. */
  readonly cacheMs?: number;
  /** Default {@link SLACK_USER_GROUPS_MAX_STALE_MS}. */
  readonly maxStaleMs?: number;
  /** Default {@link SLACK_USER_GROUPS_WAIT_MS}. */
  readonly waitMs?: number;
}

interface Snapshot {
  /** Lower-case handle -> member user IDs. */
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
  readonly fetchedAt: number;
}

/** Resolves Slack user-group membership from a cached `usergroups.list` answer. */
export class SlackUserGroups {
  private readonly client: Pick<webApi.WebClient, 'usergroups'>;
  private readonly clock: Clock;
  private readonly logger: Pick<TaskwatchLogger, 'warn'> | null;
  private readonly cacheMs: number;
  private readonly maxStaleMs: number;
  private readonly waitMs: number;
  private snapshot: Snapshot | null = null;
  private retryAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(options: SlackUserGroupsOptions) {
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? null;
    this.cacheMs = options.cacheMs ?? SLACK_USER_GROUPS_CACHE_MS;
    this.maxStaleMs = Math.max(options.maxStaleMs ?? SLACK_USER_GROUPS_MAX_STALE_MS, this.cacheMs);
    this.waitMs = options.waitMs ?? SLACK_USER_GROUPS_WAIT_MS;
  }

  /**
   * The handles (as `@handle`) of the groups `userId` is a member of, as the access policy
   * reads them. Empty when Slack could not tell and nothing recent is cached. Never throws.
   */
  async groupsOf(userId: string): Promise<string[]> {
    const now = this.clock.now();
    const fresh = this.snapshot !== null && now - this.snapshot.fetchedAt < this.cacheMs;
    if (!fresh && now >= this.retryAt) await this.refreshWithin(this.waitMs);
    return this.lookup(userId);
  }

  private lookup(userId: string): string[] {
    const snapshot = this.snapshot;
    if (snapshot === null || this.clock.now() - snapshot.fetchedAt > this.maxStaleMs) return [];
    const handles: string[] = [];
    for (const [handle, members] of snapshot.members) if (members.has(userId)) handles.push(`@${handle}`);
    return handles;
  }

  /** Starts one refresh (or joins the running one) and waits for it at most `waitMs`. */
  private async refreshWithin(waitMs: number): Promise<void> {
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    try {
      await Promise.race([this.inFlight, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(): Promise<void> {
    try {
      const answer = await this.client.usergroups.list({ include_users: true });
      const members = new Map<string, ReadonlySet<string>>();
      for (const group of answer.usergroups ?? []) {
        // Disabled groups are not listed without include_disabled; skip any that slip through.
        if (typeof group.handle !== 'string' || group.handle === '' || (group.date_delete ?? 0) > 0) continue;
        members.set(group.handle.toLowerCase(), new Set(group.users ?? []));
      }
      this.snapshot = { members, fetchedAt: this.clock.now() };
    } catch (error) {
      const failure = readSlackApiFailure('usergroups.list', error);
      this.retryAt = this.clock.now() + (failure.retryAfterMs ?? FAILURE_BACKOFF_MS);
      const hint = failure.reason === 'missing_scope' ? ': add the usergroups:read bot scope and reinstall the app' : '';
      const fallback = this.snapshot === null ? 'no groups' : 'the last answer';
      this.logger?.warn(`Slack usergroups.list failed (${failure.reason})${hint}; access checks use ${fallback} meanwhile`);
    }
  }
}
