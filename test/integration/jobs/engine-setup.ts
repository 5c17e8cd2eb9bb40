/**
 * Builds a watch engine the way the composition root does, against a cloud sandbox: real
 * providers and SDKs over loopback, the Redis rate budget, and the recording notifier. Shared
 * by the in-process tests and the worker child process.
 */
import type Redis from 'ioredis';
import type { CloudAccount, WatchConfig } from '../../../src/config';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine, type WatchEngineOptions, type WatchEngineRole } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../../../src/providers/registry';
import { SANDBOX_DEMO_CREDENTIALS } from '../../../src/sandbox/types';
import { RecordingNotifier, type ReplyCrash } from './recording-notifier';

/** A Tencent account whose secret the sandbox refuses. */
export const REFUSED_ACCOUNT = 'refused';
/** The wrong secret of {@link REFUSED_ACCOUNT}; it must never show up in any message. */
export const REFUSED_SECRET = 'definitely-not-the-sandbox-secret-0000';

/** Fast settings so a test runs in seconds. */
export const TEST_WATCH_CONFIG: WatchConfig = { intervalMs: 50, maxIntervalMs: 200, deadlineMs: 86_400_000, broadcastFailures: true };

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

/** Accounts pointing at the sandbox, plus one with a refused secret. */
export function sandboxAccounts(sandboxUrl: string): CloudAccount[] {
  const tencent = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent');
  const alibaba = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba');
  if (!tencent || !alibaba) throw new Error('sandbox demo credentials missing');
  return [
    { name: 'default', cloud: 'tencent', secretId: tencent.id, secretKey: tencent.secret, region: 'ap-guangzhou', endpoint: sandboxUrl },
    { name: REFUSED_ACCOUNT, cloud: 'tencent', secretId: tencent.id, secretKey: REFUSED_SECRET, region: 'ap-guangzhou', endpoint: sandboxUrl },
    { name: 'default', cloud: 'alibaba', accessKeyId: alibaba.id, accessKeySecret: alibaba.secret, region: null, endpoint: sandboxUrl },
  ];
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
    { accounts: sandboxAccounts(setup.sandboxUrl), rateLimits: { tencentPerSecond: setup.tencentPerSecond ?? 15, dcdnPerSecond: 24 }, providerTimeoutMs: setup.providerTimeoutMs ?? 3000 },
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
