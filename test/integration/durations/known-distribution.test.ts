/**
 * Tasks whose durations follow a known distribution, run through watches end to end: the cloud
 * sandbox plants them (`addTimedTasks`, seeded) and moves them on its manual clock, the real
 * providers and SDKs poll it, the watch engine records each ending in a real redis-server, and
 * the next card goes to the fake Slack through the real SlackNotifier. The card's range and
 * median, and the group's p95, must be exactly the ones computed here from the known durations.
 */
import { durationRangeText, roughDurationText } from '../../../src/chat/render/duration-estimate-text';
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { DurationDistribution } from '../../../src/sandbox/duration-distribution';
import type { ManualClock } from '../../../src/util/clock';
import type { FakeSlack } from '../../fakes/slack/fake-slack';
import { startSlackWorld, type SlackWorld } from '../../support/slack-world';
import { waitFor } from '../../support/wait';

const BOT_TOKEN = 'xoxb-known-distribution-test-0123456789-secret';
const MINUTE = 60_000;
const TASKS = 30;
/** Most CDN prefetches take a few minutes, a few take much longer. */
const DISTRIBUTION: DurationDistribution = { name: 'lognormal', medianMs: 4 * MINUTE, sigma: 0.5 };

let world: SlackWorld;
let clock: ManualClock;
let slack: FakeSlack;
let sandbox: CloudSandbox;
let engine: WatchEngine;

beforeAll(async () => {
  // The world's clock starts now, on whole seconds, and is the sandbox's, providers' and engine's.
  world = await startSlackWorld({ name: 'known-distribution', botToken: BOT_TOKEN });
  ({ clock, slack, sandbox, engine } = world);
});

afterAll(async () => {
  await world?.stop();
});

/** Nearest rank, computed here independently of the engine's own quantile. */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

/** The card as last drawn: its first post (after the first check) or its latest edit. */
function cardNow(channelId: string): string {
  const drawn = slack.calls.filter(
    (call) =>
      call.status === 200 &&
      call.body['channel'] === channelId &&
      (call.method === 'chat.update' || (call.method === 'chat.postMessage' && call.body['thread_ts'] === undefined)),
  );
  return JSON.stringify(drawn[drawn.length - 1]?.body['blocks'] ?? '');
}

async function endedCount(): Promise<number> {
  return (await engine.durations.summaries()).reduce((total, summary) => total + summary.count, 0);
}

test(`given ${TASKS} watched CDN prefetches with lognormal durations (seeded), then the next card's range and median and the group's p95 are the ones computed from those durations`, async () => {
  const timed = sandbox.addTimedTasks({ kind: 'cdn', count: TASKS, distribution: DISTRIBUTION, seed: 17 });
  const durations = timed.map((task) => task.durationMs);
  // The seed gives a spread worth checking: not one duration repeated.
  expect(new Set(durations).size).toBeGreaterThan(TASKS / 2);
  for (const [index, task] of timed.entries()) {
    await engine.watch({ refs: [{ kind: 'cdn', id: task.id }], channel: { platform: 'slack', channelId: `C-KNOWN${index}` }, requestedBy: 'U1' });
  }
  await waitFor('every card shows its first check', () => timed.every((task, index) => cardNow(`C-KNOWN${index}`).includes(task.id)));
  // Nothing has ended yet, so nothing is recorded.
  expect(await endedCount()).toBe(0);

  // Move the clock past each ending in a few steps: the cloud's UpdateTime says when each ended.
  const sorted = [...durations].sort((a, b) => a - b);
  for (const q of [0.25, 0.5, 0.75, 1]) {
    clock.set(timed[0]!.createdAt + nearestRank(sorted, q) + 1000);
    const due = durations.filter((ms) => ms <= nearestRank(sorted, q)).length;
    await waitFor(`${due} tasks ended and recorded`, async () => (await endedCount()) >= due);
  }
  expect(await endedCount()).toBe(TASKS);

  const [summary] = await engine.durations.summaries();
  expect(summary).toMatchObject({ count: TASKS, medianMs: nearestRank(sorted, 0.5), p95Ms: nearestRank(sorted, 0.95), failureRate: 0 });
  expect(summary?.slowest.durationMs).toBe(sorted[sorted.length - 1]);

  // The next one of the same group: its card says exactly what the known durations say.
  const [next] = sandbox.addTimedTasks({ kind: 'cdn', count: 1, distribution: DISTRIBUTION, seed: 99 });
  await engine.watch({ refs: [{ kind: 'cdn', id: next!.id }], channel: { platform: 'slack', channelId: 'C-KNOWN-NEXT' }, requestedBy: 'U1' });
  await waitFor('the next card shows its first check', () => cardNow('C-KNOWN-NEXT').includes(next!.id));
  const range = durationRangeText(nearestRank(sorted, 0.1), nearestRank(sorted, 0.9));
  expect(cardNow('C-KNOWN-NEXT')).toContain(`usually ${range} (median ${roughDurationText(nearestRank(sorted, 0.5))}, ${TASKS} past tasks)`);
  expect(JSON.stringify(slack.callsOf('chat.update').map((call) => call.body))).not.toContain(BOT_TOKEN);
});
