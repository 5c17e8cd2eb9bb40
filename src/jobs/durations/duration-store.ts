/**
 * Remembers how long ended tasks took, per {@link DurationGroup}, in Redis. Each group keeps a
 * bounded sample (its most recent {@link DURATION_SAMPLE_SIZE} endings) in a list whose TTL is
 * refreshed whenever it is written or read, so memory stays bounded however many tasks end, and
 * a group nobody uses any more disappears by itself. Safe to call from several workers at once.
 *
 * Keys, under the watch engine's namespace:
 * - `<ns>:dur:sample:<groupId>` list of JSON entries, newest first
 * - `<ns>:dur:groups` sorted set of group JSON scored by last use (epoch ms), to list the groups
 * - `<ns>:dur:start:<taskKey>` string: when taskwatch first saw a task pending, while it runs
 */
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { DURATION_COMMANDS, runLua } from '../lua-commands';
import type { TaskStatus } from '../../providers/types';
import {
  durationGroupId,
  durationGroupOf,
  estimateDuration,
  expectationOf,
  summarizeDurations,
  type DurationEstimate,
  type DurationExpectation,
  type DurationGroup,
  type DurationSample,
  type DurationSummary,
} from './duration-group';

/** Endings kept per group: enough for a steady 95th percentile, small enough to read at once. */
export const DURATION_SAMPLE_SIZE = 200;

/** How long a group's sample outlives its last use, in seconds (30 days). */
export const DURATION_TTL_SECONDS = 30 * 86_400;


/** A group's entry as stored: short keys, the ending key first so the script can find it. */
interface StoredSample {
  /** {@link endingKeyOf}: which task ended, whatever its ID spells. */
  readonly k: string;
  readonly i: string;
  readonly d: number;
  readonly f?: 1;
  readonly e: number;
}

/** Options of a {@link DurationStore}; tests shrink them. */
export interface DurationStoreOptions {
  /** Endings kept per group. Default {@link DURATION_SAMPLE_SIZE}. */
  readonly sampleSize?: number;
  /** Seconds a sample outlives its last use. Default {@link DURATION_TTL_SECONDS}. */
  readonly ttlSeconds?: number;
  /** Seconds a "first seen pending" marker lives: longer than any watch. Default 8 days. */
  readonly startTtlSeconds?: number;
  /** Real time for the groups index and its pruning; default `Date.now` (Redis TTLs run on real time too). */
  readonly now?: () => number;
}

/** Which groups {@link DurationStore.summaries} reads. */
export type DurationGroupFilter = (group: DurationGroup) => boolean;

/** The samples of task durations, in Redis. */
export class DurationStore {
  private readonly options: Required<DurationStoreOptions>;

  constructor(
    readonly redis: Redis,
    private readonly namespace: string,
    options: DurationStoreOptions = {},
  ) {
    this.options = { sampleSize: DURATION_SAMPLE_SIZE, ttlSeconds: DURATION_TTL_SECONDS, startTtlSeconds: 8 * 86_400, now: Date.now, ...options };
  }

  /** Key of a group's sample list. */
  sampleKey(group: DurationGroup): string {
    return `${this.namespace}:dur:sample:${durationGroupId(group)}`;
  }

  /** Key of the index of groups. */
  groupsKey(): string {
    return `${this.namespace}:dur:groups`;
  }

  /** Key of a task's "first seen pending" marker. */
  startKey(taskKey: string): string {
    return `${this.namespace}:dur:start:${taskKey}`;
  }

  /** Notes when taskwatch first saw a task pending (epoch ms), unless already noted. */
  async noteStart(taskKey: string, at: number): Promise<void> {
    await this.redis.set(this.startKey(taskKey), String(at), 'EX', this.options.startTtlSeconds, 'NX');
  }

  /** When taskwatch first saw a task pending, or null. */
  async startOf(taskKey: string): Promise<number | null> {
    const value = await this.redis.get(this.startKey(taskKey));
    return value === null ? null : Number(value);
  }

  /** Drops a task's start marker (it ended without a duration worth keeping). */
  async forgetStart(taskKey: string): Promise<void> {
    await this.redis.del(this.startKey(taskKey));
  }

