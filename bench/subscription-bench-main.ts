/**
 * `npm run bench:subscriptions`: how soon a subscription announces a task nobody typed in. The
 * watch and subscription engines run with the default settings (or the given ones) against the
 * cloud sandbox with its documented rate limits enforced; cards go to the local fake Slack. Not
 * a test.
 *
 *   npm run bench:subscriptions                              2 min, 10 CDN + 10 TCSS accounts
 *   npm run bench:subscriptions -- --duration 5m --accounts 20 --interval-ms 5000 --no-docs
 *
 * Each account has one channel subscribed to its CDN prefetches and one to its TCSS refreshes.
 * New tasks are submitted at random moments over the run (TCSS: one at a time per account, as
 * the API reports only the latest). Announcement latency runs from the moment the task exists in
 * the sandbox to its card reaching the fake Slack. Tasks announced twice or never are counted.
 * Figures go to bench/results/subscriptions-<timestamp>.json and a section of docs/benchmarks.md.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { replaceDocsSection } from './docs-section';
import { join } from 'node:path';
import { createSlackNotifier } from '../src/chat/slack/slack-notifier';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { RedisRateBudget } from '../src/jobs/redis-rate-budget';
import { createSubscriptionEngine } from '../src/jobs/engines/subscription-engine';
import { createWatchEngine } from '../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../src/providers/registry';
import { startLocalRedis } from '../src/runtime/local-redis';
import { CloudSandbox } from '../src/sandbox/cloud-sandbox';
import { startFakeSlack } from '../test/fakes/slack/fake-slack';
import { benchAccounts, benchCredentials, credentialIdOf, tcssAccountName, tencentAccountName } from './bench-setup';

const BOT_TOKEN = 'xoxb-bench-0000000000-not-a-secret';
const SECTION_START = '<!-- subscription-bench:start -->';
const SECTION_END = '<!-- subscription-bench:end -->';

interface Options {
  readonly durationMs: number;
  readonly accounts: number;
  readonly intervalMs: number;
  readonly writeDocs: boolean;
}

interface Planted {
  readonly kind: 'cdn' | 'tcss';
  readonly id: string;
  readonly channel: string;
  readonly createdAt: number;
}

function parseOptions(argv: readonly string[]): Options {
  let durationMs = 120_000;
  let accounts = 10;
  let intervalMs = 5_000;
  let writeDocs = true;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1] ?? '';
    if (flag === '--duration') {
      const match = /^(\d+)(s|m)$/.exec(value);
      if (!match) throw new Error('--duration takes e.g. 90s or 5m');
      durationMs = Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000);
      index += 1;
    } else if (flag === '--accounts') {
      accounts = Math.max(1, Math.min(50, Number(value) || 10));
      index += 1;
    } else if (flag === '--interval-ms') {
      intervalMs = Math.max(100, Number(value) || 5000);
      index += 1;
    } else if (flag === '--no-docs') {
      writeDocs = false;
    } else {
      throw new Error(`unknown option ${flag ?? ''}`);
    }
  }
  return { durationMs, accounts, intervalMs, writeDocs };
}

function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

function seconds(ms: number | null): string {
  return ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  process.stdout.write(`bench:subscriptions: ${options.accounts} CDN + ${options.accounts} TCSS accounts, ${options.durationMs / 1000} s, interval ${options.intervalMs} ms\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-subbench-'));
  const shape = { tencentAccounts: options.accounts, tcssAccounts: options.accounts, alibabaAccounts: 0 };
  const redisServer = await startLocalRedis({ dataDir, appendOnly: false });
  const sandbox = await CloudSandbox.start({ credentials: benchCredentials(shape) });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const redis = createRedisConnection(redisServer.url);
  const providers = createProviderRegistry(
    { accounts: benchAccounts({ ...shape, sandboxUrl: sandbox.url }), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 10_000 },
    { rateBudget: new RedisRateBudget(redis) },
  );
  const notifiers = [createSlackNotifier({ apiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null })];
  const watch = { intervalMs: options.intervalMs, maxIntervalMs: 60_000, deadlineMs: 86_400_000, broadcastFailures: true };
  const engine = createWatchEngine({ connection: redisServer.url, providers, notifiers, watch, role: 'all' });
  await engine.start();
  const subscriptions = createSubscriptionEngine({ connection: redisServer.url, providers, watches: engine, notifiers, role: 'all', tuning: { intervalMs: options.intervalMs } });
  await subscriptions.start();

  const planted: Planted[] = [];
  const arrivals = new Map<Planted, number[]>();
  const timers: NodeJS.Timeout[] = [];
  try {
    for (let index = 0; index < options.accounts; index += 1) {
      await subscriptions.subscribe({ channel: { platform: 'slack', channelId: `CCDN${index}` }, kind: 'cdn', account: tencentAccountName(index), requestedBy: 'bench' });
      await subscriptions.subscribe({ channel: { platform: 'slack', channelId: `CTCSS${index}` }, kind: 'tcss', account: tcssAccountName(index), requestedBy: 'bench' });
    }
    const runStart = Date.now();
    // Tasks arrive at random moments in the first 80% of the run, so each has time to be announced.
    const window = options.durationMs * 0.8;
    for (let index = 0; index < options.accounts; index += 1) {
      const owner = credentialIdOf(tencentAccountName(index), 'tencent');
      for (let task = 0; task < 3; task += 1) {
        timers.push(
          setTimeout(() => {
            const steps = [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 30_000, status: 'done', percent: 100 }];
            const id = sandbox.addTask({ kind: 'cdn', owner, items: [{ name: `https://bench.example.com/${index}/${task}.js`, steps }] });
            planted.push({ kind: 'cdn', id, channel: `CCDN${index}`, createdAt: Date.now() });
          }, Math.random() * window),
        );
      }
      // TCSS reports only the latest task of an account: one new refresh per account, each
      // running 20 s, at a random moment.
      const tcssOwner = credentialIdOf(tcssAccountName(index), 'tencent');
      timers.push(
        setTimeout(() => {
          const steps = [{ afterMs: 0, status: 'Task_New' }, { afterMs: 5_000, status: 'Task_Running' }, { afterMs: 20_000, status: 'Task_Finish' }];
          const id = sandbox.addTask({ kind: 'tcss', owner: tcssOwner, steps });
          planted.push({ kind: 'tcss', id, channel: `CTCSS${index}`, createdAt: Date.now() });
        }, Math.random() * window),
      );
    }
    // The fake records calls without a clock: look every 50 ms and note when each card arrived.
    let seen = 0;
    const watcher = setInterval(() => {
      const calls = slack.calls;
      for (; seen < calls.length; seen += 1) {
        const call = calls[seen];
        if (call?.method !== 'chat.postMessage') continue;
        const text = JSON.stringify(call.body);
        for (const task of planted) {
          if (call.body['channel'] === task.channel && text.includes(task.id)) arrivals.set(task, [...(arrivals.get(task) ?? []), Date.now()]);
        }
      }
    }, 50);
    timers.push(watcher);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, runStart + options.durationMs - Date.now())));
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }

  // A card is the first chat.postMessage naming the task in its channel; later ones are replies.
  const byKind = { cdn: [] as number[], tcss: [] as number[] };
  let missed = 0;
  let doubled = 0;
  for (const task of planted) {
    const cardsOfTask = [...slack.messages.values()].filter((message) => message.channel === task.channel && message.threadTs === null && JSON.stringify(message).includes(task.id));
    if (cardsOfTask.length === 0) missed += 1;
    if (cardsOfTask.length > 1) doubled += 1;
    const first = arrivals.get(task)?.[0];
    if (first !== undefined) byKind[task.kind].push(Math.max(0, first - task.createdAt));
  }
  const throttled = sandbox.calls.filter((call) => call.errorCode !== null && /LimitExceeded|Throttling/i.test(call.errorCode)).length;
  const listings = sandbox.calls.filter((call) => call.action === 'DescribePushTasks' || call.action === 'DescribeUnfinishRefreshTask').length;

  await subscriptions.stop();
  await engine.stop();
  await redis.quit();
  await slack.stop();
  await sandbox.stop();
  await redisServer.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const summary = (values: number[]): { count: number; p50: number | null; p95: number | null; max: number | null } => {
    const sorted = [...values].sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1] ?? null };
  };
  const result = {
    startedAt,
    options,
    machine: { cores: cpus().length, node: process.version },
    planted: planted.length,
    latencyMs: { cdn: summary(byKind.cdn), tcss: summary(byKind.tcss), all: summary([...byKind.cdn, ...byKind.tcss]) },
    missed,
    doubled,
    listingCalls: listings,
    throttlingErrors: throttled,
  };
  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = `bench/results/subscriptions-${startedAt.replace(/[:.]/g, '-')}.json`;
  writeFileSync(join(__dirname, '..', file), `${JSON.stringify(result, null, 2)}\n`);
  for (const kind of ['cdn', 'tcss', 'all'] as const) {
    const figures = result.latencyMs[kind];
    process.stdout.write(`${kind.padEnd(5)} announced ${figures.count}: p50 ${seconds(figures.p50)} p95 ${seconds(figures.p95)} max ${seconds(figures.max)}\n`);
  }
  process.stdout.write(`planted ${planted.length}, missed ${missed}, announced twice ${doubled}, listing calls ${listings}, throttled ${throttled}\nfigures: ${file}\n`);
  if (options.writeDocs) {
    writeDocsSection(result, file);
    process.stdout.write('docs/benchmarks.md updated\n');
  }
  process.exit(0);
}

function writeDocsSection(result: {
  startedAt: string;
  options: Options;
  planted: number;
  latencyMs: Record<'cdn' | 'tcss' | 'all', { count: number; p50: number | null; p95: number | null; max: number | null }>;
  missed: number;
  doubled: number;
  listingCalls: number;
  throttlingErrors: number;
}, file: string): void {
  const docsPath = join(__dirname, '..', 'docs', 'benchmarks.md');
  const row = (label: string, figures: { count: number; p50: number | null; p95: number | null; max: number | null }): string =>
    `| ${label} | ${figures.count} | ${seconds(figures.p50)} | ${seconds(figures.p95)} | ${seconds(figures.max)} |`;
  const section = [
    SECTION_START,
    '## Subscription announcements (`npm run bench:subscriptions`)',
    '',
    `Run of ${result.startedAt}: ${result.options.accounts} accounts each with a CDN and a TCSS subscription, ${result.options.durationMs / 1000} s, ` +
      `listings every ${result.options.intervalMs} ms (\`WATCH_INTERVAL_MS\`), sandbox rate limits enforced. Latency runs from the task's submission to its card in the fake Slack. Target: p95 within 10 s with default settings.`,
    '',
    '| kind | announced | p50 | p95 | max |',
    '|---|---|---|---|---|',
    row('CDN prefetch', result.latencyMs.cdn),
    row('TCSS refresh', result.latencyMs.tcss),
    row('all', result.latencyMs.all),
    '',
    `Planted ${result.planted}; never announced ${result.missed}; announced twice ${result.doubled}; ${result.listingCalls} listing calls; ${result.throttlingErrors} throttling errors. Figures: \`${file}\`.`,
    SECTION_END,
  ].join('\n');
  replaceDocsSection(docsPath, SECTION_START, SECTION_END, section);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
