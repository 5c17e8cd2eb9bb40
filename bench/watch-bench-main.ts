/**
 * `npm run bench:watch`: the watch engine against a naive baseline, on the cloud sandbox with
 * its documented rate limits enforced, notifications into the local fake Slack. Not a test.
 *
 *   npm run bench:watch -- --tasks 500 --duration 60s        quick look
 *   npm run bench:watch -- --tasks 10000 --duration 10m      the size
 *   options: --phase engine|naive|both  --interval-ms N  --max-interval-ms N  --no-docs
 *
 * Each phase plants N tasks over the five kinds and several accounts, each changing state at
 * random times over the run; detection latency runs from the sandbox state change to the thread
 * reply arriving at the fake Slack. Figures go to bench/results/<timestamp>.json and a table
 * into docs/benchmarks.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createSlackNotifier } from '../src/chat/slack/slack-notifier';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { RedisRateBudget } from '../src/jobs/redis-rate-budget';
import { createWatchEngine } from '../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../src/providers/registry';
import { kindDescriptor } from '../src/providers/kinds';
import type { TaskKind, TaskState } from '../src/providers/types';
import { startLocalRedis } from '../src/runtime/local-redis';
import { CloudSandbox } from '../src/sandbox/cloud-sandbox';
import type { LifecycleStep } from '../src/sandbox/types';
import { measureWatchMemory } from './watch-memory';
import { replaceDocsSection } from './docs-section';
import { startFakeSlack, type RecordedCall } from '../test/fakes/slack/fake-slack';
import {
  NAIVE_QUEUE,
  alibabaAccountName,
  benchAccounts,
  credentialIdOf,
  naiveSchedulerId,
  tcssAccountName,
  tencentAccountName,
  type BenchMode,
  type BenchWorkerSetup,
  type NaiveTaskSpec,
} from './bench-setup';

const DOCUMENTED = { tencentPerSecond: 20, dcdnPerSecond: 30 };
const CONFIGURED = { tencentPerSecond: 15, dcdnPerSecond: 24 };
/** Watches registered at once in the engine phase. */
const REGISTRATION_CONCURRENCY = 32;
const BOT_TOKEN = 'xoxb-bench-0000000000-not-a-secret';
const TASKS_PER_CHANNEL = 10;
const NAIVE_EVERY_MS = 10_000;

