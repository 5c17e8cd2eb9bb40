/**
 * Redis memory per watch, measured the way a user would see it: watches registered by typing
 * `/task-status watch dcdn <10 IDs>` into 40 channels (through the real command handler, the
 * watch engine polling them and the Slack notifier posting cards to the fake Slack), and the
 * growth of `INFO memory` `used_memory` once every task has been checked, divided by the number
 * of watches. Part of `npm run bench:watch`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSlackNotifier } from '../src/chat/slack/slack-notifier';
import { runCommandText } from '../src/commands/handle-command';
import type { CommandContext } from '../src/commands/types';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { RedisRateBudget } from '../src/jobs/redis-rate-budget';
import { createWatchEngine } from '../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../src/providers/registry';
import { startLocalRedis } from '../src/runtime/local-redis';
import { CloudSandbox } from '../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS } from '../src/sandbox/types';
import { startFakeSlack } from '../test/fakes/slack/fake-slack';

const BOT_TOKEN = 'xoxb-bench-memory-0000000000-not-a-secret';
const CHANNELS = 40;
const IDS_PER_COMMAND = 10;

/** What one measurement found. */
export interface WatchMemoryFigure {
  readonly watches: number;
  readonly commands: number;
  readonly channels: number;
  readonly usedMemoryGrowthBytes: number;
  readonly bytesPerWatch: number;
  readonly keys: number;
}

function usedMemory(info: string): number {
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** Registers `watches` watches through the command path on a fresh Redis and measures its growth. */
export async function measureWatchMemory(watches: number): Promise<WatchMemoryFigure> {
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-memory-'));
  const redisServer = await startLocalRedis({ dataDir, appendOnly: false });
  const sandbox = await CloudSandbox.start({ rateLimits: false });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const redis = createRedisConnection(redisServer.url);
  const alibaba = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba');
  if (!alibaba) throw new Error('sandbox credentials missing');
  const providers = createProviderRegistry(
    {
      accounts: [{ name: 'default', cloud: 'alibaba', accessKeyId: alibaba.id, accessKeySecret: alibaba.secret, region: null, endpoint: sandbox.url }],
      rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 },
      providerTimeoutMs: 10_000,
    },
    { rateBudget: new RedisRateBudget(redis) },
  );
  // The whole bot (role all): watches are registered, their tasks polled once and their status
  // kept, as in a running deployment; measured once every task has been checked.
  const engine = createWatchEngine({
    connection: redisServer.url,
    providers,
    notifiers: [createSlackNotifier({ apiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null })],
    watch: { intervalMs: 5000, maxIntervalMs: 60_000, deadlineMs: 86_400_000, broadcastFailures: true },
    role: 'all',
  });
  await engine.start();
  try {
    const ids: string[] = [];
    for (let index = 0; index < watches; index += 1) {
      ids.push(sandbox.addTask({ kind: 'dcdn', items: [{ name: `https://bench.example.com/${index}.png`, steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }] }));
    }
    // Warm up: the first command loads scripts and creates the queues' keys, fixed costs that
    // are not any one watch's.
    const warmContext: CommandContext = { platform: 'slack', channel: { platform: 'slack', channelId: 'CWARMUP' }, userId: 'UBENCH' };
    const warmId = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'https://bench.example.com/warm.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }] });
    await runCommandText(`watch dcdn ${warmId}`, warmContext, { providers, watches: engine });
    const before = usedMemory(await redis.info('memory'));
    let commands = 0;
    for (let start = 0; start < ids.length; start += IDS_PER_COMMAND) {
      const channelId = `CMEM${String(commands % CHANNELS).padStart(3, '0')}`;
      const context: CommandContext = { platform: 'slack', channel: { platform: 'slack', channelId }, userId: `U${commands % CHANNELS}` };
      const result = await runCommandText(`watch dcdn ${ids.slice(start, start + IDS_PER_COMMAND).join(' ')}`, context, { providers, watches: engine });
      if (result.type !== 'watching') throw new Error(`watch command failed: ${'text' in result ? result.text : result.type}`);
      commands += 1;
    }
    // Every task checked (10 IDs a DCDN call) and every card update delivered: a steady state.
    const checksNeeded = Math.ceil(watches / IDS_PER_COMMAND);
    const deadline = Date.now() + 300_000;
    const checks = (): number => sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById').length;
    while (checks() < checksNeeded && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    for (;;) {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'active', 'delayed');
      if (!counts || Object.values(counts).every((count) => count === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const after = usedMemory(await redis.info('memory'));
    const keys = await redis.dbsize();
    return { watches, commands, channels: Math.min(CHANNELS, commands), usedMemoryGrowthBytes: after - before, bytesPerWatch: Math.round((after - before) / watches), keys };
  } finally {
    await engine.stop();
    providers.close();
    await redis.quit().catch(() => redis.disconnect());
    await slack.stop();
    await sandbox.stop();
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
