/**
 * Thread replies whose task state did not change read for people (issue 15): the watch engine
 * end to end into the fake Slack (real SlackNotifier and web client), a real redis-server, the
 * cloud sandbox on the engine's manual clock. Such replies used to be titled
 * "🔄 Running → 🔄 Running": an item that failed inside a running task, and an ending by unwatch
 * or deadline. Now the state is said once, and the failed item is counted and named.
 */
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../../fakes/slack/fake-slack';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';

const BOT_TOKEN = 'xoxb-unchanged-state-test-0123456789-secret';
/** The watches' deadline, on the manual clock. */
const DEADLINE_MS = 600_000;

let redisServer: TestRedis;
let clock: ManualClock;
let slack: FakeSlack;
let sandbox: CloudSandbox;
let engine: WatchEngine;
let stopAll: () => Promise<void>;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  clock = new ManualClock(Date.now());
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  sandbox = await CloudSandbox.start({ clock });
  const prefix = uniqueQueueName('unchanged-state');
  const redis = createRedisConnection(redisServer.url);
  const registry = createProviderRegistry(
    { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
  );
  engine = createWatchEngine({
    connection: redisServer.url,
    prefix,
    providers: registry,
    notifiers: [createSlackNotifier({ apiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null })],
    watch: { ...TEST_WATCH_CONFIG, deadlineMs: DEADLINE_MS },
    role: 'all',
    now: () => clock.now(),
    deliverySpacingMs: { slack: 10 },
    tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 500 },
  });
  await engine.start();
  stopAll = async () => {
    await engine.stop();
    registry.close();
    await redis.quit().catch(() => redis.disconnect());
    await sandbox.stop();
    await slack.stop();
  };
});

afterAll(async () => {
  await stopAll?.();
  await redisServer?.stop();
});

/** Thread replies Slack accepted in a channel, oldest first. */
function repliesIn(channelId: string): RecordedCall[] {
  return slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['channel'] === channelId && call.body['thread_ts'] !== undefined);
}

/** The first section of a reply (its state line and what follows it), as a reader sees it. */
function stateLineOf(reply: RecordedCall): string {
  const blocks = reply.body['blocks'] as { text?: { text?: string } }[];
  return String(blocks[0]?.text?.text ?? '').split('\n')[0] ?? '';
}

function textOf(reply: RecordedCall): string {
  return `${String(reply.body['text'])}\n${JSON.stringify(reply.body['blocks'])}`;
}

async function queueDrained(): Promise<void> {
  await waitFor('notify queue drained', async () => {
    const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
    return counts !== undefined && Object.values(counts).every((count) => count === 0);
  });
}

async function cardShown(channelId: string, taskId: string): Promise<void> {
  await waitFor('the card', () => slack.callsOf('chat.postMessage').some((call) => call.answer?.['ok'] === true && call.body['channel'] === channelId && JSON.stringify(call.body).includes(taskId)));
}

test('given a CDN prefetch in which one of three URLs fails while the task still runs, then its one reply says "Still running" and "1 of 3 URLs failed: <the URL>", not "Running → Running"', async () => {
  const running = [{ afterMs: 0, status: 'process', percent: 10 }];
  const id = sandbox.addTask({
    kind: 'cdn',
    items: [
      { name: 'https://www.example.com/a.js', steps: running },
      { name: 'https://www.example.com/broken.js', steps: [...running, { afterMs: 30_000, status: 'fail', percent: 0 }] },
      { name: 'https://www.example.com/c.js', steps: running },
    ],
  });
  await engine.watch({ refs: [{ kind: 'cdn', id }], channel: { platform: 'slack', channelId: 'C-ITEM' }, requestedBy: 'U1' });
  await cardShown('C-ITEM', id);

  clock.advance(30_000);
  await waitFor('the reply about the URL', () => repliesIn('C-ITEM').length >= 1);
  await queueDrained();
  const replies = repliesIn('C-ITEM');
  expect(replies).toHaveLength(1);
  const reply = replies[0] as RecordedCall;
  expect(stateLineOf(reply)).toBe(`🔄 *Still running*  CDN prefetch \`${id}\``);
  expect(textOf(reply)).toContain('1 of 3 URLs failed: https://www.example.com/broken.js');
  expect(String(reply.body['text'])).toBe(`CDN prefetch ${id}: Still running; 1 of 3 URLs failed: https://www.example.com/broken.js`);
  expect(textOf(reply)).not.toMatch(/Running → |Running -&gt; /);
});

test('given a watch stopped on request while the task runs, then its ending reply shows the state once and why the watch ended', async () => {
  const id = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId: 'C-UNWATCH' }, requestedBy: 'U1' });
  await cardShown('C-UNWATCH', id);

  await engine.unwatch({ platform: 'slack', channelId: 'C-UNWATCH' }, [{ kind: 'redis', id, region: 'ap-guangzhou' }]);
  await waitFor('the ending reply', () => repliesIn('C-UNWATCH').length >= 1);
  await queueDrained();
  const [reply] = repliesIn('C-UNWATCH');
  expect(stateLineOf(reply as RecordedCall)).toMatch(/^🔄 \*Running\* {2}/);
  expect(textOf(reply as RecordedCall)).toContain('Watching stopped on request.');
  expect(textOf(reply as RecordedCall)).not.toMatch(/→|-&gt;/);
  expect(textOf(reply as RecordedCall).split('Running')).toHaveLength(3); // the state line and the fallback, once each
});

test('given a watch that reaches its deadline while the task runs, then its ending reply shows the state once and says the deadline ended it', async () => {
  const id = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId: 'C-DEADLINE' }, requestedBy: 'U1' });
  await cardShown('C-DEADLINE', id);

  clock.advance(DEADLINE_MS + 1000);
  await waitFor('the ending reply', () => repliesIn('C-DEADLINE').length >= 1);
  await queueDrained();
  const replies = repliesIn('C-DEADLINE');
  expect(replies).toHaveLength(1);
  expect(stateLineOf(replies[0] as RecordedCall)).toMatch(/^🔄 \*Running\* {2}/);
  expect(textOf(replies[0] as RecordedCall)).toMatch(/deadline/);
  expect(textOf(replies[0] as RecordedCall)).not.toMatch(/→|-&gt;/);
});