interface Options {
  readonly tasks: number;
  readonly durationMs: number;
  readonly phases: readonly BenchMode[];
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  readonly writeDocs: boolean;
  /** Also measure Redis bytes per watch at 2,000 and 10,000 watches (`--phase memory` alone). */
  readonly memory: boolean;
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration takes e.g. 90s or 10m, not ${text}`);
  const value = Number(match[1]);
  return Math.round(match[2] === 'm' ? value * 60_000 : match[2] === 'ms' ? value : value * 1000);
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const phase = value('--phase') ?? 'both';
  return {
    tasks: Number(value('--tasks') ?? 10_000),
    durationMs: parseDuration(value('--duration') ?? '10m'),
    phases: phase === 'both' ? ['engine', 'naive'] : phase === 'memory' ? [] : [phase as BenchMode],
    memory: phase === 'memory' || (phase === 'both' && !argv.includes('--no-memory')),
    intervalMs: Number(value('--interval-ms') ?? 5000),
    maxIntervalMs: Number(value('--max-interval-ms') ?? 60_000),
    writeDocs: !argv.includes('--no-docs'),
  };
}

/** One planted task and when it changes state (epoch ms, real time). */
interface PlannedTask {
  readonly index: number;
  readonly kind: TaskKind;
  readonly account: string;
  readonly region: string | null;
  id: string;
  readonly channel: string;
  readonly urls: number;
  /** State changes after the first one, in order. */
  readonly changes: { readonly state: 'running' | 'succeeded' | 'failed'; at: number; detectedAt: number | null; beforeFirstCheck?: boolean }[];
}

const KIND_SHARES: readonly [TaskKind, number][] = [
  ['cdn', 0.3],
  ['dcdn', 0.3],
  ['dts', 0.2],
  ['redis', 0.2],
];

function accountsFor(tasks: number): { tencentAccounts: number; tcssAccounts: number; alibabaAccounts: number } {
  return { tencentAccounts: 4, alibabaAccounts: 4, tcssAccounts: Math.max(5, Math.min(100, Math.round(tasks / 100))) };
}

/** Spreads `count` tasks over kinds and accounts: TCSS one per account, the rest by share. */
function planKinds(count: number, tcssAccounts: number): { kind: TaskKind; account: string }[] {
  const plan: { kind: TaskKind; account: string }[] = [];
  for (let index = 0; index < tcssAccounts; index += 1) plan.push({ kind: 'tcss', account: tcssAccountName(index) });
  const rest = count - plan.length;
  let assigned = 0;
  KIND_SHARES.forEach(([kind, share], position) => {
    const quota = position === KIND_SHARES.length - 1 ? rest - assigned : Math.round(rest * share);
    for (let index = 0; index < quota; index += 1) {
      plan.push({ kind, account: kind === 'dcdn' ? alibabaAccountName(index % 4) : tencentAccountName(index % 4) });
    }
    assigned += quota;
  });
  return plan;
}

function random(min: number, max: number): number {
  return min + Math.random() * (max - min);
}

/** Raw statuses of a kind, from its descriptor's status table: initial (null when the kind starts running), running, success, failure. */
function rawStatuses(kind: TaskKind): { initial: string | null; running: string; succeeded: string; failed: string } {
  const entries = Object.entries(kindDescriptor(kind).statusTable);
  const first = (state: TaskState): string | undefined => entries.find(([, mapped]) => mapped === state)?.[0];
  const [running, succeeded, failed] = [first('running'), first('succeeded'), first('failed')];
  if (running === undefined || succeeded === undefined || failed === undefined) throw new Error(`${kind} has no running, succeeded or failed status to script`);
  return { initial: first('pending') ?? null, running, succeeded, failed };
}

function plantTasks(sandbox: CloudSandbox, count: number, accounts: ReturnType<typeof accountsFor>, warmupMs: number, durationMs: number, channelPrefix: string): PlannedTask[] {
  const start = Date.now();
  return planKinds(count, accounts.tcssAccounts).map(({ kind, account }, index) => {
    const raw = rawStatuses(kind);
    const runningAt = raw.initial === null ? 0 : warmupMs + random(0.05, 0.5) * durationMs;
    const endAt = Math.max(runningAt + 0.05 * durationMs, warmupMs + random(0.1, 0.9) * durationMs);
    const failed = Math.random() < 0.1;
    const final = failed ? raw.failed : raw.succeeded;
    const steps: LifecycleStep[] = raw.initial === null
      ? [{ afterMs: 0, status: raw.running, percent: 10 }, { afterMs: Math.round(endAt), status: final, percent: 100 }]
      : [{ afterMs: 0, status: raw.initial, percent: 0 }, { afterMs: Math.round(runningAt), status: raw.running, percent: 50 }, { afterMs: Math.round(endAt), status: final, percent: 100 }];
    const urls = kind === 'cdn' ? 1 + (index % 3) : 1;
    const cloud = kind === 'dcdn' ? 'alibaba' : 'tencent';
    const region = kind === 'dts' || kind === 'redis' ? 'ap-guangzhou' : null;
    const owner = credentialIdOf(account, cloud);
    const id =
      kind === 'cdn' || kind === 'dcdn'
        ? sandbox.addTask({ kind, owner, items: Array.from({ length: urls }, (_, url) => ({ name: `https://bench.example.com/${index}/${url}.js`, steps })) })
        : sandbox.addTask({ kind, owner, ...(region ? { region } : {}), steps });
    const changes: PlannedTask['changes'] = [];
    if (raw.initial !== null) changes.push({ state: 'running', at: start + Math.round(runningAt), detectedAt: null });
    changes.push({ state: failed ? 'failed' : 'succeeded', at: start + Math.round(endAt), detectedAt: null });
    return { index, kind, account, region, id, channel: `${channelPrefix}${Math.floor(index / TASKS_PER_CHANNEL)}`, urls, changes };
  });
}

/** The state a thread reply announces, read from its fallback text ("... Pending -&gt; Running after 1m"). */
function announcedState(call: RecordedCall): string | null {
  const text = String(call.body['text'] ?? '');
  const match = /(?:-&gt;|->)\s*([A-Za-z]+)/.exec(text) ?? /:\s*([A-Za-z]+)/.exec(text);
  return match?.[1]?.toLowerCase() ?? null;
}

function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

