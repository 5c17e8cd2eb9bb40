/**
 * A benchmark worker process, so that its peak RSS is its own. `engine` runs the watch engine
 * (role worker) with the real Slack notifier; `naive` runs the baseline: one BullMQ job
 * scheduler per task, every 10 s, one API call per task, a thread reply when the state changed.
 * Prints `ready` once it is consuming jobs.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { createSlackNotifier } from '../src/chat/slack/slack-notifier';
import { parseChannelAddress } from '../src/jobs/notifier';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { RedisRateBudget } from '../src/jobs/redis-rate-budget';
import { createWatchEngine } from '../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../src/providers/registry';
import type { TaskStatus } from '../src/providers/types';
import { NAIVE_QUEUE, benchAccounts, naiveSchedulerId, type BenchWorkerSetup, type NaiveTaskSpec } from './bench-setup';

async function main(): Promise<void> {
  const setup = JSON.parse(process.argv[2] ?? '{}') as BenchWorkerSetup;
  const redis = createRedisConnection(setup.redisUrl);
  const registry = createProviderRegistry(
    { accounts: benchAccounts(setup), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 10_000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${setup.prefix}:rate` }) },
  );
  const errors: string[] = [];
  // The first few warnings and errors go to Redis too, so that the main process can report them.
  const note = (parts: unknown[]): void => {
    const line = JSON.stringify(parts).slice(0, 300);
    errors.push(line);
    if (errors.length <= 50) void redis.rpush(`${setup.prefix}:bench-errors`, line).catch(() => undefined);
  };
  const logger = {
    info: () => undefined,
    warn: (...parts: unknown[]) => note(parts),
    error: (...parts: unknown[]) => note(parts),
    debug: () => undefined,
  };
  const notifier = createSlackNotifier({ apiUrl: setup.slackApiUrl, botToken: setup.botToken, signingSecret: null, appToken: null }, logger);
  let stop: () => Promise<void>;

  if (setup.mode === 'engine') {
    const engine = createWatchEngine({
      connection: setup.redisUrl,
      prefix: setup.prefix,
      providers: registry,
      notifiers: [notifier],
      watch: setup.watch,
      role: 'worker',
      logger,
      tuning: { pollConcurrency: setup.pollConcurrency },
    });
    await engine.start();
    stop = () => engine.stop();
  } else {
    const queue = new Queue(NAIVE_QUEUE, { connection: redis, prefix: setup.prefix });
    const worker = new Worker<{ index: number }>(
      NAIVE_QUEUE,
      async (job: Job<{ index: number }>) => {
        const index = String(job.data.index);
        const spec = JSON.parse((await redis.hget(`${setup.prefix}:specs`, index)) ?? 'null') as NaiveTaskSpec | null;
        if (!spec) return;
        const [status] = await registry.get(spec.kind, spec.account).describe([spec.id], spec.region ? { region: spec.region } : {});
        if (!status) return;
        const previousJson = await redis.hget(`${setup.prefix}:last`, index);
        const previous = previousJson ? (JSON.parse(previousJson) as TaskStatus) : null;
        if (previous === null || previous.state !== status.state) {
          await redis.hset(`${setup.prefix}:last`, index, JSON.stringify(status));
          const channel = parseChannelAddress(spec.channel);
          if (previous !== null && channel) {
            await notifier.postThreadReply(
              channel,
              spec.cardTs,
              { previous, current: status, skippedStates: [], changedItems: [], endReason: status.terminal ? 'terminal' : null, endFacts: null, durationMs: null },
              { broadcast: false },
            );
          }
        }
        // A naive poller at least stops polling a finished task.
        if (status.terminal || !status.found) await queue.removeJobScheduler(naiveSchedulerId(job.data.index));
      },
      { connection: { ...parseRedisUrl(setup.redisUrl), maxRetriesPerRequest: null }, prefix: setup.prefix, concurrency: setup.naiveConcurrency },
    );
    worker.on('error', (error) => errors.push(String(error)));
    await worker.waitUntilReady();
    stop = async () => {
      await worker.close();
      await queue.close();
    };
  }
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void stop()
      .catch(() => undefined)
      .finally(() => {
        registry.close();
        process.stdout.write(`errors ${errors.length}\n`);
        process.exit(0);
      });
  });
}

function parseRedisUrl(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
