/**
 * The Slack Watch button end to end: the real Slack adapter (Bolt over loopback) and the real
 * watch engine (real redis-server, real providers against the cloud sandbox on a manual clock,
 * the real Slack notifier) against the fake Slack. What is asserted is what Slack receives.
 */
import { WATCH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { WatchService } from '../../../src/jobs/watch-service';
import { createProviderRegistry } from '../../../src/providers/registry';
import type { RecordedCall } from '../../fakes/slack/fake-slack';
import { blockActionPayload, findButton, postInteraction, postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';
import { SIGNING_SECRET, startSlackHarness, textOfMessage, type SlackHarness } from '../slack/slack-harness';

const WAIT_MS = 20_000;
const CHANNEL = 'C0OPS';

let redisServer: TestRedis;
let harness: SlackHarness;
let engine: WatchEngine | null = null;
let closeRest: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  // The adapter needs the watch service at start, the engine needs the harness's sandbox: the
  // adapter gets a service that forwards to the engine once it exists.
  const forward: WatchService = {
    watch: (request) => (engine as WatchEngine).watch(request),
    unwatch: (channel, refs) => (engine as WatchEngine).unwatch(channel, refs),
    unwatchAll: (channel) => (engine as WatchEngine).unwatchAll(channel),
    list: (channel) => (engine as WatchEngine).list(channel),
  };
  harness = await startSlackHarness({ mode: 'http', watches: forward });
  const redis = createRedisConnection(redisServer.url);
  const prefix = uniqueQueueName('watch-button');
  const registry = createProviderRegistry(
    { accounts: sandboxAccountsWithRefused(harness.sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => harness.clock.now() },
  );
  const started = createWatchEngine({
    connection: redisServer.url,
    prefix,
    providers: registry,
    notifiers: [createSlackNotifier(harness.config)],
    watch: TEST_WATCH_CONFIG,
    role: 'all',
    now: () => harness.clock.now(),
    deliverySpacingMs: { slack: 20 },
    tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 500 },
  });
  await started.start();
  engine = started;
  closeRest = async () => {
    await started.stop();
    registry.close();
    await redis.quit().catch(() => redis.disconnect());
  };
});

afterAll(async () => {
  await closeRest();
  await harness?.stop();
  await redisServer?.stop();
});

/** Top-level messages (not thread replies) Slack accepted in the channel. */
function topLevel(calls: readonly RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => call.method === 'chat.postMessage' && call.answer?.['ok'] === true && call.body['channel'] === CHANNEL && call.body['thread_ts'] === undefined);
}

describe('the Slack Watch button on an answer listing several tasks', () => {
  test('given Watch pressed on a two-task answer, then each task gets its own card with its own thread, and the pressed answer is left as it was', async () => {
    const { slack, sandbox, clock } = harness;
    const ids = [1, 2].map((index) =>
      sandbox.addTask({
        kind: 'dcdn',
        items: [{ name: `http://example.com/${index}.png`, steps: [{ afterMs: 0, status: 'Refreshing', percent: 5 }, { afterMs: 1000, status: 'Complete', percent: 100 }] }],
      }),
    );
    await postSlashCommand(harness.eventsUrl, { text: `dcdn ${ids.join(' ')}`, response_url: slack.newResponseUrl(), channel_id: CHANNEL }, { signingSecret: SIGNING_SECRET });
    const answer = await slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(ids[1] as string), WAIT_MS);
    const answerTs = String(answer.answer?.['ts']);
    const button = findButton(answer.body['blocks'], WATCH_ACTION_ID);
    if (!button) throw new Error('the answer has no Watch button');

    const responseUrl = slack.newResponseUrl();
    await postInteraction(harness.eventsUrl, blockActionPayload({ button, channelId: CHANNEL, messageTs: answerTs, messageBlocks: answer.body['blocks'], responseUrl, userId: 'U0BOB' }), {
      signingSecret: SIGNING_SECRET,
    });
    const confirmation = await slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOfMessage(confirmation.body)).toContain('Watching 2 tasks');

    clock.advance(1000);
    const cardOf = (id: string): RecordedCall | undefined => topLevel(slack.calls).find((call) => call.sequence > answer.sequence && textOfMessage(call.body).includes(id));
    const lastShown = (card: RecordedCall): string => {
      const updates = slack.callsOf('chat.update').filter((call) => call.answer?.['ok'] === true && call.body['ts'] === card.answer?.['ts']);
      return String((updates[updates.length - 1] ?? card).body['text']);
    };
    await waitFor('both cards show their task complete', () => ids.every((id) => { const card = cardOf(id); return card !== undefined && /Succeeded/.test(lastShown(card)); }), WAIT_MS);

    const cards = ids.map((id) => cardOf(id) as RecordedCall);
    expect(new Set(cards.map((card) => card.answer?.['ts'])).size).toBe(2);
    for (const [index, card] of cards.entries()) {
      expect(lastShown(card)).toContain(ids[index] as string);
      expect(lastShown(card)).not.toContain(ids[1 - index] as string);
      const thread = slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['thread_ts'] === card.answer?.['ts']);
      expect(thread).toHaveLength(1);
      expect(textOfMessage(thread[0]?.body ?? {})).toContain(ids[index] as string);
    }
    // The answer still lists both tasks, with its buttons: no delivery edited it.
    expect(slack.callsOf('chat.update').filter((call) => call.body['ts'] === answerTs)).toEqual([]);
  });
});

describe('the Slack Watch button on an answer about one task', () => {
  test('given Watch pressed, then that message is edited at once to its card with the checked state, and its thread stays empty', async () => {
    const { slack, sandbox } = harness;
    const id = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/one-checked.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
    await postSlashCommand(harness.eventsUrl, { text: `dcdn ${id}`, response_url: slack.newResponseUrl(), channel_id: CHANNEL }, { signingSecret: SIGNING_SECRET });
    const answer = await slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(id), WAIT_MS);
    const answerTs = String(answer.answer?.['ts']);
    const button = findButton(answer.body['blocks'], WATCH_ACTION_ID);
    if (!button) throw new Error('the answer has no Watch button');
    const checks = (): number => sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById').length;
    const checksBefore = checks();

    const responseUrl = slack.newResponseUrl();
    await postInteraction(harness.eventsUrl, blockActionPayload({ button, channelId: CHANNEL, messageTs: answerTs, messageBlocks: answer.body['blocks'], responseUrl, userId: 'U0BOB' }), {
      signingSecret: SIGNING_SECRET,
    });
    const edits = (): RecordedCall[] => slack.callsOf('chat.update').filter((call) => call.answer?.['ok'] === true && call.body['ts'] === answerTs);
    await waitFor('the answer edited to a card', () => edits().length > 0, WAIT_MS);
    // The watch checked the task itself before drawing the card.
    expect(checks()).toBeGreaterThan(checksBefore);
    const first = edits()[0] as RecordedCall;
    expect(String(first.body['text'])).toBe(`DCDN refresh ${id}: Pending (Pending)`);
    expect(JSON.stringify(first.body['blocks'])).toContain('Watching since');

    const before = checks();
    await waitFor('a regular check after the first', () => checks() > before, WAIT_MS);
    await waitFor('notify queue drained', async () => {
      const counts = await (engine as WatchEngine).queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, WAIT_MS);
    for (const edit of edits()) expect(JSON.stringify(edit.body)).not.toMatch(/Unknown|no status|Waiting for the first check/);
    expect(slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] === answerTs)).toEqual([]);
    await (engine as WatchEngine).unwatchAll({ platform: 'slack', channelId: CHANNEL });
  });
});