/**
 * Redis memory by kind of key under a prefix (`MEMORY USAGE`, so per-key overhead included):
 * variable parts of key names (hashes, numbers) are folded so that each kind is one row.
 */
async function memoryByKeyKind(redis: ReturnType<typeof createRedisConnection>, prefix: string): Promise<Record<string, { keys: number; bytes: number }>> {
  const kinds: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, index) => {
      const kind = keyKind(key);
      const entry = (kinds[kind] ??= { keys: 0, bytes: 0 });
      entry.keys += 1;
      entry.bytes += Number(sizes[index]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return kinds;
}

/** A key name with its variable parts (hashes, numbers, the baseline's per-task scheduler IDs) folded. */
function keyKind(key: string): string {
  return key
    .replace(/(cdn|dcdn|dts|redis|tcss)-[0-9a-f]{8,}/g, '$1-<hash>')
    .replace(/w[0-9a-f]{15}/g, 'w<hash>')
    .replace(/:slack:[A-Z]\d+/g, ':slack:<channel>')
    .replace(/:t-\d+/g, ':t-<n>')
    .replace(/:\d{6,}:/g, ':<n>:')
    .replace(/:\d+$/g, ':<n>')
    .replace(/:[0-9a-f]{12,}-\d+(-end)?$/g, ':<job>')
    .replace(/:w<hash>-\d+(-end)?/g, ':<job>');
}

async function usedMemory(redis: ReturnType<typeof createRedisConnection>): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

function peakRssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Compiles the worker (and the sources it imports) to JavaScript, once per run: the worker's RSS
 * is a target, and `npm start` runs compiled JavaScript, while compiling TypeScript on the fly
 * (scripts/run-ts.js, swc) adds about 55 MB to a process. Resolves to the worker's entry file.
 */
function compileWorker(): string {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, '..', 'tsconfig.bench.json')], { stdio: 'inherit' });
  // tsc compiles only TypeScript: the Lua commands the worker loads from beside its modules are copied, as `npm run build` does.
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'copy-lua.js'), join('.tmp', 'bench-build', 'src')], { stdio: 'inherit' });
  return join(__dirname, '..', '.tmp', 'bench-build', 'bench', 'watch-bench-worker.js');
}

let workerEntry: string | null = null;

