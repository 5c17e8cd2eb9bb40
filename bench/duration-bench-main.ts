/**
 * `npm run bench:durations`: how good taskwatch's duration figures are when the truth is known.
 * Task durations are drawn (seeded) from known distributions (`src/sandbox/duration-distribution.ts`)
 * and recorded, one ending at a time, through the real DurationStore into a real redis-server,
 * as the watch engine records them. Not a test.
 *
 *   npm run bench:durations                          10,000 endings per distribution
 *   npm run bench:durations -- --tasks 2000 --seed 7 --no-docs --no-engine
 *
 * It prints, per distribution:
 * - the estimate (10th, 50th, 90th, 95th percentile of the group's sample, as the card and the
 *   stuck check read it) against the distribution's true quantiles, at the end and as the mean
 *   error over a snapshot every 200 endings;
 * - stuck calls: each task judged against its group's sample as it stood while the task ran, by the same rule as the stuck check (`stuckThresholdMs`: 1.5 x p95, at least
 *   5 min past it). Every task comes from the same distribution, so each call is a healthy but
 *   slow task; compared with the share the rule would call at the true p95. Then 1 % of the
 *   tasks hang (5 x the true p95) and the calls that found them are counted;
 * - through the watch engine (`duration-engine-phase.ts`, skipped with --no-engine): timed
 *   sandbox tasks watched on a manual clock, the recorded figures checked against the planted
 *   durations, and the stuck replies the real stuck check posts counted;
 * - memory: Redis bytes of a group (its sample list, `MEMORY USAGE`) after 200, 1,000 and all
 *   endings, and the growth of `used_memory` per group.
 * Figures go to bench/results/durations-<timestamp>.json and a section of docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DURATION_SAMPLE_SIZE, DurationStore } from '../src/jobs/durations/duration-store';
import { estimateDuration, quantile, type DurationGroup } from '../src/jobs/durations/duration-group';
import { stuckThresholdMs } from '../src/jobs/durations/stuck-threshold';
import { createRedisConnection } from '../src/jobs/redis-connection';
import { startLocalRedis } from '../src/runtime/local-redis';
import { distributionLabel, distributionQuantile, drawDurations, seededRandom, shareLongerThan, type DurationDistribution } from '../src/sandbox/duration-distribution';
import { measureThroughEngine, type EnginePhaseResult } from './duration-engine-phase';
import { replaceDocsSection } from './docs-section';

const SECTION_START = '<!-- duration-bench:start -->';
const SECTION_END = '<!-- duration-bench:end -->';
const MINUTE = 60_000;
const QUANTILES = [0.1, 0.5, 0.9, 0.95] as const;
/** How often (in endings) the estimate is compared with the truth along the run. */
const SNAPSHOT_EVERY = DURATION_SAMPLE_SIZE;
/** Share of tasks made to hang in the second pass, and how long they hang (x the true p95). */
const HANG_SHARE = 0.01;
const HANG_FACTOR = 5;

/** The distributions measured: each is one group, as a kind, account and subtype would be. */
const CASES: readonly { readonly label: string; readonly group: DurationGroup; readonly distribution: DurationDistribution }[] = [
  { label: 'redis FLUSH_INSTANCE', group: { kind: 'redis', account: 'bench', subtype: 'FLUSH_INSTANCE', size: null }, distribution: { name: 'lognormal', medianMs: 4 * MINUTE, sigma: 0.5 } },
  { label: 'cdn mainland, 2-10 URLs', group: { kind: 'cdn', account: 'bench', subtype: 'mainland', size: '2-10' }, distribution: { name: 'uniform', minMs: 2 * MINUTE, maxMs: 6 * MINUTE } },
  { label: 'dcdn file, 1 object', group: { kind: 'dcdn', account: 'bench', subtype: 'file', size: '1' }, distribution: { name: 'lognormal', medianMs: 30_000, sigma: 1 } },
];

interface Options {
  readonly tasks: number;
  readonly seed: number;
  readonly writeDocs: boolean;
  /** Also run timed sandbox tasks through the watch engine (`duration-engine-phase.ts`). */
  readonly engine: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let tasks = 10_000;
  let seed = 2026;
  let writeDocs = true;
  let engine = true;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = Number(argv[index + 1]);
    if (flag === '--tasks') {
      if (!Number.isInteger(value) || value < 200 || value > 1_000_000) throw new Error('--tasks takes a whole number from 200 to 1000000');
      tasks = value;
      index += 1;
    } else if (flag === '--seed') {
      if (!Number.isInteger(value)) throw new Error('--seed takes a whole number');
      seed = value;
      index += 1;
    } else if (flag === '--no-docs') {
      writeDocs = false;
    } else if (flag === '--no-engine') {
      engine = false;
    } else {
      throw new Error(`unknown option ${flag ?? ''}; use --tasks N, --seed N, --no-docs, --no-engine`);
    }
  }
  return { tasks, seed, writeDocs, engine };
}

