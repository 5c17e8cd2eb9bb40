/**
 * The end-to-end part of `npm run bench:durations`: timed tasks planted in the cloud sandbox
 * (`CloudSandbox.addTimedTasks`, seeded) run through the real watch engine on one manual clock,
 * polled over loopback by the real SDKs, with cards and replies going to the fake Slack through
 * the real SlackNotifier. It checks that the recorded figures are exactly those of the planted
 * durations, and counts the stuck replies the real stuck check posts: for healthy tasks drawn
 * from the same distribution, and for a few that hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSlackNotifier } from '../src/chat/slack/slack-notifier';
import { quantile } from '../src/jobs/durations/duration-group';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { RedisRateBudget } from '../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../src/providers/registry';
import { startLocalRedis } from '../src/runtime/local-redis';
import { CloudSandbox } from '../src/sandbox/cloud-sandbox';
import { distributionQuantile, type DurationDistribution } from '../src/sandbox/duration-distribution';
import type { TimedTask } from '../src/sandbox/timed-tasks';
import { SANDBOX_DEMO_CREDENTIALS } from '../src/sandbox/types';
import { ManualClock } from '../src/util/clock';
import { startFakeSlack, type FakeSlack } from '../test/fakes/slack/fake-slack';

const BOT_TOKEN = 'xoxb-bench-durations-0000000000-not-a-secret';
const MINUTE = 60_000;

/** What the end-to-end part found. */
export interface EnginePhaseResult {
  readonly distribution: DurationDistribution;
  readonly historyTasks: number;
  /** Recorded count, median and p95 against the nearest-rank figures of the planted durations. */
  readonly recorded: { readonly count: number; readonly medianMs: number; readonly p95Ms: number };
  readonly planted: { readonly medianMs: number; readonly p95Ms: number };
  readonly trueMs: { readonly median: number; readonly p95: number };
  readonly exact: boolean;
  readonly healthyWatched: number;
  readonly healthyCalledStuck: number;
  /** Healthy tasks that ran past the threshold computed from the planted history: the ones the rule should call. */
  readonly healthyPastThreshold: number;
  readonly hanging: number;
  readonly hangingCalledStuck: number;
  /** Stuck replies posted in all: each task at most one. */
  readonly stuckReplies: number;
  readonly wallSeconds: number;
}