async function spawnWorker(setup: BenchWorkerSetup): Promise<ChildProcess> {
  workerEntry ??= compileWorker();
  const child = spawn(process.execPath, ['--max-old-space-size=1024', workerEntry, JSON.stringify(setup)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${errors}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${errors}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The sweep time the rate limits and batch sizes allow: the slowest quota bucket's calls / its rate. */
function theoreticalSweep(tasks: readonly PlannedTask[], limits: { tencentPerSecond: number; dcdnPerSecond: number }): { seconds: number; calls: number; bucket: string } {
  const buckets = new Map<string, { kind: TaskKind; tasks: number; rows: number }>();
  for (const task of tasks) {
    const key = `${task.kind}|${task.account}|${task.region ?? '-'}`;
    const bucket = buckets.get(key) ?? { kind: task.kind, tasks: 0, rows: 0 };
    bucket.tasks += 1;
    bucket.rows += task.urls;
    buckets.set(key, bucket);
  }
  let worst = { seconds: 0, calls: 0, bucket: '' };
  let calls = 0;
  for (const [key, bucket] of buckets) {
    const needed = bucket.kind === 'cdn' ? Math.ceil(bucket.rows / 100) : bucket.kind === 'dcdn' ? Math.ceil(bucket.tasks / 10) : bucket.kind === 'tcss' ? 1 : bucket.tasks;
    calls += needed;
    const seconds = needed / (bucket.kind === 'dcdn' ? limits.dcdnPerSecond : limits.tencentPerSecond);
    if (seconds > worst.seconds) worst = { seconds, calls: needed, bucket: key };
  }
  return { ...worst, calls };
}

interface PhaseResult {
  readonly mode: BenchMode;
  readonly tasks: number;
  readonly transitions: number;
  readonly detected: number;
  readonly absorbedBeforeFirstCheck: number;
  readonly latencyMs: { p50: number | null; p95: number | null; max: number | null };
  readonly providerCalls: number;
  readonly callsByAction: Record<string, number>;
  readonly throttlingErrors: number;
  readonly otherProviderErrors: number;
  readonly workerPeakRssBytes: number | null;
  readonly redisBytesPerWatch: number;
  /** `MEMORY USAGE` summed by kind of key, half way through. */
  readonly redisKeyKindsHalfway: Record<string, { keys: number; bytes: number }>;
  readonly registrationMs: number;
  readonly runMs: number;
  readonly threadReplies: number;
  /** The first changes never reported, with the thread replies their task got instead. */
  /** The worker's first warnings and errors (at most 50). */
  readonly workerErrors: readonly string[];
  readonly undetected: readonly { kind: TaskKind; account: string; id: string; state: string; atSeconds: number; replies: readonly string[] }[];
}

async function runPhase(mode: BenchMode, options: Options, world: { redisUrl: string; sandbox: CloudSandbox; slack: Awaited<ReturnType<typeof startFakeSlack>> }): Promise<PhaseResult> {
  const accounts = accountsFor(options.tasks);
  const prefix = `bench-${mode}`;
  const setup: BenchWorkerSetup = {
    mode,
    redisUrl: world.redisUrl,
    prefix,
    sandboxUrl: world.sandbox.url,
    slackApiUrl: world.slack.apiUrl,
    botToken: BOT_TOKEN,
    ...accounts,
    watch: { intervalMs: options.intervalMs, maxIntervalMs: options.maxIntervalMs, deadlineMs: 86_400_000, broadcastFailures: true },
    pollConcurrency: 64,
    naiveConcurrency: 200,
  };
  const redis = createRedisConnection(world.redisUrl);
  const child = await spawnWorker(setup);
  const memoryBefore = await usedMemory(redis);
  const warmupMs = Math.max(10_000, options.tasks * 5);
  const channelPrefix = mode === 'engine' ? 'E' : 'N';
  const planted = plantTasks(world.sandbox, options.tasks, accounts, warmupMs, options.durationMs, channelPrefix);
  const phaseStart = Date.now();
  const firstCall = world.sandbox.calls.length;

  // Stamp every thread reply the moment the fake Slack records it.
  const byCard = new Map<string, PlannedTask>();
  /** Reply texts per task, to tell what a missed change's thread said instead. */
  const announced = new Map<PlannedTask, string[]>();
  let replies = 0;
  /** Tasks whose card already showed a first checked state. */
  const carded = new Set<PlannedTask>();
  /**
   * The engine's first check of a task only fills in its card: changes the card shows then were
   * never due a reply. (Batched calls name no single task, so the card tells this.) The card is
   * posted with that check (check-first cards); a card posted before it is edited to it.
   */
  const cardShowed = (task: PlannedTask | undefined, state: string | null | undefined): void => {
    if (task && !carded.has(task) && (state === 'pending' || state === 'running' || state === 'succeeded' || state === 'failed')) {
      carded.add(task);
      const shown = task.changes.findIndex((change) => change.state === state);
      for (let position = 0; position <= shown; position += 1) {
        const change = task.changes[position];
        if (change && change.detectedAt === null) change.beforeFirstCheck = true;
      }
    }
  };
  const stampReply = (call: RecordedCall): boolean => {
    if (call.method === 'chat.update' && call.status === 200) {
      cardShowed(byCard.get(String(call.body['ts'])), announcedState(call));
      return false;
    }
    if (call.method !== 'chat.postMessage' || call.status !== 200 || typeof call.body['thread_ts'] !== 'string') return false;
    const task = byCard.get(String(call.body['thread_ts']));
    if (!task) return false;
    replies += 1;
    const state = announcedState(call);
    announced.set(task, [...(announced.get(task) ?? []), String(call.body['text'] ?? '').slice(0, 120)]);
    const now = Date.now();
    const reached = task.changes.findIndex((change) => change.state === state);
    for (let position = 0; position <= reached; position += 1) {
      const change = task.changes[position];
      if (change && change.detectedAt === null && !change.beforeFirstCheck) change.detectedAt = now;
    }
    return false;
  };
  const listening = world.slack.waitForCall(stampReply, options.durationMs * 3 + 600_000).catch(() => undefined);

  // Register every task, as users would. A watch checks its task before posting the card, so the
  // registering (web) side takes the same Redis rate budget as the worker, as in production: with
  // a budget of its own the two together went past the cloud's limits.
  const registry = createProviderRegistry(
    { accounts: benchAccounts(setup), rateLimits: CONFIGURED, providerTimeoutMs: 10_000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }) },
  );
  const firstChecked = new Map<PlannedTask, number>();
  if (mode === 'engine') {
    const web = createWatchEngine({ connection: world.redisUrl, prefix, providers: registry, notifiers: [createSlackNotifier({ apiUrl: world.slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null })], watch: setup.watch, role: 'web' });
    // Many users at once: one at a time, each watch's check made registration outlast the warm-up.
    let next = 0;
    const registerNext = async (): Promise<void> => {
      for (let task = planted[next++]; task !== undefined; task = planted[next++]) {
        const [summary] = await web.watch({ refs: [{ kind: task.kind, id: task.id, account: task.account, ...(task.region ? { region: task.region } : {}) }], channel: { platform: 'slack', channelId: task.channel }, requestedBy: 'bench' });
        if (summary?.cardMessageId) byCard.set(summary.cardMessageId, task);
        // What the card was first posted with: the watch's own check.
        cardShowed(task, summary?.state);
      }
    };
    await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, registerNext));
    await web.stop();
  } else {
    const notifier = createSlackNotifier({ apiUrl: world.slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null });
    const queue = new Queue(NAIVE_QUEUE, { connection: redis, prefix });
    for (const task of planted) {
      const cardTs = await notifier.postCard({ platform: 'slack', channelId: task.channel }, { status: { kind: task.kind, id: task.id, account: task.account, region: task.region, found: true, state: 'unknown', terminal: false, rawStatus: '', progress: null, summary: { fact: 'written', text: 'Waiting for the first check.' }, items: [], createdAt: null, updatedAt: null, requestId: null, observedAt: new Date().toISOString() } });
      byCard.set(cardTs, task);
      const spec: NaiveTaskSpec = { kind: task.kind, account: task.account, region: task.region, id: task.id, channel: `slack:${task.channel}`, cardTs };
      await redis.hset(`${prefix}:specs`, String(task.index), JSON.stringify(spec));
      await queue.upsertJobScheduler(naiveSchedulerId(task.index), { every: NAIVE_EVERY_MS }, { name: 'poll', data: { index: task.index }, opts: { removeOnComplete: true, removeOnFail: true } });
    }
    await queue.close();
  }
  registry.close();
  const registrationMs = Date.now() - phaseStart;
  process.stdout.write(`[${mode}] registered ${planted.length} tasks in ${(registrationMs / 1000).toFixed(1)} s\n`);

  // Run: sample Redis memory half way, stop when every change was seen or well after the last.
  const lastChange = Math.max(...planted.flatMap((task) => task.changes.map((change) => change.at)));
  const hardStop = lastChange + Math.max(90_000, options.durationMs * 0.25);
  const halfway = phaseStart + warmupMs + options.durationMs / 2;
  let memoryHalfway: number | null = null;
  let keyKinds: Record<string, { keys: number; bytes: number }> = {};
  let lastReport = 0;
  for (;;) {
    const now = Date.now();
    if (memoryHalfway === null && now >= halfway) {
      memoryHalfway = await usedMemory(redis);
      keyKinds = await memoryByKeyKind(redis, prefix);
      process.stdout.write(`[${mode}] Redis by key kind, half way: ${JSON.stringify(keyKinds)}\n`);
    }
    const pending = planted.reduce((sum, task) => sum + task.changes.filter((change) => change.detectedAt === null && !change.beforeFirstCheck).length, 0);
    if (now - lastReport > 30_000) {
      lastReport = now;
      process.stdout.write(`[${mode}] t=${Math.round((now - phaseStart) / 1000)} s, changes not yet reported: ${pending}, provider calls: ${world.sandbox.calls.length - firstCall}\n`);
    }
    if ((pending === 0 && now > lastChange) || now > hardStop) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (memoryHalfway === null) memoryHalfway = await usedMemory(redis);
  const workerPeakRssBytes = peakRssOf(child.pid);
  await stopWorker(child);
  const workerErrors = await redis.lrange(`${prefix}:bench-errors`, 0, -1);
  void listening;
  void firstChecked;

  // A change before a task's first check only fills in its card: no reply is due for it.
  const calls = world.sandbox.calls.slice(firstCall);
  const firstCheckOf = new Map<string, number>();
  for (const call of calls) {
    const id = String(call.params['TaskId'] ?? call.params['AsyncRequestId'] ?? '');
    if (id && !firstCheckOf.has(id)) firstCheckOf.set(id, call.receivedAt);
  }
  const latencies: number[] = [];
  const undetected: PhaseResult['undetected'][number][] = [];
  let transitions = 0;
  let absorbed = 0;
  for (const task of planted) {
    for (const change of task.changes) {
      if (change.at > Date.now()) continue;
      const firstCheck = firstCheckOf.get(task.id);
      if (change.beforeFirstCheck || (change.detectedAt === null && firstCheck !== undefined && change.at < firstCheck)) {
        absorbed += 1;
        continue;
      }
      transitions += 1;
      if (change.detectedAt !== null) latencies.push(Math.max(0, change.detectedAt - change.at));
      else if (undetected.length < 30) {
        undetected.push({ kind: task.kind, account: task.account, id: task.id, state: change.state, atSeconds: Math.round((change.at - phaseStart) / 1000), replies: announced.get(task) ?? [] });
      }
    }
  }
  latencies.sort((left, right) => left - right);
  const callsByAction: Record<string, number> = {};
  for (const call of calls) callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
  const throttling = calls.filter((call) => call.errorCode !== null && /Limit|Throttl|TooMany|Frequen/i.test(call.errorCode)).length;
  const otherErrors = calls.filter((call) => call.errorCode !== null).length - throttling;
  await redis.quit();
  return {
    mode,
    tasks: planted.length,
    transitions,
    detected: latencies.length,
    absorbedBeforeFirstCheck: absorbed,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies[latencies.length - 1] ?? null },
    providerCalls: calls.length,
    callsByAction,
    throttlingErrors: throttling,
    otherProviderErrors: otherErrors,
    workerPeakRssBytes,
    redisBytesPerWatch: Math.round((memoryHalfway - memoryBefore) / planted.length),
    redisKeyKindsHalfway: keyKinds,
    registrationMs,
    runMs: Date.now() - phaseStart,
    threadReplies: replies,
    undetected,
    workerErrors,
  };
}

