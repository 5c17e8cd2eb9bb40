/**
 * The watch engine end to end into Slack: the real SlackNotifier and web client against the
 * fake Slack Web API, a real redis-server, real providers and SDKs against the cloud sandbox
 * on a manual clock. What is asserted is what Slack receives on the wire.
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
import type { WatchConfig } from '../../../src/config';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';

const BOT_TOKEN = 'xoxb-watch-slack-test-0123456789-secret';

let redisServer: TestRedis;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
});

afterAll(async () => {
  await redisServer?.stop();
});

interface World {
  readonly slack: FakeSlack;
  readonly sandbox: CloudSandbox;
  readonly clock: ManualClock;
  readonly engine: WatchEngine;
  /** Every line any logger wrote. */
  readonly logs: string[];
  stop(): Promise<void>;
}

async function startWorld(watch: Partial<WatchConfig> = {}): Promise<World> {
  const clock = new ManualClock();
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const sandbox = await CloudSandbox.start({ clock });
  const prefix = uniqueQueueName('watch-slack');
  const logs: string[] = [];
  const capture = (...parts: unknown[]): void => {
    logs.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
  };
  const logger = { info: capture, warn: capture, error: capture, debug: capture };
  const redis = createRedisConnection(redisServer.url);
  const registry = createProviderRegistry(
    { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
    { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
  );
  const notifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: null, appToken: null }, logger);
  const engine = createWatchEngine({
    connection: redisServer.url,
    prefix,
    providers: registry,
    notifiers: [notifier],
    watch: { ...TEST_WATCH_CONFIG, ...watch },
    role: 'all',
    now: () => clock.now(),
    logger,
    deliverySpacingMs: { slack: 20 },
    tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 500 },
  });
  await engine.start();
  return {
    slack,
    sandbox,
    clock,
    engine,
    logs,
    stop: async () => {
      await engine.stop();
      registry.close();
      await redis.quit().catch(() => redis.disconnect());
      await sandbox.stop();
      await slack.stop();
    },
  };
}

/** Polls `check` until it is true, or fails after `timeoutMs`. */
/** Thread replies Slack accepted (chat.postMessage with thread_ts) in a channel, oldest first. */
function repliesIn(slack: FakeSlack, channel: string): RecordedCall[] {
  return slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['channel'] === channel && typeof call.body['thread_ts'] === 'string');
}

/** The card (top-level message) posted in a channel. */
function cardIn(slack: FakeSlack, channel: string): RecordedCall | undefined {
  return slack.callsOf('chat.postMessage').find((call) => call.answer?.['ok'] === true && call.body['channel'] === channel && call.body['thread_ts'] === undefined);
}

/** The text a card shows now: its last successful chat.update, or the post itself. */
function cardText(slack: FakeSlack, channel: string): string {
  const card = cardIn(slack, channel);
  if (!card) return '';
  const ts = card.answer?.['ts'];
  const updates = slack.callsOf('chat.update').filter((call) => call.answer?.['ok'] === true && call.body['channel'] === channel && call.body['ts'] === ts);
  return String((updates[updates.length - 1] ?? card).body['text'] ?? '');
}

function everything(slack: FakeSlack, call: RecordedCall): string {
  return `${call.rawBody}${JSON.stringify(call.body)}${slack.messages.size}`;
}

/** A Redis task: preparing, then running after 30 s, then `finalStatus` after 60 s (sandbox clock). */
function plantRedisTask(sandbox: CloudSandbox, finalStatus: 'succeed' | 'failed'): string {
  return sandbox.addTask({
    kind: 'redis',
    region: 'ap-guangzhou',
    steps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: 30_000, status: 'running' },
      { afterMs: 60_000, status: finalStatus, message: finalStatus === 'failed' ? 'instance is locked' : '' },
    ],
  });
}

