/**
 * Stuck tasks are called out once per task and watch, whichever worker sees it, and across
 * restarts. The poll sweeper asks {@link StuckCheck.check} after each observation of a task
 * under way; when the task has run past its group's stuck threshold (`stuck-threshold.ts`), one
 * script notes "stuck, owed" for each of its active watches that was not noted before and puts
 * those watches in the outbox. The delivery processor then takes the owed fact under a lease
 * (atomically, owed -> telling, so two workers never both say it), posts the reply, and records
 * it told (telling -> told) at once; a failed post gives it back (telling -> owed).
 *
 * The window is the thread replies' (CONTRIBUTING, "Change how a watch lives", item 6): a worker
 * killed between the take and the record leaves the fact telling, and the lease (the delivery
 * claim's `CLAIM_TTL_MS`) lets it be taken again, at once by the same delivery job (BullMQ runs a
 * stalled delivery again, never fails it) or by any delivery of the watch once the lease lapsed.
 * Killed before the post, it is told once; killed after the platform accepted it, twice; never
 * lost. The four steps are `noteStuck-2.lua`, `takeStuck-1.lua`, `settleStuck-1.lua` and
 * `restoreStuck-1.lua` in `src/jobs/lua/`, named in `STUCK_COMMANDS` (`lua-commands.ts`).
 *
 * Keys, under the watch engine's namespace:
 * - `<ns>:dur:stuck:<watchId>` hash `{ state: owed|telling|told, facts: StuckFacts JSON, claim:
 *   <claimant>|<lease expiry, epoch ms> while telling, carded: 1 once the card shows the mark }`,
 *   expiring after the longest watch (plus a day), so it outlives every watch it speaks for.
 */
import type Redis from 'ioredis';
import type { TaskStatus } from '../../providers/types';
import { safeError } from '../../observability/safe-error';
import type { StructuredLogger } from '../../observability/taskwatch-logger';
import { STUCK_COMMANDS, runLua } from '../lua-commands';
import type { WatchKeys } from '../watch-life/watch-keys';
import { durationGroupOf } from './duration-group';
import type { DurationStore } from './duration-store';
import { STUCK_MIN_MARGIN_MS, stuckFactsOf, type StuckFacts } from './stuck-threshold';

/** What the delivery processor needs to tell a stuck task once. */
export interface StuckTeller {
  /** True while a stuck reply is owed to this watch and not recorded told (owed, or being told). */
  isOwed(watchId: string): Promise<boolean>;
  /**
   * Takes the owed fact to tell it (owed -> telling, atomically) under a lease of `ttlMs` from
   * `realNow` held by `claimant`; also a fact whose teller's lease lapsed, or the claimant's own.
   * Null when nothing is owed, or another teller's lease is live.
   */
  take(watchId: string, claimant: string, realNow: number, ttlMs: number): Promise<StuckFacts | null>;
  /** Records the taken fact told, right after the platform accepted the reply (telling -> told). */
  settle(watchId: string): Promise<void>;
  /** Gives the claimant's taken fact back after a failed post, so a later try tells it. */
  restore(watchId: string, claimant: string): Promise<void>;
  /** The facts once told to this watch (the card's mark, the ending's comparison); null otherwise. */
  toldFacts(watchId: string): Promise<StuckFacts | null>;
  /** True once told while the card does not show the mark yet (its edit failed or is still to come). */
  cardOwed(watchId: string): Promise<boolean>;
  /** Notes that the card shows the mark. */
  markCarded(watchId: string): Promise<void>;
}

/** Options of a {@link StuckCheck}. */
export interface StuckCheckOptions {
  /** The engine's clock (epoch ms): how long a task has run is judged on it. */
  readonly now: () => number;
  /** Seconds a stuck fact lives: longer than any watch. */
  readonly ttlSeconds: number;
  readonly logger: StructuredLogger;
}