function seconds(ms: number | null): string {
  return ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

function megabytes(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(0)} MB`;
}

function renderDocs(result: { options: Options; startedAt: string; theoretical: ReturnType<typeof theoreticalSweep>; theoreticalConfigured: ReturnType<typeof theoreticalSweep>; phases: PhaseResult[]; file: string }): string {
  const engine = result.phases.find((phase) => phase.mode === 'engine');
  const naive = result.phases.find((phase) => phase.mode === 'naive');
  const met = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');
  const targetSweepMs = result.theoretical.seconds * 1000 * 1.25;
  const rows = [
    ['Zero throttling errors caused by taskwatch', engine ? `${engine.throttlingErrors}` : 'n/a', naive ? `${naive.throttlingErrors}` : 'n/a', met(engine ? engine.throttlingErrors === 0 : null)],
    [
      `p95 detection latency within 1.25x the theoretical minimum sweep (${seconds(targetSweepMs)})`,
      engine ? seconds(engine.latencyMs.p95) : 'n/a',
      naive ? seconds(naive.latencyMs.p95) : 'n/a',
      met(engine && engine.latencyMs.p95 !== null ? engine.latencyMs.p95 <= targetSweepMs : null),
    ],
    [
      'At least 5x fewer provider calls than the baseline, at equal or better latency',
      engine ? `${engine.providerCalls}` : 'n/a',
      naive ? `${naive.providerCalls}` : 'n/a',
      met(
        engine && naive && engine.latencyMs.p95 !== null && naive.latencyMs.p95 !== null
          ? engine.providerCalls * 5 <= naive.providerCalls && engine.latencyMs.p95 <= naive.latencyMs.p95
          : null,
      ),
    ],
    ['Under 2 KB of Redis memory per watch', engine ? `${engine.redisBytesPerWatch} B` : 'n/a', naive ? `${naive.redisBytesPerWatch} B` : 'n/a', met(engine ? engine.redisBytesPerWatch < 2048 : null)],
    [
      'Worker under 300 MB RSS at 10,000 watches',
      engine ? megabytes(engine.workerPeakRssBytes) : 'n/a',
      naive ? megabytes(naive.workerPeakRssBytes) : 'n/a',
      result.options.tasks >= 10_000 ? met(engine ? (engine.workerPeakRssBytes ?? Infinity) < 300 * 1048576 : null) : `${met(engine ? (engine.workerPeakRssBytes ?? Infinity) < 300 * 1048576 : null)} at ${result.options.tasks} (10,000 not run here)`,
    ],
  ];
  const detail = [
    ['Detection latency p50 / p95 / max', engine, naive, (phase: PhaseResult) => `${seconds(phase.latencyMs.p50)} / ${seconds(phase.latencyMs.p95)} / ${seconds(phase.latencyMs.max)}`],
    ['Transitions measured (detected)', engine, naive, (phase: PhaseResult) => `${phase.transitions} (${phase.detected})`],
    ['Changes before a task\'s first check (card only, not measured)', engine, naive, (phase: PhaseResult) => `${phase.absorbedBeforeFirstCheck}`],
    ['Provider calls', engine, naive, (phase: PhaseResult) => `${phase.providerCalls}`],
    ['Throttling errors / other provider errors', engine, naive, (phase: PhaseResult) => `${phase.throttlingErrors} / ${phase.otherProviderErrors}`],
    ['Worker peak RSS', engine, naive, (phase: PhaseResult) => megabytes(phase.workerPeakRssBytes)],
    ['Redis memory per watch (INFO used_memory delta / watches, half way)', engine, naive, (phase: PhaseResult) => `${phase.redisBytesPerWatch} B`],
    ['Thread replies posted', engine, naive, (phase: PhaseResult) => `${phase.threadReplies}`],
  ] as const;
  return [
    '# Benchmarks',
    '',
    'Produced by `npm run bench:watch` (not a test, not in CI); the latest run is below, raw figures in',
    `\`${result.file}\`. Re-run it to refresh this page.`,
    '',
    '## Watch engine vs naive polling',
    '',
    `Run of ${result.startedAt}: **${result.options.tasks} watched tasks**, ${seconds(result.options.durationMs)} of state changes per phase,`,
    `on ${cpus().length} cores / ${megabytes(totalmem())} (shared with other work), engine intervals ${result.options.intervalMs} ms to ${result.options.maxIntervalMs} ms.`,
    'Tasks are spread over CDN, DCDN, DTS and Redis across 4 Tencent and 4 Alibaba accounts, and TCSS across its own accounts (it reports one task per account);',
    'each changes state at random times. The sandbox enforces the documented limits (Tencent 20/s per API, region and credential; DCDN 30/s per account);',
    'taskwatch budgets 15/s and 24/s. Notifications go to the fake Slack through the real SlackNotifier. The baseline is one BullMQ job scheduler per',
    'task every 10 s, one API call per task, through the same providers and rate budget. Detection latency runs from the sandbox state change to the',
    'thread reply arriving at the fake Slack.',
    '',
    `Theoretical minimum sweep (every watched task checked once) at the documented limits and batch sizes: **${result.theoretical.seconds.toFixed(2)} s**`,
    `(${result.theoretical.calls} calls in all; slowest quota bucket ${result.theoretical.bucket}); at taskwatch's own budget: ${result.theoreticalConfigured.seconds.toFixed(2)} s.`,
    '',
    '| Target | taskwatch | naive baseline | Verdict |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '| Figure | taskwatch | naive baseline |',
    '|---|---|---|',
    ...detail.map(([label, left, right, show]) => `| ${label} | ${left ? show(left) : 'n/a'} | ${right ? show(right) : 'n/a'} |`),
    '',
  ].join('\n');
}