describe('watching into Slack', () => {
  let world: World;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    await world?.stop();
  });

  /** The latest body the card of a channel carries, as JSON (its post or its last edit). */
  const latestCardJson = (slack: FakeSlack, channel: string): string => {
    const card = cardIn(slack, channel);
    if (!card) return '';
    const updates = slack.callsOf('chat.update').filter((call) => call.answer?.['ok'] === true && call.body['channel'] === channel && call.body['ts'] === card.answer?.['ts']);
    return JSON.stringify((updates[updates.length - 1] ?? card).body);
  };

  test('given a DCDN refresh whose progress alone moves (30% -> 70%), then the card is edited to it and the thread hears only the ending', async () => {
    const { slack, sandbox, clock, engine } = world;
    const steps = [
      { afterMs: 0, status: 'Refreshing', percent: 30 },
      { afterMs: 30_000, status: 'Refreshing', percent: 70 },
      { afterMs: 60_000, status: 'Complete', percent: 100 },
    ];
    const id = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/progress.png', steps }] });
    await engine.watch({ refs: [{ kind: 'dcdn', id }], channel: { platform: 'slack', channelId: 'C-PROGRESS' }, requestedBy: 'U1' });
    await waitFor('card at 30%', () => latestCardJson(slack, 'C-PROGRESS').includes('30%'), 20_000);
    clock.advance(30_000);
    await waitFor('card at 70%', () => latestCardJson(slack, 'C-PROGRESS').includes('70%'), 20_000);
    expect(repliesIn(slack, 'C-PROGRESS')).toHaveLength(0);
    clock.advance(30_000);
    await waitFor('the ending reply', () => repliesIn(slack, 'C-PROGRESS').length >= 1, 20_000);
    await waitFor('notify queue drained', async () => {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, 20_000);
    const replies = repliesIn(slack, 'C-PROGRESS');
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.body['text'])).toMatch(/Succeeded/);
  });

  test('given a CDN prefetch in which one URL fails while the other still runs, then one thread reply names the failed URL', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/ok.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 30_000, status: 'process', percent: 60 }] },
        { name: 'https://www.example.com/broken.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 30_000, status: 'fail', percent: 0 }] },
      ],
    });
    await engine.watch({ refs: [{ kind: 'cdn', id }], channel: { platform: 'slack', channelId: 'C-ITEMS' }, requestedBy: 'U1' });
    await waitFor('card running', () => /Running/i.test(cardText(slack, 'C-ITEMS')), 20_000);
    clock.advance(30_000);
    await waitFor('a reply about the failed URL', () => repliesIn(slack, 'C-ITEMS').length >= 1, 20_000);
    await waitFor('notify queue drained', async () => {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, 20_000);
    const replies = repliesIn(slack, 'C-ITEMS');
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]?.body)).toContain('https://www.example.com/broken.js');
  });

  test('given a task going pending -> running -> succeeded, then each transition is one thread reply, the card ends succeeded, the duration closes the thread, and no token leaks', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = plantRedisTask(sandbox, 'succeed');
    const [summary] = await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-ONE' }, requestedBy: 'U1' });
    const cardTs = summary?.cardMessageId;
    expect(cardTs).toBeTruthy();

    await waitFor('card pending', () => /Pending/i.test(cardText(slack, 'C-ONE')), 20_000);
    clock.advance(30_000);
    await waitFor('running reply', () => repliesIn(slack, 'C-ONE').length >= 1, 20_000);
    clock.advance(30_000);
    await waitFor('card ends succeeded', () => /Succeeded/i.test(cardText(slack, 'C-ONE')) && repliesIn(slack, 'C-ONE').length >= 2, 20_000);
    await waitFor('notify queue drained', async () => {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, 20_000);

    const replies = repliesIn(slack, 'C-ONE');
    expect(replies).toHaveLength(2);
    expect(replies.every((reply) => reply.body['thread_ts'] === cardTs)).toBe(true);
    expect(String(replies[0]?.body['text'])).toMatch(/Pending -&gt; Running/);
    expect(String(replies[1]?.body['text'])).toMatch(/Running -&gt; Succeeded/);
    expect(replies.map((reply) => String(reply.body['reply_broadcast']))).toEqual(['false', 'false']);
    // The total duration is said once, at the end.
    expect(JSON.stringify(replies[1]?.body['blocks'])).toContain('Total duration: 1m');
    expect(JSON.stringify(replies[0]?.body['blocks'])).not.toContain('Total duration');
    const updates = slack.callsOf('chat.update').filter((call) => call.body['ts'] === cardTs);
    expect(String(updates[updates.length - 1]?.body['text'])).toMatch(/Succeeded/i);
    expect(JSON.stringify(updates[updates.length - 1]?.body['blocks'])).not.toMatch(/next check/);

    for (const call of slack.calls) {
      expect(call.headers['authorization']).toBe(`Bearer ${BOT_TOKEN}`);
      expect(everything(slack, call)).not.toContain(BOT_TOKEN);
    }
    expect(world.logs.join('\n')).not.toContain(BOT_TOKEN);
  });

  test('given a Slack 429 with Retry-After on one channel, then only that channel waits: the other hears every change meanwhile, and the held one gets one catch-up reply', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = plantRedisTask(sandbox, 'succeed');
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-HELD' }, requestedBy: 'U1' });
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-FREE' }, requestedBy: 'U2' });
    await waitFor('both cards pending', () => /Pending/i.test(cardText(slack, 'C-HELD')) && /Pending/i.test(cardText(slack, 'C-FREE')), 20_000);

    slack.rateLimit({ method: 'chat.postMessage', channel: 'C-HELD' }, 1_000, 1);
    clock.advance(30_000);
    await waitFor('C-FREE hears running', () => repliesIn(slack, 'C-FREE').length >= 1, 20_000);
    clock.advance(30_000);
    await waitFor('C-FREE hears succeeded', () => repliesIn(slack, 'C-FREE').length >= 2, 20_000);
    const refused = slack.callsOf('chat.postMessage').filter((call) => call.status === 429 && call.body['channel'] === 'C-HELD');
    expect(refused.length).toBeGreaterThan(0);
    expect(repliesIn(slack, 'C-HELD')).toEqual([]);
    const freeDone = repliesIn(slack, 'C-FREE')[1]?.sequence ?? Number.POSITIVE_INFINITY;

    slack.clearRules();
    await waitFor('C-HELD catches up', () => repliesIn(slack, 'C-HELD').length >= 1 && /Succeeded/i.test(cardText(slack, 'C-HELD')), 20_000);
    await waitFor('notify queue drained', async () => {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, 20_000);

    const held = repliesIn(slack, 'C-HELD');
    expect(held).toHaveLength(1);
    expect(held[0]?.sequence).toBeGreaterThan(freeDone);
    expect(String(held[0]?.body['text'])).toMatch(/Pending -&gt; Succeeded/);
    expect(JSON.stringify(held[0]?.body['blocks'])).toMatch(/Passed through: Running/);
    expect(repliesIn(slack, 'C-FREE')).toHaveLength(2);
    // Every attempt on the held channel was refused but the one catch-up: nothing slipped past the 429.
    const attempts = slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === 'C-HELD' && typeof call.body['thread_ts'] === 'string');
    expect(attempts.length).toBeLessThanOrEqual(refused.length + 1);
  });

  test('given a task that fails, then the failure is broadcast to the channel with its duration', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = plantRedisTask(sandbox, 'failed');
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-ONE' }, requestedBy: 'U1' });
    await waitFor('card pending', () => /Pending/i.test(cardText(slack, 'C-ONE')), 20_000);
    clock.advance(30_000);
    await waitFor('running reply', () => repliesIn(slack, 'C-ONE').length >= 1, 20_000);
    clock.advance(30_000);
    await waitFor('failure reply', () => repliesIn(slack, 'C-ONE').length >= 2 && /Failed/i.test(cardText(slack, 'C-ONE')), 20_000);

    const [running, failed] = repliesIn(slack, 'C-ONE');
    expect(String(running?.body['reply_broadcast'])).toBe('false');
    expect(String(failed?.body['reply_broadcast'])).toBe('true');
    expect(String(failed?.body['text'])).toMatch(/Running -&gt; Failed/);
    expect(JSON.stringify(failed?.body['blocks'])).toContain('Total duration: 1m');
    for (const call of slack.calls) expect(everything(slack, call)).not.toContain(BOT_TOKEN);
    expect(world.logs.join('\n')).not.toContain(BOT_TOKEN);
  });
});

