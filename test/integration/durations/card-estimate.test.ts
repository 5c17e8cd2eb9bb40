/**
 * The card says what to expect once a group has history: the watch engine end to end into the
 * fake Slack (real SlackNotifier and web client), a real redis-server, the cloud sandbox on a
 * manual clock so that every past duration is known exactly.
 */
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { ManualClock } from '../../../src/util/clock';
import type { FakeSlack } from '../../fakes/slack/fake-slack';
import { startSlackWorld, type SlackWorld } from '../../support/slack-world';
import { waitFor } from '../../support/wait';

const BOT_TOKEN = 'xoxb-card-estimate-test-0123456789-secret';

let world: SlackWorld;
let clock: ManualClock;
let slack: FakeSlack;
let sandbox: CloudSandbox;
let engine: WatchEngine;

beforeAll(async () => {
  world = await startSlackWorld({ name: 'card-estimate', botToken: BOT_TOKEN });
  ({ clock, slack, sandbox, engine } = world);
});

afterAll(async () => {
  await world?.stop();
});

/** A Redis FLUSH_INSTANCE task: preparing, running after 1 s, succeeded after `doneAfterMs` (sandbox clock). */
function plantFlush(doneAfterMs: number, createdAt?: number): string {
  return sandbox.addTask({
    kind: 'redis',
    region: 'ap-guangzhou',
    ...(createdAt === undefined ? {} : { createdAt }),
    attributes: { TaskType: 'FLUSH_INSTANCE' },
    steps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: 1000, status: 'running' },
      { afterMs: doneAfterMs, status: 'succeed' },
    ],
  });
}

async function watchIn(channelId: string, id: string): Promise<void> {
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId }, requestedBy: 'U1' });
}

/**
 * Everything the channel's card shows now, blocks included: its last successful chat.update,
 * or its post (a card is posted showing its task's first check).
 */
function cardNow(channelId: string): string {
  const updates = slack.callsOf('chat.update').filter((call) => call.status === 200 && call.body['channel'] === channelId);
  const posted = slack.callsOf('chat.postMessage').filter((call) => call.status === 200 && call.body['channel'] === channelId && call.body['thread_ts'] === undefined);
  const last = updates[updates.length - 1] ?? posted[0];
  return last ? JSON.stringify(last.body['blocks']) : '';
}

async function endedCount(): Promise<number> {
  return (await engine.durations.summaries())[0]?.count ?? 0;
}

test('given 9 past FLUSH_INSTANCE tasks, then a running one shows no estimate; given 10 (1 to 10 min), then the next card says usually 1-9 min, median 5 min, and when it is typically done', async () => {
  const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // All planted at once, on one card channel each: the nth ends after n minutes.
  for (const [index, minute] of minutes.entries()) await watchIn(`C-PAST${index}`, plantFlush(minute * 60_000));
  await waitFor('every past card shows the first check', () => minutes.every((_, index) => cardNow(`C-PAST${index}`) !== ''));

  for (const minute of minutes.slice(0, 9)) {
    clock.advance(60_000);
    await waitFor(`${minute} past tasks ended`, async () => (await endedCount()) >= minute);
  }
  // Nine endings are too few for a claim: this card says nothing about what to expect.
  const early = plantFlush(60 * 60_000);
  await watchIn('C-EARLY', early);
  await waitFor('the early card shows its first check', () => cardNow('C-EARLY').includes(early));
  expect(cardNow('C-EARLY')).not.toContain('usually');

  clock.advance(60_000);
  await waitFor('10 past tasks ended', async () => (await endedCount()) >= 10);
  const next = plantFlush(60 * 60_000);
  await watchIn('C-NEXT', next);
  await waitFor('the next card shows its first check', () => cardNow('C-NEXT').includes(next));
  // 10th percentile 1 min, 90th 9 min, median 5 min (nearest rank over 1..10 min).
  expect(cardNow('C-NEXT')).toContain('usually 1-9 min (median 5 min, 10 past tasks)');
  // It started now (Redis StartTime), so it is typically done a median later, in Slack's date markup.
  expect(cardNow('C-NEXT')).toContain(`typically done <!date^${(clock.now() + 5 * 60_000) / 1000}^`);
  expect(JSON.stringify(slack.callsOf('chat.update').map((call) => call.body))).not.toContain(BOT_TOKEN);
});

test('given the group of the first test, then a task that started 2 min before it was watched says it started then (Redis StartTime) and is typically done 3 min later, in the live date markup of Slack', async () => {
  expect(await endedCount()).toBeGreaterThanOrEqual(10);
  const startedAt = clock.now() - 2 * 60_000;
  const id = plantFlush(60 * 60_000, startedAt);
  await watchIn('C-LATE', id);
  await waitFor('the card shows its first check', () => cardNow('C-LATE').includes(id));
  const seconds = startedAt / 1000;
  // "started 2 minutes ago" counts in each reader's client ({ago}); the typical end is the start plus the median, 5 min.
  expect(cardNow('C-LATE')).toContain(`; started <!date^${seconds}^{ago}|`);
  expect(cardNow('C-LATE')).toContain(`, typically done <!date^${seconds + 300}^{date_short_pretty} {time}|`);

  // Past the typical end, the card still says since when it has run, and no longer when it is typically done.
  clock.advance(4 * 60_000);
  const other = plantFlush(60 * 60_000, startedAt);
  await watchIn('C-LATER', other);
  await waitFor('the later card shows its first check', () => cardNow('C-LATER').includes(other));
  expect(cardNow('C-LATER')).toContain(`; started <!date^${seconds}^{ago}|`);
  expect(cardNow('C-LATER')).not.toContain('typically done');
});

test('given a TCSS refresh, whose API reports no start time, then its card counts from when taskwatch first saw it pending', async () => {
  const tcss: DurationGroup = { kind: 'tcss', account: 'default', subtype: null, size: null };
  for (let minute = 1; minute <= 10; minute += 1) {
    await engine.durations.record(tcss, `tcss-past-${minute}`, { taskId: `${minute}`, durationMs: minute * 60_000, failed: false, endedAt: clock.now() });
  }
  const firstSeen = clock.now();
  sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_New' }, { afterMs: 2 * 60_000, status: 'Task_Running' }, { afterMs: 60 * 60_000, status: 'Task_Finish' }] });
  await engine.watch({ refs: [{ kind: 'tcss', id: 'latest' }], channel: { platform: 'slack', channelId: 'C-TCSS' }, requestedBy: 'U1' });
  await waitFor('the card shows the refresh pending', () => cardNow('C-TCSS').includes('Task_New'));

  // Two minutes on, it runs: the card still counts from the first sight, not from this check.
  clock.advance(2 * 60_000);
  await waitFor('the card shows the refresh running', () => cardNow('C-TCSS').includes('Task_Running'));
  const seconds = firstSeen / 1000;
  expect(cardNow('C-TCSS')).toContain(`usually 1-9 min (median 5 min, 10 past tasks); started <!date^${seconds}^{ago}|`);
  expect(cardNow('C-TCSS')).toContain(`, typically done <!date^${seconds + 300}^`);
});