/** Marks the start of the hand-written part of docs/benchmarks.md, which a run keeps as it is. */
const KEPT_MARKER = '<!-- Hand-written analysis below: kept as it is when bench:watch rewrites the figures above. -->';

/** The hand-written analysis of the current page (from the marker on), or nothing. */
function keptAnalysis(docsPath: string): string {
  try {
    const current = readFileSync(docsPath, 'utf8');
    const at = current.indexOf(KEPT_MARKER);
    return at >= 0 ? `\n${current.slice(at)}` : '';
  } catch {
    return '';
  }
}

/** Measures and reports Redis bytes per watch; keeps its own section of docs/benchmarks.md. */
async function runMemoryPhase(options: Options, startedAt: string): Promise<void> {
  const figures = [];
  for (const watches of [2_000, 10_000]) {
    const figure = await measureWatchMemory(watches);
    figures.push(figure);
    process.stdout.write(`memory  ${figure.watches} watches (${figure.commands} commands of 10 IDs, ${figure.channels} channels): ${figure.bytesPerWatch} B/watch, ${figure.keys} keys\n`);
  }
  if (!options.writeDocs) return;
  const docsPath = join(__dirname, '..', 'docs', 'benchmarks.md');
  const section = [
    MEMORY_START,
    '## Redis memory per watch (`npm run bench:watch`, or `-- --phase memory` alone)',
    '',
    `Run of ${startedAt}. Watches registered as a user would: \`/task-status watch dcdn <10 IDs>\` through the command handler into 40 channels, each posting its card to the fake Slack, the whole bot running (role all). Figure: growth of \`INFO memory\` \`used_memory\` from after a warm-up command to when every task has been checked once and every card update delivered, divided by the watches. Target: under 2 KB (2,048 B) per watch.`,
    '',
    '| watches | commands | B/watch | keys |',
    '|---|---|---|---|',
    ...figures.map((figure) => `| ${figure.watches} | ${figure.commands} | ${figure.bytesPerWatch} | ${figure.keys} |`),
    MEMORY_END,
  ].join('\n');
  replaceDocsSection(docsPath, MEMORY_START, MEMORY_END, section);
}