function stuckThreshold(p95Ms: number): number {
  // The documented rule (README, stuck-threshold.ts): max(1.5 x p95, p95 + 5 min).
  return Math.max(1.5 * p95Ms, p95Ms + 5 * MINUTE);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function cardShown(slack: FakeSlack, channelId: string, id: string): boolean {
  return slack.callsOf('chat.update').some((call) => call.status === 200 && call.body['channel'] === channelId && JSON.stringify(call.body['blocks']).includes(id));
}

/** Runs `history` timed tasks, then `healthy` more and `hanging` hung ones, through the engine. */
export async function measureThroughEngine(distribution: DurationDistribution, seed: number, history = 200, healthy = 100, hanging = 3): Promise<EnginePhaseResult> {
  const began = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-durengine-'));
  const redisServer = await startLocalRedis({ dataDir, appendOnly: false });
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const sandbox = await CloudSandbox.start({ clock });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const redis = createRedisConnection(redisServer.url);
  const tencent = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent')!;
  const providers = createProviderRegistry(
    {
      accounts: [{ name: 'default', cloud: 'tencent', secretId: tencent.id, secretKey: tencent.secret, region: 'ap-guangzhou', endpoint: sandbox.url }],
      rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 },
      providerTimeoutMs: 10_000,
    },
    { rateBudget: new RedisRateBudget(redis), now: () => clock.now() },
  );
  let engine: WatchEngine | null = null;
  try {
    engine = createWatchEngine({
      connection: redisServer.url,
      providers,
      notifiers: [createSlackNotifier({ apiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null })],
      // Quick checks: the clock is moved by hand, and every move should be seen soon.
      watch: { intervalMs: 50, maxIntervalMs: 200, deadlineMs: 86_400_000, broadcastFailures: true },
      role: 'all',
      now: () => clock.now(),
      deliverySpacingMs: { slack: 5 },
    });
    await engine.start();
    const running = engine;
    const watchAll = async (tasks: readonly TimedTask[], channelPrefix: string): Promise<void> => {
      for (const [index, task] of tasks.entries()) {
        await running.watch({ refs: [{ kind: 'cdn', id: task.id }], channel: { platform: 'slack', channelId: `${channelPrefix}${index}` }, requestedBy: 'UBENCH' });
      }
      await until('every card', () => tasks.every((task, index) => cardShown(slack, `${channelPrefix}${index}`, task.id)));
    };
    const recordedCount = async (): Promise<number> => (await running.durations.summaries()).reduce((total, summary) => total + summary.count, 0);

    // History: every task ends; the clock jumps past each quarter of the endings in turn.
    const past = sandbox.addTimedTasks({ kind: 'cdn', count: history, distribution, seed });
    await watchAll(past, 'CPAST');
    const sorted = past.map((task) => task.durationMs).sort((a, b) => a - b);
    for (const q of [0.25, 0.5, 0.75, 1]) {
      const upTo = quantile(sorted, q);
      clock.set(past[0]!.createdAt + upTo + 1000);
      const due = sorted.filter((ms) => ms <= upTo).length;
      await until(`${due} endings recorded`, async () => (await recordedCount()) >= due);
    }
    const [summary] = await running.durations.summaries();
    const planted = { medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95) };
    const recorded = { count: summary?.count ?? 0, medianMs: summary?.medianMs ?? Number.NaN, p95Ms: summary?.p95Ms ?? Number.NaN };

    // Then healthy tasks of the same distribution and a few that hang, watched from their start;
    // the clock moves a minute at a time, each minute seen by a few polls, to twice the threshold.
    const fresh = sandbox.addTimedTasks({ kind: 'cdn', count: healthy, distribution, seed: seed + 1 });
    const hungTasks = sandbox.addTimedTasks({ kind: 'cdn', count: hanging, distribution: { name: 'uniform', minMs: 24 * 3_600_000, maxMs: 24 * 3_600_000 }, seed: seed + 2 });
    await watchAll(fresh, 'CNEW');
    await watchAll(hungTasks, 'CHUNG');
    const threshold = stuckThreshold(planted.p95Ms);
    const start = fresh[0]!.createdAt;
    for (let minute = 1; minute * MINUTE <= 2 * threshold; minute += 1) {
      clock.set(start + minute * MINUTE);
      const calls = sandbox.calls.length;
      await until('two more polls', () => sandbox.calls.length >= calls + 2);
    }
    // Let the last replies out.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const stuckIn = (channelId: string): number =>
      slack.callsOf('chat.postMessage').filter((call) => call.status === 200 && call.body['channel'] === channelId && /still (running|pending) after/.test(JSON.stringify(call.body))).length;
    const healthyCalls = fresh.map((_, index) => stuckIn(`CNEW${index}`));
    const hungCalls = hungTasks.map((_, index) => stuckIn(`CHUNG${index}`));
    return {
      distribution,
      historyTasks: history,
      recorded,
      planted,
      trueMs: { median: distributionQuantile(distribution, 0.5), p95: distributionQuantile(distribution, 0.95) },
      exact: recorded.count === history && recorded.medianMs === planted.medianMs && recorded.p95Ms === planted.p95Ms,
      healthyWatched: fresh.length,
      healthyCalledStuck: healthyCalls.filter((count) => count > 0).length,
      healthyPastThreshold: fresh.filter((task) => task.durationMs > threshold).length,
      hanging: hungTasks.length,
      hangingCalledStuck: hungCalls.filter((count) => count > 0).length,
      stuckReplies: [...healthyCalls, ...hungCalls].reduce((total, count) => total + count, 0),
      wallSeconds: Math.round((Date.now() - began) / 1000),
    };
  } finally {
    await engine?.stop();
    providers.close();
    await redis.quit().catch(() => redis.disconnect());
    await slack.stop();
    await sandbox.stop();
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