/** One distribution's figures. */
interface CaseResult {
  readonly label: string;
  readonly distribution: string;
  /** True quantiles and the estimate from the last sample, by quantile, in ms. */
  readonly quantiles: readonly { readonly q: number; readonly trueMs: number; readonly estimateMs: number; readonly meanAbsErrorShare: number }[];
  readonly stuck: {
    readonly judged: number;
    readonly calls: number;
    /** The share of tasks the rule calls stuck at the true p95: what `calls / judged` should be near. */
    readonly expectedShare: number;
    readonly hung: number;
    readonly hungFound: number;
    readonly healthyCallsWithHangs: number;
  };
  readonly memory: { readonly bytesAfter: Readonly<Record<string, number>>; readonly sampleLength: number; readonly usedMemoryGrowth: number };
}

function usedMemory(info: string): number {
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** A CDN-like task ID: 19 digits, as long as real ones. */
function taskIdOf(index: number): string {
  return `17648600${String(index).padStart(11, '0')}`;
}

async function measureCase(store: DurationStore, caseIndex: number, spec: (typeof CASES)[number], options: Options): Promise<CaseResult> {
  const redis = store.redis;
  const durations = drawDurations(spec.distribution, options.tasks, options.seed + caseIndex);
  const trueMs = QUANTILES.map((q) => distributionQuantile(spec.distribution, q));
  const errors = QUANTILES.map(() => [] as number[]);
  const bytesAfter: Record<string, number> = {};
  const before = usedMemory(await redis.info('memory'));
  let calls = 0;
  let judged = 0;
  // The sample as the store keeps it, mirrored here so each task is judged against the sample
  // as it stood when the task started, without reading Redis for every one of them.
  let sample: number[] = [];
  for (const [index, durationMs] of durations.entries()) {
    if (sample.length >= 10) {
      judged += 1;
      const p95 = quantile([...sample].sort((a, b) => a - b), 0.95);
      if (durationMs > stuckThresholdMs(p95)) calls += 1;
    }
    await store.record(spec.group, `bench-${caseIndex}-${index}`, { taskId: taskIdOf(index), durationMs, failed: false, endedAt: index });
    sample = [durationMs, ...sample].slice(0, DURATION_SAMPLE_SIZE);
    const ended = index + 1;
    if (ended % SNAPSHOT_EVERY === 0) {
      // Read back from Redis, as the card does; the estimate's own range and median, and the p95.
      const stored = await store.samples(spec.group);
      const estimate = estimateDuration(stored);
      const sorted = stored.map((entry) => entry.durationMs).sort((a, b) => a - b);
      if (estimate) {
        const figures = [estimate.lowMs, estimate.medianMs, estimate.highMs, quantile(sorted, 0.95)];
        QUANTILES.forEach((_, at) => errors[at]!.push(Math.abs(figures[at]! - trueMs[at]!) / trueMs[at]!));
      }
    }
    if (ended === 200 || ended === 1000 || ended === durations.length) bytesAfter[String(ended)] = Number(await redis.call('MEMORY', 'USAGE', store.sampleKey(spec.group), 'SAMPLES', '0'));
  }
  const usedMemoryGrowth = usedMemory(await redis.info('memory')) - before;
  const finalSorted = (await store.samples(spec.group)).map((entry) => entry.durationMs).sort((a, b) => a - b);
  const quantiles = QUANTILES.map((q, at) => ({
    q,
    trueMs: trueMs[at]!,
    estimateMs: quantile(finalSorted, q),
    meanAbsErrorShare: errors[at]!.reduce((total, value) => total + value, 0) / Math.max(1, errors[at]!.length),
  }));

  // Second pass, no Redis: the same rule with 1 % of tasks hanging at 5 x the true p95.
  const random = seededRandom(options.seed * 31 + caseIndex);
  const hangMs = HANG_FACTOR * distributionQuantile(spec.distribution, 0.95);
  let hung = 0;
  let hungFound = 0;
  let healthyCalls = 0;
  let window: number[] = [];
  for (const durationMs of durations) {
    const hangs = random() < HANG_SHARE;
    const actual = hangs ? Math.round(hangMs) : durationMs;
    if (window.length >= 10) {
      const called = actual > stuckThresholdMs(quantile([...window].sort((a, b) => a - b), 0.95));
      if (hangs) {
        hung += 1;
        if (called) hungFound += 1;
      } else if (called) {
        healthyCalls += 1;
      }
    }
    window = [actual, ...window].slice(0, DURATION_SAMPLE_SIZE);
  }

  return {
    label: spec.label,
    distribution: distributionLabel(spec.distribution),
    quantiles,
    stuck: {
      judged,
      calls,
      expectedShare: shareLongerThan(spec.distribution, stuckThresholdMs(distributionQuantile(spec.distribution, 0.95))),
      hung,
      hungFound,
      healthyCallsWithHangs: healthyCalls,
    },
    memory: { bytesAfter, sampleLength: await redis.llen(store.sampleKey(spec.group)), usedMemoryGrowth },
  };
}

function duration(ms: number): string {
  if (ms < 90_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / MINUTE).toFixed(2)} min`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  process.stdout.write(`bench:durations: ${options.tasks} endings per distribution, seed ${options.seed}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-durbench-'));
  const redisServer = await startLocalRedis({ dataDir, appendOnly: false });
  const redis = createRedisConnection(redisServer.url);
  const results: CaseResult[] = [];
  try {
    const store = new DurationStore(redis, 'bench:tw');
    // Warm up: the first ending loads the store's script and sizes Redis's own tables, fixed
    // costs that are no group's; its keys are then dropped.
    const warmUp: DurationGroup = { kind: 'tcss', account: 'warm-up', subtype: null, size: null };
    for (let index = 0; index < 2 * DURATION_SAMPLE_SIZE; index += 1) {
      await store.record(warmUp, `bench-warm-up-${index}`, { taskId: taskIdOf(index), durationMs: 1000 + index, failed: false, endedAt: index });
    }
    await redis.del(store.sampleKey(warmUp), store.groupsKey());
    for (const [index, spec] of CASES.entries()) {
      const result = await measureCase(store, index, spec, options);
      results.push(result);
      process.stdout.write(`\n${result.label}: ${result.distribution}\n`);
      for (const row of result.quantiles) {
        process.stdout.write(`  p${Math.round(row.q * 100)}: true ${duration(row.trueMs)}, estimate ${duration(row.estimateMs)} (mean error ${percent(row.meanAbsErrorShare)} over the run)\n`);
      }
      const stuck = result.stuck;
      process.stdout.write(
        `  stuck calls: ${stuck.calls} of ${stuck.judged} healthy tasks (${percent(stuck.calls / Math.max(1, stuck.judged))}; ${percent(stuck.expectedShare)} at the true p95); ` +
          `with 1 % hanging: ${stuck.hungFound} of ${stuck.hung} found, ${stuck.healthyCallsWithHangs} healthy tasks called\n`,
      );
      process.stdout.write(`  memory: ${Object.entries(result.memory.bytesAfter).map(([ended, bytes]) => `${bytes} B after ${ended}`).join(', ')}; ${result.memory.sampleLength} entries kept\n`);
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  let engine: EnginePhaseResult | null = null;
  if (options.engine) {
    process.stdout.write('\nthrough the watch engine (timed sandbox tasks, manual clock, fake Slack) ...\n');
    engine = await measureThroughEngine(CASES[0]!.distribution, options.seed);
    process.stdout.write(
      `  ${engine.historyTasks} CDN prefetches, ${distributionLabel(engine.distribution)}: recorded median ${duration(engine.recorded.medianMs)}, p95 ${duration(engine.recorded.p95Ms)}; ` +
        `planted ${duration(engine.planted.medianMs)}, ${duration(engine.planted.p95Ms)}; ${engine.exact ? 'exact' : 'NOT EXACT'} (true ${duration(engine.trueMs.median)}, ${duration(engine.trueMs.p95)})\n` +
        `  stuck replies: ${engine.healthyCalledStuck} of ${engine.healthyWatched} healthy tasks (${engine.healthyPastThreshold} ran past the history's threshold), ` +
        `${engine.hangingCalledStuck} of ${engine.hanging} hanging; ${engine.stuckReplies} replies in all; ${engine.wallSeconds} s\n`,
    );
  }
  const result = { startedAt, options, machine: { cores: cpus().length, node: process.version }, sampleSize: DURATION_SAMPLE_SIZE, cases: results, engine };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = `bench/results/durations-${startedAt.replace(/[:.]/g, '-')}.json`;
  writeFileSync(join(__dirname, '..', file), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nfigures: ${file}\n`);
  if (options.writeDocs) {
    writeDocsSection(result, file);
    process.stdout.write('docs/benchmarks.md updated\n');
  }
}

function writeDocsSection(result: { startedAt: string; options: Options; cases: readonly CaseResult[]; engine: EnginePhaseResult | null }, file: string): void {
  const tasks = result.options.tasks.toLocaleString('en-US');
  const lines = [
    SECTION_START,
    '## Task durations against a known distribution (`npm run bench:durations`)',
    '',
    `Run of ${result.startedAt}: ${tasks} endings per group, durations drawn (seed ${result.options.seed}) from the distributions below by ` +
      '`src/sandbox/duration-distribution.ts` and recorded one by one through the real `DurationStore` into a real redis-server. ' +
      `Each group keeps its last ${DURATION_SAMPLE_SIZE} endings; the estimate is the nearest-rank percentile of that sample, as the card reads it ` +
      '(range p10-p90, median) and the stuck check (p95). "Mean error" is the mean relative error against the true quantile over a snapshot ' +
      `every ${SNAPSHOT_EVERY} endings.`,
    '',
    '| group | distribution | quantile | true | estimate at the end | mean error over the run |',
    '|---|---|---|---|---|---|',
  ];
  for (const item of result.cases) {
    for (const row of item.quantiles) {
      lines.push(`| ${item.label} | ${item.distribution} | p${Math.round(row.q * 100)} | ${duration(row.trueMs)} | ${duration(row.estimateMs)} | ${percent(row.meanAbsErrorShare)} |`);
    }
  }
  lines.push(
    '',
    'Stuck calls: each task judged against its group\'s sample as it stood while it ran, by the stuck check\'s rule (more than ' +
      'max(1.5 x p95, p95 + 5 min)). All tasks come from the distribution, so every call in the first columns is a healthy but slow task; ' +
      `then ${percent(HANG_SHARE)} of tasks hang at ${HANG_FACTOR} x the true p95.`,
    '',
    '| group | healthy tasks called stuck | share | share at the true p95 | hanging tasks found | healthy tasks called, with hangs |',
    '|---|---|---|---|---|---|',
  );
  for (const item of result.cases) {
    const stuck = item.stuck;
    lines.push(`| ${item.label} | ${stuck.calls} of ${stuck.judged} | ${percent(stuck.calls / Math.max(1, stuck.judged))} | ${percent(stuck.expectedShare)} | ${stuck.hungFound} of ${stuck.hung} | ${stuck.healthyCallsWithHangs} |`);
  }
  lines.push('', `Memory per group (\`MEMORY USAGE\` of its sample list; the index of groups adds one short member per group):`, '', '| group | after 200 | after 1,000 | after all | entries kept | `used_memory` growth |', '|---|---|---|---|---|---|');
  for (const item of result.cases) {
    const bytes = item.memory.bytesAfter;
    lines.push(`| ${item.label} | ${bytes['200'] ?? 'n/a'} B | ${bytes['1000'] ?? 'n/a'} B | ${bytes[String(result.options.tasks)] ?? 'n/a'} B | ${item.memory.sampleLength} | ${item.memory.usedMemoryGrowth} B |`);
  }
  const engine = result.engine;
  if (engine) {
    lines.push(
      '',
      `Through the watch engine: ${engine.historyTasks} CDN prefetches planted with \`CloudSandbox.addTimedTasks\` (${distributionLabel(engine.distribution)}, seed ${result.options.seed}), ` +
        'watched on one manual clock, polled by the real SDK, cards to the fake Slack. Recorded: ' +
        `median ${duration(engine.recorded.medianMs)}, p95 ${duration(engine.recorded.p95Ms)}, ${engine.exact ? 'exactly' : '**not** exactly'} the planted durations' ` +
        `(${duration(engine.planted.medianMs)}, ${duration(engine.planted.p95Ms)}; true ${duration(engine.trueMs.median)}, ${duration(engine.trueMs.p95)}). ` +
        `Then ${engine.healthyWatched} more of the same distribution and ${engine.hanging} that hang, the clock moved a minute at a time to twice the threshold: ` +
        `stuck replies for ${engine.healthyCalledStuck} healthy tasks (${engine.healthyPastThreshold} ran past the threshold of the history) and ${engine.hangingCalledStuck} of ${engine.hanging} hanging ones, ` +
        `${engine.stuckReplies} replies in all (one per task at most). ${engine.wallSeconds} s of wall time.`,
    );
  }
  lines.push(
    '',
    'The sample list stops growing once it holds its 200 entries, however many tasks end. The first group\'s `used_memory` growth also holds ' +
      'allocations Redis makes once (it stays near 100 KB even after a warm-up group); the groups after it show what a group costs.',
    '',
    `Figures: \`${file}\`.`,
    SECTION_END,
  );
  replaceDocsSection(join(__dirname, '..', 'docs', 'benchmarks.md'), SECTION_START, SECTION_END, lines.join('\n'));
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
