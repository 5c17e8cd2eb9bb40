/**
 * What a Slack channel sees of a watch (issue 15), end to end: the real Slack adapter (Bolt over
 * loopback) and the real Slack notifier against the fake Slack, the real watch and subscription
 * engines on a real redis-server, the real providers against the cloud sandbox on a manual
 * clock. Asserted is what Slack receives: a card's first post shows the checked state (or why
 * there is none), `progress=thread` puts each step in the thread, and a mute ends in one summary
 * that gives every task its latest state. Progress alone and item failures are covered in
 * `watch-slack.test.ts`.
 */
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import type { WatchService } from '../../../src/jobs/watch-service';
import type { RecordedCall } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { SIGNING_SECRET, startSlackHarness, textOfMessage, type SlackHarness } from '../slack/slack-harness';
import { startStack, type TestStack } from '../subscriptions/subscription-setup';

const WAIT_MS = 20_000;

let redisServer: TestRedis;
let harness: SlackHarness;
let stack: TestStack | null = null;
let prefix: string;
let channelCount = 0;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  // The adapter needs the watch service at start, the engine needs the harness's sandbox: the
  // adapter gets a service that forwards to the engine once it exists.
  const engine = (): WatchService => (stack as TestStack).engine;
  const forward: WatchService = {
    watch: (request) => engine().watch(request),
    unwatch: (channel, refs) => engine().unwatch(channel, refs),
    unwatchAll: (channel) => engine().unwatchAll(channel),
    list: (channel) => engine().list(channel),
  };
  harness = await startSlackHarness({ mode: 'http', watches: forward });
  prefix = uniqueQueueName('slack-channel');
  stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: harness.sandbox.url, notifier: createSlackNotifier(harness.config), now: () => harness.clock.now() });
});

afterAll(async () => {
  await stack?.stop();
  await harness?.stop();
  await redisServer?.stop();
});

/** A channel of its own for each test; its watches end with the test (see afterEach). */
function newChannel(): string {
  channelCount += 1;
  return `C0EXP${channelCount}`;
}

afterEach(async () => {
  // Ended, so that a later test's injected fault meets its own calls, not an earlier watch's poll.
  for (let index = 1; index <= channelCount; index += 1) await (stack as TestStack).engine.unwatchAll({ platform: 'slack', channelId: `C0EXP${index}` });
});

/** Top-level messages (cards, summaries) Slack accepted in a channel, oldest first. */
function topLevel(channel: string): RecordedCall[] {
  return harness.slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['channel'] === channel && call.body['thread_ts'] === undefined);
}

function cardOf(channel: string, taskId: string): RecordedCall | undefined {
  return topLevel(channel).find((call) => textOfMessage(call.body).includes(taskId));
}

/** Thread replies Slack accepted under a card. */
function threadOf(card: RecordedCall): RecordedCall[] {
  return harness.slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['thread_ts'] === card.answer?.['ts']);
}

/** The text a card shows now: its last accepted edit, or the post itself. */
function shownBy(card: RecordedCall): string {
  const edits = harness.slack.callsOf('chat.update').filter((call) => call.answer?.['ok'] === true && call.body['ts'] === card.answer?.['ts']);
  return String((edits[edits.length - 1] ?? card).body['text']);
}

async function queueDrained(): Promise<void> {
  await waitFor('notify queue drained', async () => {
    const counts = await (stack as TestStack).engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
    return counts !== undefined && Object.values(counts).every((count) => count === 0);
  }, WAIT_MS);
}

async function slashCommand(channel: string, text: string): Promise<void> {
  await postSlashCommand(harness.eventsUrl, { text, response_url: harness.slack.newResponseUrl(), channel_id: channel }, { signingSecret: SIGNING_SECRET });
}