describe('watching into Slack while a channel is down', () => {
  let world: World;

  beforeEach(async () => {
    // The retry schedule in milliseconds instead of seconds, so that an outage runs in seconds.
    world = await startWorld({ deliveryRetryMs: 5, deliveryRetryMaxMs: 50 });
  });

  afterEach(async () => {
    await world?.stop();
  });

  const drained = async (engine: WatchEngine): Promise<void> => {
    await waitFor('notify queue drained', async () => {
      const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    }, 20_000);
  };

  const callsTo = (slack: FakeSlack, channel: string): RecordedCall[] => slack.calls.filter((call) => call.body['channel'] === channel);

  test('given Slack answering 503 to one channel for longer than the old retry schedule, then once it recovers every change is told once, its card shows the final state, and the other channel was served throughout', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = plantRedisTask(sandbox, 'succeed');
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-DOWN' }, requestedBy: 'U1' });
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-UP' }, requestedBy: 'U2' });
    await waitFor('both cards pending', () => /Pending/i.test(cardText(slack, 'C-DOWN')) && /Pending/i.test(cardText(slack, 'C-UP')), 20_000);

    slack.fail({ channel: 'C-DOWN' }, { status: 503 });
    clock.advance(30_000);
    await waitFor('C-UP hears running', () => repliesIn(slack, 'C-UP').length >= 1, 20_000);
    clock.advance(30_000);
    await waitFor('C-UP hears succeeded', () => repliesIn(slack, 'C-UP').length >= 2 && /Succeeded/i.test(cardText(slack, 'C-UP')), 20_000);
    // The old schedule tried each of the two changes 10 times, then dropped it: outlast that.
    await waitFor('more refusals than the old schedule made', () => callsTo(slack, 'C-DOWN').filter((call) => call.status === 503).length > 25, 20_000);
    const healed = slack.mark('C-DOWN recovers');
    slack.clearRules();

    await waitFor('C-DOWN catches up', () => repliesIn(slack, 'C-DOWN').length >= 1 && /Succeeded/i.test(cardText(slack, 'C-DOWN')), 20_000);
    await drained(engine);
    const caughtUp = repliesIn(slack, 'C-DOWN');
    expect(caughtUp).toHaveLength(1);
    expect(String(caughtUp[0]?.body['text'])).toMatch(/Pending -&gt; Succeeded/);
    expect(JSON.stringify(caughtUp[0]?.body['blocks'])).toMatch(/Passed through: Running/);
    const up = repliesIn(slack, 'C-UP');
    expect(up).toHaveLength(2);
    expect(up.every((reply) => reply.sequence < healed)).toBe(true);
    expect(await engine.list({ platform: 'slack', channelId: 'C-DOWN' })).toEqual([]);
    expect(world.logs.filter((line) => line.includes('chat channel unreachable'))).toHaveLength(1);
  });

  test('given a channel archived while watched, then its watch ends quietly, logged once, and nothing more is sent there', async () => {
    const { slack, sandbox, clock, engine } = world;
    const id = plantRedisTask(sandbox, 'succeed');
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-GONE' }, requestedBy: 'U1' });
    await engine.watch({ refs: [{ kind: 'redis', id }], channel: { platform: 'slack', channelId: 'C-UP' }, requestedBy: 'U2' });
    await waitFor('both cards pending', () => /Pending/i.test(cardText(slack, 'C-GONE')) && /Pending/i.test(cardText(slack, 'C-UP')), 20_000);

    slack.fail({ channel: 'C-GONE' }, { error: 'is_archived' });
    clock.advance(30_000);
    await waitFor('C-UP hears running', () => repliesIn(slack, 'C-UP').length >= 1, 20_000);
    await waitFor('the archived channel has no watch left', async () => (await engine.list({ platform: 'slack', channelId: 'C-GONE' })).length === 0, 20_000);
    const triedThere = callsTo(slack, 'C-GONE').length;

    clock.advance(30_000);
    await waitFor('C-UP hears succeeded', () => repliesIn(slack, 'C-UP').length >= 2 && /Succeeded/i.test(cardText(slack, 'C-UP')), 20_000);
    await drained(engine);
    expect(callsTo(slack, 'C-GONE')).toHaveLength(triedThere);
    expect(repliesIn(slack, 'C-GONE')).toEqual([]);
    expect(world.logs.filter((line) => line.includes('gone for good'))).toHaveLength(1);
  });
});