/** Finds stuck tasks as the sweeper observes them, and keeps "said once" per watch in Redis. */
export class StuckCheck implements StuckTeller {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly keys: Pick<WatchKeys, 'subscribers' | 'outbox' | 'watch'>,
    private readonly durations: DurationStore,
    private readonly options: StuckCheckOptions,
  ) {}

  /** Key of a watch's stuck fact. */
  stuckKey(watchId: string): string {
    return `${this.namespace}:dur:stuck:${watchId}`;
  }

  /**
   * Looks at one observation of a task under way; when it has run past its group's threshold,
   * notes the stuck fact for its watches (each once) and puts them in the outbox. Resolves to
   * how many watches were noted. Never throws: a missed check is made at the next poll.
   */
  async check(taskKey: string, status: TaskStatus): Promise<number> {
    try {
      if (!status.found || status.terminal || (status.state !== 'pending' && status.state !== 'running')) return 0;
      const startedAt = status.createdAt !== null ? Date.parse(status.createdAt) : await this.durations.startOf(taskKey);
      if (startedAt === null || !Number.isFinite(startedAt)) return 0;
      const now = this.options.now();
      // No threshold is shorter than the margin: most polls end here without reading a sample.
      if (now - startedAt <= STUCK_MIN_MARGIN_MS) return 0;
      const group = durationGroupOf(status);
      const facts = stuckFactsOf(group, await this.durations.samples(group), startedAt, now);
      if (facts === null) return 0;
      // The outbox is scored in real time (as every outbox note is), not on the engine's clock.
      return await runLua(this.redis, STUCK_COMMANDS.noteStuck, {
        keys: { subscribers: this.keys.subscribers(taskKey), outbox: this.keys.outbox() },
        args: { watchKeyPrefix: this.keys.watch(''), stuckKeyPrefix: this.stuckKey(''), factsJson: JSON.stringify(facts), ttlSeconds: this.options.ttlSeconds, realNow: Date.now() },
      });
    } catch (error) {
      this.options.logger.warn({ err: safeError(error), taskKey }, 'could not check whether a task is stuck');
      return 0;
    }
  }

  async isOwed(watchId: string): Promise<boolean> {
    const state = await this.redis.hget(this.stuckKey(watchId), 'state');
    return state === 'owed' || state === 'telling';
  }

  async take(watchId: string, claimant: string, realNow: number, ttlMs: number): Promise<StuckFacts | null> {
    const raw = await runLua(this.redis, STUCK_COMMANDS.takeStuck, { keys: { stuck: this.stuckKey(watchId) }, args: { claimant, realNow, ttlMs } });
    return raw === null ? null : parseFacts(raw);
  }

  async settle(watchId: string): Promise<void> {
    await runLua(this.redis, STUCK_COMMANDS.settleStuck, { keys: { stuck: this.stuckKey(watchId) }, args: {} });
  }

  async restore(watchId: string, claimant: string): Promise<void> {
    await runLua(this.redis, STUCK_COMMANDS.restoreStuck, { keys: { stuck: this.stuckKey(watchId) }, args: { claimant } });
  }

  async toldFacts(watchId: string): Promise<StuckFacts | null> {
    const [state, facts] = await this.redis.hmget(this.stuckKey(watchId), 'state', 'facts');
    return state === 'told' && facts ? parseFacts(facts) : null;
  }

  async cardOwed(watchId: string): Promise<boolean> {
    const [state, carded] = await this.redis.hmget(this.stuckKey(watchId), 'state', 'carded');
    return state === 'told' && carded !== '1';
  }

  async markCarded(watchId: string): Promise<void> {
    // Only an existing fact: a mark noted after the key expired would live forever.
    if ((await this.redis.exists(this.stuckKey(watchId))) === 1) await this.redis.hset(this.stuckKey(watchId), 'carded', '1');
  }
}

function parseFacts(text: string): StuckFacts | null {
  try {
    return JSON.parse(text) as StuckFacts;
  } catch {
    return null;
  }
}