const MEMORY_START = '<!-- watch-memory:start -->';
const MEMORY_END = '<!-- watch-memory:end -->';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.phases.length === 0) {
    await runMemoryPhase(options, new Date().toISOString());
    process.exit(0);
  }
  const startedAt = new Date().toISOString();
  process.stdout.write(`bench:watch: ${options.tasks} tasks, ${options.durationMs / 1000} s per phase, phases ${options.phases.join(', ')}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-bench-'));
  const redisServer = await startLocalRedis({ dataDir, appendOnly: false });
  const { benchCredentials } = await import('./bench-setup');
  const sandbox = await CloudSandbox.start({ credentials: benchCredentials(accountsFor(options.tasks)) });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const phases: PhaseResult[] = [];
  let theoretical: ReturnType<typeof theoreticalSweep> | null;
  let theoreticalConfigured: ReturnType<typeof theoreticalSweep> | null;
  try {
    for (const mode of options.phases) {
      const result = await runPhase(mode, options, { redisUrl: redisServer.url, sandbox, slack });
      phases.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    const accounts = accountsFor(options.tasks);
    const planned = planKinds(options.tasks, accounts.tcssAccounts).map((task, index) => ({
      index,
      kind: task.kind,
      account: task.account,
      region: task.kind === 'dts' || task.kind === 'redis' ? 'ap-guangzhou' : null,
      id: '',
      channel: '',
      urls: task.kind === 'cdn' ? 1 + (index % 3) : 1,
      changes: [],
    }));
    theoretical = theoreticalSweep(planned, DOCUMENTED);
    theoreticalConfigured = theoreticalSweep(planned, CONFIGURED);
  } finally {
    await slack.stop();
    await sandbox.stop();
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = `bench/results/${startedAt.replace(/[:.]/g, '-')}.json`;
  const output = { startedAt, options, machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version }, theoreticalMinimumSweep: { documentedLimits: theoretical, taskwatchBudget: theoreticalConfigured }, phases };
  writeFileSync(join(__dirname, '..', file), `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(`\nTheoretical minimum sweep: ${theoretical?.seconds.toFixed(2)} s at the documented limits (${theoretical?.calls} calls), ${theoreticalConfigured?.seconds.toFixed(2)} s at taskwatch's budget\n`);
  for (const phase of phases) {
    process.stdout.write(
      `${phase.mode.padEnd(7)} latency p50 ${seconds(phase.latencyMs.p50)} p95 ${seconds(phase.latencyMs.p95)} max ${seconds(phase.latencyMs.max)} | calls ${phase.providerCalls} | throttled ${phase.throttlingErrors} | worker peak RSS ${megabytes(phase.workerPeakRssBytes)} | Redis ${phase.redisBytesPerWatch} B/watch\n`,
    );
  }
  process.stdout.write(`figures: ${file}\n`);
  if (options.writeDocs && theoretical && theoreticalConfigured) {
    const docsPath = join(__dirname, '..', 'docs', 'benchmarks.md');
    writeFileSync(docsPath, renderDocs({ options, startedAt, theoretical, theoreticalConfigured, phases, file }) + keptAnalysis(docsPath));
    process.stdout.write('docs/benchmarks.md updated\n');
  }
  if (options.memory) await runMemoryPhase(options, startedAt);
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