  /** Adds an ending to its group's sample; false when this task was already counted. */
  async record(group: DurationGroup, taskKey: string, sample: DurationSample): Promise<boolean> {
    const endingKey = endingKeyOf(taskKey, sample.taskId);
    const stored: StoredSample = { k: endingKey, i: sample.taskId, d: Math.round(sample.durationMs), ...(sample.failed ? { f: 1 as const } : {}), e: sample.endedAt };
    const recorded = await runLua(this.redis, DURATION_COMMANDS.recordDuration, {
      keys: { sample: this.sampleKey(group), groups: this.groupsKey(), start: this.startKey(taskKey) },
      args: {
        entryJson: JSON.stringify(stored),
        endingKey,
        sampleSize: this.options.sampleSize,
        ttlSeconds: this.options.ttlSeconds,
        groupJson: groupJson(group),
        now: this.options.now(),
      },
    });
    return recorded === 1;
  }

  /** A group's sample, newest first; reading it keeps it alive. */
  async samples(group: DurationGroup): Promise<DurationSample[]> {
    const key = this.sampleKey(group);
    const [[, raw]] = (await this.redis.multi().lrange(key, 0, -1).expire(key, this.options.ttlSeconds).exec()) as [[Error | null, string[]]];
    return raw.map(parseSample).filter((sample): sample is DurationSample => sample !== null);
  }

  /** What to expect of a task like `status` (same group), or null while its group has too little history. */
  async estimate(status: Pick<TaskStatus, 'kind' | 'account' | 'subtype' | 'items'>): Promise<DurationEstimate | null> {
    return estimateDuration(await this.samples(durationGroupOf(status)));
  }

  /**
   * What a card should say to expect of a running task, or null while its group has too little
   * history. Its start is the cloud's, else when taskwatch first saw it pending. `now` is epoch ms.
   */
  async expectation(taskKey: string, status: TaskStatus, now: number): Promise<DurationExpectation | null> {
    const estimate = await this.estimate(status);
    if (estimate === null) return null;
    const startedAt = status.createdAt !== null ? Date.parse(status.createdAt) : await this.startOf(taskKey);
    return expectationOf(estimate, startedAt, now);
  }

  /** Every group still remembered, oldest use pruned first. */
  async groups(): Promise<DurationGroup[]> {
    const key = this.groupsKey();
    await this.redis.zremrangebyscore(key, '-inf', this.options.now() - this.options.ttlSeconds * 1000);
    const members = await this.redis.zrange(key, 0, -1);
    return members.map(parseGroup).filter((group): group is DurationGroup => group !== null);
  }

  /** Summaries of the groups `filter` keeps, with data, sorted by kind, account, subtype and size. */
  async summaries(filter: DurationGroupFilter = () => true): Promise<DurationSummary[]> {
    const summaries: DurationSummary[] = [];
    for (const group of (await this.groups()).filter(filter)) {
      const summary = summarizeDurations(group, await this.samples(group));
      if (summary) summaries.push(summary);
    }
    return summaries.sort((a, b) => groupJson(a.group).localeCompare(groupJson(b.group)));
  }
}

/**
 * Which ending an entry is: the polled task and the ID the cloud reported, since one TCSS
 * "latest" watch key follows a different task each time. Hex, so the script's plain prefix
 * match cannot be fooled by how JSON escapes an ID.
 */
function endingKeyOf(taskKey: string, taskId: string): string {
  return createHash('sha1').update(`${taskKey}|${taskId}`).digest('hex').slice(0, 20);
}

/** The group as the index stores it: fixed key order, so one group is one member. */
function groupJson(group: DurationGroup): string {
  return JSON.stringify([group.kind, group.account, group.subtype, group.size]);
}

function parseGroup(text: string): DurationGroup | null {
  try {
    const [kind, account, subtype, size] = JSON.parse(text) as [DurationGroup['kind'], string, string | null, string | null];
    return { kind, account, subtype, size };
  } catch {
    return null;
  }
}

function parseSample(text: string): DurationSample | null {
  try {
    const stored = JSON.parse(text) as StoredSample;
    return { taskId: stored.i, durationMs: stored.d, failed: stored.f === 1, endedAt: stored.e };
  } catch {
    return null;
  }
}
