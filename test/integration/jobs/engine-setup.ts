/**
 * Builds a watch engine the way the composition root does, against a cloud sandbox: real
 * providers and SDKs over loopback, the Redis rate budget, and the recording notifier. Shared
 * by the in-process tests and the worker child process.
 */
import type Redis from 'ioredis';
import type { WatchConfig } from '../../../src/config';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine, type WatchEngineOptions, type WatchEngineRole } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../../../src/providers/registry';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';
import { RecordingNotifier, type ReplyCrash } from './recording-notifier';

/** Everything needed to build an engine, serializable for a child process. */
export interface EngineSetup {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly sandboxUrl: string;
  readonly role: WatchEngineRole;
  readonly watch?: WatchConfig;
  /** Tencent calls per second per API, region and credential; default 15. */
  readonly tencentPerSecond?: number;
  /** How long a provider call may take before it is abandoned; default 3000 ms. */
  readonly providerTimeoutMs?: number;
  /** How often the supervisor flushes the outbox and re-creates sweeps; default 500 ms. */
  readonly supervisorIntervalMs?: number;
  /** A worker process that kills itself at a thread reply (see {@link ReplyCrash}). */
  readonly crashAtReply?: ReplyCrash;
}

/** A started engine and what it holds open. */
export interface TestEngine {
  readonly engine: WatchEngine;
  readonly redis: Redis;
  stop(): Promise<void>;
}

/** Builds and starts an engine; `metrics`, when given, receives what the engine observes. */
export async function startTestEngine(setup: EngineSetup, now?: () => number, metrics?: WatchEngineOptions['metrics']): Promise<TestEngine> {
  const redis = createRedisConnection(setup.redisUrl);
  const registry = createProviderRegistry(
    { accounts: sandboxAccountsWithRefused(setup.sandboxUrl), rateLimits: { tencentPerSecond: setup.tencentPerSecond ?? 15, dcdnPerSecond: 24 }, providerTimeoutMs: setup.providerTimeoutMs ?? 3000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${setup.prefix}:rate` }), ...(now ? { now } : {}) },
  );
  const engine = createWatchEngine({
    connection: setup.redisUrl,
    prefix: setup.prefix,
    providers: registry,
    notifiers: [new RecordingNotifier(redis, setup.prefix, undefined, setup.crashAtReply ?? null)],
    watch: setup.watch ?? TEST_WATCH_CONFIG,
    role: setup.role,
    ...(now ? { now } : {}),
    deliverySpacingMs: { slack: 10 },
    ...(metrics ? { metrics } : {}),
    tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: setup.supervisorIntervalMs ?? 500 },
  });
  await engine.start();
  return {
    engine,
    redis,
    stop: async () => {
      await engine.stop();
      registry.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