describe('Slack cards and threads', () => {
  test('given /task-status watch, then the card is first posted with the checked state, never a placeholder, and no reply follows the check', async () => {
    const channel = newChannel();
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/first.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
    await slashCommand(channel, `watch dcdn ${id}`);
    const card = await waitFor('the card', () => cardOf(channel, id), WAIT_MS);
    expect(String(card.body['text'])).toBe(`DCDN refresh ${id}: Pending (Pending)`);
    expect(JSON.stringify(card.body)).not.toMatch(/Unknown|no status|Waiting for the first check/);
    const checks = (): number => harness.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById').length;
    await waitFor('the first poll after the check', () => checks() >= 2, WAIT_MS);
    await queueDrained();
    expect(threadOf(card)).toEqual([]);
  });

  test('given the cloud throttling the check before the card, then the card says so, and the first poll edits it to the state with no reply', async () => {
    const channel = newChannel();
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/throttled.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
    harness.sandbox.injectFault({ cloud: 'alibaba', action: 'DescribeDcdnRefreshTaskById', type: 'throttle', count: 1 });
    await slashCommand(channel, `watch dcdn ${id}`);
    const card = await waitFor('the card', () => cardOf(channel, id), WAIT_MS);
    expect(String(card.body['text'])).toMatch(new RegExp(`^DCDN refresh ${id}: Not checked yet: The cloud API is throttling requests`));
    expect(JSON.stringify(card.body)).not.toMatch(/Unknown|no status/);
    await waitFor('card edited to Pending', () => /: Pending \(Pending\)$/.test(shownBy(card)), WAIT_MS);
    await queueDrained();
    expect(threadOf(card)).toEqual([]);
  });

  test('given /task-status watch ... progress=thread, then each progress step is a thread reply, and the ending too', async () => {
    const channel = newChannel();
    const steps = [
      { afterMs: 0, status: 'Refreshing', percent: 30 },
      { afterMs: 1000, status: 'Refreshing', percent: 70 },
      { afterMs: 2000, status: 'Complete', percent: 100 },
    ];
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/every-step.png', steps }] });
    await slashCommand(channel, `watch dcdn ${id} progress=thread`);
    const card = await waitFor('the card', () => cardOf(channel, id), WAIT_MS);
    expect(JSON.stringify(card.body)).toContain('30%');
    harness.clock.advance(1000);
    await waitFor('a progress reply', () => threadOf(card).length >= 1, WAIT_MS);
    harness.clock.advance(1000);
    await waitFor('the ending', () => threadOf(card).length >= 2, WAIT_MS);
    await queueDrained();
    const replies = threadOf(card).map((call) => JSON.stringify(call.body));
    expect(replies).toHaveLength(2);
    expect(replies[0]).toContain('70%');
    expect(replies[1]).toMatch(/Succeeded/);
  });
});

describe('Slack and a mute', () => {
  test('given a mute in which a subscription found a TCSS refresh that started and finished, and a watched task changed, then one summary names both with their latest states and nothing else is posted', async () => {
    const running = stack as TestStack;
    const channelId = newChannel();
    const channel = { platform: 'slack' as const, channelId };
    const watched = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/w.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }, { afterMs: 1000, status: 'Refreshing', percent: 50 }] }] });
    await running.engine.watch({ refs: [{ kind: 'dcdn', id: watched }], channel, requestedBy: 'U1' });
    const card = cardOf(channelId, watched) as RecordedCall;
    expect(String(card.body['text'])).toMatch(/Pending/);
    const tcssCalls = (): number => harness.sandbox.calls.filter((call) => call.action === 'DescribeUnfinishRefreshTask').length;
    const before = tcssCalls();
    await running.subscriptions.subscribe({ channel, kind: 'tcss', requestedBy: 'U1' });
    await waitFor('the subscription looked once', () => tcssCalls() > before, WAIT_MS);
    await running.subscriptions.mute(channel, 3_600_000, 'U1');
    const postsBefore = topLevel(channelId).length;

    const refresh = harness.sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }, { afterMs: 1000, status: 'Task_Finish' }] });
    await waitFor('the refresh noted while muted', async () => (await running.redis.llen(`${prefix}:tw:sub:held-new:slack:${channelId}`)) === 1, WAIT_MS);
    harness.clock.advance(1000);
    await waitFor('the watched change held', async () => (await running.redis.scard(`${prefix}:tw:sub:held-watches:slack:${channelId}`)) >= 1, WAIT_MS);
    expect(topLevel(channelId)).toHaveLength(postsBefore);

    await running.subscriptions.unmute(channel);
    await waitFor('the summary', () => topLevel(channelId).length > postsBefore, WAIT_MS);
    await waitFor('the watched card edited to Running', () => /Running/.test(shownBy(card)), WAIT_MS);
    await waitFor('the release finished', async () => (await running.subscriptions.muteState(channel)) === null, WAIT_MS);
    await queueDrained();

    const after = topLevel(channelId).slice(postsBefore);
    expect(after).toHaveLength(1);
    const summary = JSON.stringify(after[0]?.body);
    expect(summary).toContain(`New tcss task ${refresh}: succeeded`);
    expect(summary).toContain(`dcdn ${watched}: pending -&gt; running`);
    // Nothing else about either task: no card for the refresh, no reply under the watched card.
    expect(cardOf(channelId, refresh)).toBe(after[0]);
    expect(threadOf(card)).toEqual([]);
  });
});
