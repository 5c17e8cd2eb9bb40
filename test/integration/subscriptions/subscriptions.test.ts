/**
 * Channel subscriptions end to end on a real redis-server: the CDN and TCSS APIs of the cloud
 * sandbox (manual clock) through the real providers, BullMQ sweeps, the watch engine posting
 * cards, and mutes holding deliveries.
 */
import type Redis from 'ioredis';
import { EVENTS_KEPT } from '../../../src/jobs/queue-options';
import { subscriptionGroupIdOf } from '../../../src/jobs/subscriptions/subscription-records';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { muteSummaryText } from '../../../src/chat/render/mute-summary-text';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { MemoryNotifier, startStack, waitFor, type TestStack } from './subscription-setup';
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { startFakeSlack } from '../../fakes/slack/fake-slack';

const CHANNEL = { platform: 'slack', channelId: 'C-SUB' } as const;
const CDN_GROUP = subscriptionGroupIdOf({ kind: 'cdn', account: 'default', region: null });

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

describe('subscriptions', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let prefix: string;
  let notifier: MemoryNotifier;
  let stack: TestStack | null;

  const start = async (): Promise<TestStack> => {
    stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier, now: () => clock.now() });
    return stack;
  };

  /** Resolves once a complete CDN sweep has listed up to the current clock. */
  const sweptToNow = async (): Promise<void> => {
    const target = clock.now();
    await waitFor(`a sweep up to ${target}`, async () => Number((await redis.get(`${prefix}:tw:sub:cursor:${CDN_GROUP}`)) ?? 0) >= target);
    // One more complete sweep, so that whatever that one found has been handed over.
    const after = Number(await redis.get(`${prefix}:tw:sub:cursor:${CDN_GROUP}`));
    clock.advance(1);
    await waitFor('one more sweep', async () => Number((await redis.get(`${prefix}:tw:sub:cursor:${CDN_GROUP}`)) ?? 0) > after);
  };

  const plantCdn = (url: string, createdAt: number, status = 'process'): string =>
    sandbox.addTask({ kind: 'cdn', createdAt, items: [{ name: url, steps: [{ afterMs: 0, status, percent: status === 'process' ? 0 : 100 }] }] });

  beforeEach(async () => {
    clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock });
    prefix = uniqueQueueName('subs');
    notifier = new MemoryNotifier();
    stack = null;
  });

  afterEach(async () => {
    await stack?.stop();
    await sandbox?.stop();
  });

  test('given a CDN subscription with a domain, then new matching tasks get one card each, one at a window edge included, and others are ignored', async () => {
    const running = await start();
    const subscribed = await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', domain: 'www.example.com', requestedBy: 'U1' });
    expect(subscribed.number).toBe(1);
    const before = plantCdn('https://www.example.com/old.js', clock.now() - 5000);

    clock.advance(1000);
    const matching = plantCdn('https://WWW.example.com/app.js', clock.now());
    const otherHost = plantCdn('https://static.example.org/app.js', clock.now());
    clock.advance(1000);
    await waitFor('card of the matching task', () => notifier.of({ type: 'card', taskId: matching }).length === 1);

    // A task that appears late, created exactly at the end of the window already listed.
    await sweptToNow();
    const edge = clock.now() - 1;
    const atEdge = plantCdn('https://www.example.com/edge.css', edge);
    clock.advance(2000);
    const later = plantCdn('https://www.example.com/later.css', clock.now());
    await waitFor('cards of the edge and later tasks', () => notifier.of({ type: 'card', taskId: atEdge }).length === 1 && notifier.of({ type: 'card', taskId: later }).length === 1);
    await sweptToNow();
    await sweptToNow();

    const cards = notifier.of({ type: 'card', channel: 'slack:C-SUB' }).map((event) => event.taskId);
    expect(cards.sort()).toEqual([matching, atEdge, later].sort());
    expect(cards).not.toContain(otherHost);
    expect(cards).not.toContain(before);
    const watches = await running.engine.list(CHANNEL);
    expect(watches.map((watch) => watch.ref.id).sort()).toEqual([matching, atEdge, later].sort());
    // Listing goes by time window, not one call per task.
    const listings = sandbox.calls.filter((call) => call.action === 'DescribePushTasks' && call.params['StartTime'] !== undefined);
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((call) => call.params['Limit'] === 100 && typeof call.params['Offset'] === 'number')).toBe(true);
  });

  test('given a CDN task already finished when the subscription finds it, then its card is first posted with its final state, and its watch ends with one reply', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', requestedBy: 'U1' });
    clock.advance(1000);
    const done = plantCdn('https://www.example.com/done.js', clock.now(), 'done');
    const [card] = await waitFor('its card', () => (notifier.of({ type: 'card', taskId: done }).length > 0 ? notifier.of({ type: 'card', taskId: done }) : null));
    expect(card?.state).toBe('succeeded');
    await waitFor('its watch ended', () => notifier.of({ type: 'reply', taskId: done, endReason: 'terminal' }).length > 0);
    await sweptToNow();
    expect(notifier.of({ type: 'card', taskId: done })).toHaveLength(1);
    expect(notifier.of({ type: 'reply', taskId: done })).toHaveLength(1);
    expect(notifier.events.filter((event) => event.taskId === done).every((event) => event.state !== 'unknown')).toBe(true);
  });

  test('given a status filter, then a task that fails after it was listed is announced once, and a succeeding one never', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', statuses: ['fail', 'invalid'], requestedBy: 'U1' });
    clock.advance(1000);
    const failing = sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://a.example.com/x', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 120_000, status: 'fail' }] }] });
    const succeeding = sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://a.example.com/y', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 120_000, status: 'done' }] }] });
    clock.advance(1000);
    await sweptToNow();
    expect(notifier.of({ type: 'card' })).toEqual([]);
    clock.advance(180_000);
    await waitFor('card of the failed task', () => notifier.of({ type: 'card', taskId: failing }).length === 1);
    await sweptToNow();
    expect(notifier.of({ type: 'card' }).map((event) => event.taskId)).toEqual([failing]);
    expect(notifier.of({ type: 'card', taskId: succeeding })).toEqual([]);
  });

  test('given a TCSS subscription, then a new refresh is reported from start to finish', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'tcss', requestedBy: 'U1' });
    // The first sweep finds no task: the API answers Task_NoExist.
    await waitFor('a TCSS call', () => sandbox.calls.some((call) => call.action === 'DescribeUnfinishRefreshTask'));
    const id = sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_New' }, { afterMs: 1000, status: 'Task_Running' }, { afterMs: 2000, status: 'Task_Finish' }] });
    await waitFor('card of the refresh', () => notifier.of({ type: 'card', taskId: id }).length === 1);
    await waitFor('card shows pending', () => notifier.of({ type: 'card', taskId: id, state: 'pending' }).length > 0);
    clock.advance(1000);
    await waitFor('running reply', () => notifier.of({ type: 'reply', taskId: id, state: 'running' }).length > 0);
    clock.advance(1000);
    await waitFor('finished reply', () => notifier.of({ type: 'reply', taskId: id, state: 'succeeded', endReason: 'terminal' }).length > 0);
    expect(notifier.of({ type: 'reply', taskId: id }).map((event) => event.state)).toEqual(['running', 'succeeded']);
    expect(notifier.of({ type: 'card' })).toHaveLength(1);
  });

  test('given a muted channel, then nothing is posted while muted and unmute posts exactly one summary of what happened', async () => {
    const running = await start();
    const redisTask = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 1000, status: 'running' }, { afterMs: 2000, status: 'succeed' }] });
    await running.engine.watch({ refs: [{ kind: 'redis', id: redisTask }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', () => notifier.of({ type: 'card', taskId: redisTask, state: 'pending' }).length > 0);
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', requestedBy: 'U1' });

    const mute = await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
    expect(Date.parse(mute.until)).toBe(clock.now() + 3_600_000);
    const postedBefore = notifier.events.length;
    clock.advance(1000);
    const cdnTask = plantCdn('https://www.example.com/while-muted.js', clock.now());
    clock.advance(1000);
    await waitFor('the watch ended while muted', async () => (await running.engine.list(CHANNEL)).length === 0);
    await waitFor('the new task noted', async () => (await redis.llen(`${prefix}:tw:sub:held-new:slack:C-SUB`)) === 1);
    await waitFor('the delivery held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SUB`)) >= 1);
    expect(notifier.events.slice(postedBefore)).toEqual([]);

    const outcome = await running.subscriptions.unmute(CHANNEL);
    expect(outcome).toEqual({ wasMuted: true, heldCount: 2 });
    const [summary] = await waitFor('summary', () => (notifier.of({ type: 'summary' }).length > 0 ? notifier.of({ type: 'summary' }) : null));
    await waitFor('card edited to the end', () => notifier.of({ type: 'update', taskId: redisTask, endReason: 'terminal' }).length > 0);
    await sweptToNow();

    expect(notifier.of({ type: 'summary' })).toHaveLength(1);
    const lines = summary?.summary ? muteSummaryText(summary.summary).lines : [];
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes(redisTask))).toMatch(/pending -> succeeded .*terminal/);
    expect(lines.find((line) => line.includes(cdnTask))).toMatch(/^New cdn task/);
    // The summary told the changes: no thread reply, and the muted-time task got no card.
    expect(notifier.of({ type: 'reply' })).toEqual([]);
    expect(notifier.of({ type: 'card', taskId: cdnTask })).toEqual([]);
    expect(await running.subscriptions.muteState(CHANNEL)).toBeNull();
    expect(await running.subscriptions.unmute(CHANNEL)).toEqual({ wasMuted: false, heldCount: 0 });
  });

  test('given a mute in which a purge subscription found a purge that then finished, then the one summary gives its latest state', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'purge', requestedBy: 'U1' });
    await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
    clock.advance(1000);
    const purge = sandbox.addTask({ kind: 'purge', createdAt: clock.now(), items: [{ name: 'https://www.example.com/static/', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 2000, status: 'done' }] }] });
    clock.advance(1000);
    await waitFor('the purge noted while muted', async () => (await redis.llen(`${prefix}:tw:sub:held-new:slack:C-SUB`)) === 1);
    clock.advance(2000);
    await running.subscriptions.unmute(CHANNEL);

    const [summary] = await waitFor('summary', () => (notifier.of({ type: 'summary' }).length > 0 ? notifier.of({ type: 'summary' }) : null));
    const lines = summary?.summary ? muteSummaryText(summary.summary).lines : [];
    expect(lines.find((line) => line.includes(purge))).toMatch(/^New purge task .*: succeeded/);
    expect(notifier.of({ type: 'summary' })).toHaveLength(1);
  });

  test('given a mute in which one watched task changed state and another only progressed, then the summary names the first only, and both cards are edited with no reply', async () => {
    const running = await start();
    const moving = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/m.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }, { afterMs: 1000, status: 'Refreshing', percent: 20 }] }] });
    const creeping = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/c.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 30 }, { afterMs: 1000, status: 'Refreshing', percent: 70 }] }] });
    await running.engine.watch({ refs: [{ kind: 'dcdn', id: moving }, { kind: 'dcdn', id: creeping }], channel: CHANNEL, requestedBy: 'U1' });
    await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
    clock.advance(1000);
    await waitFor('both changes held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SUB`)) === 2);
    await running.subscriptions.unmute(CHANNEL);

    const [summary] = await waitFor('summary', () => (notifier.of({ type: 'summary' }).length > 0 ? notifier.of({ type: 'summary' }) : null));
    await waitFor('both cards edited', () => notifier.of({ type: 'update', taskId: moving, state: 'running' }).length > 0 && notifier.of({ type: 'update', taskId: creeping }).length > 0);
    expect(summary?.summary?.changes).toEqual([expect.objectContaining({ id: moving, from: 'pending', to: 'running' })]);
    expect(notifier.of({ type: 'reply' })).toEqual([]);
    expect(notifier.of({ type: 'summary' })).toHaveLength(1);
  });

  test('given a mute whose summary Slack first refuses with a 429, then the summary posted on retry still tells every held change, once', async () => {
    const running = await start();
    const redisTask = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 1000, status: 'running' }] });
    await running.engine.watch({ refs: [{ kind: 'redis', id: redisTask }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', () => notifier.of({ type: 'card', taskId: redisTask, state: 'pending' }).length > 0);

    await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
    clock.advance(1000);
    await waitFor('the delivery held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SUB`)) >= 1);
    notifier.refuseSummaries = 1;
    await running.subscriptions.unmute(CHANNEL);

    const [summary] = await waitFor('summary', () => (notifier.of({ type: 'summary' }).length > 0 ? notifier.of({ type: 'summary' }) : null));
    expect(notifier.refuseSummaries).toBe(0);
    expect(summary?.summary?.changes).toEqual([expect.objectContaining({ id: redisTask, from: 'pending', to: 'running' })]);
    await waitFor('the release finished', async () => (await running.subscriptions.muteState(CHANNEL)) === null && (await redis.zcard(`${prefix}:tw:sub:mutes`)) === 0);
    // The held delivery, let go after the summary, edits the card in place and posts nothing.
    await waitFor('card edited to running', () => notifier.of({ type: 'update', taskId: redisTask, state: 'running' }).length > 0);
    expect(notifier.of({ type: 'summary' })).toHaveLength(1);
    expect(notifier.of({ type: 'reply', taskId: redisTask })).toEqual([]);
  });

  test('given a muted channel archived before unmute, then the summary is given up once, the held watch ends quietly, and the calls to the channel die down', async () => {
    const slack = await startFakeSlack();
    try {
      const slackNotifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: null, appToken: null });
      stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier: slackNotifier, now: () => clock.now() });
      const running = stack;
      const callsToChannel = (): number => slack.calls.filter((call) => call.body['channel'] === CHANNEL.channelId).length;
      const redisTask = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 1000, status: 'running' }] });
      await running.engine.watch({ refs: [{ kind: 'redis', id: redisTask }], channel: CHANNEL, requestedBy: 'U1' });
      await waitFor('card posted pending', () => slack.callsOf('chat.postMessage').some((call) => call.body['channel'] === CHANNEL.channelId && call.body['thread_ts'] === undefined && /Pending/.test(String(call.body['text']))));

      await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
      clock.advance(1000);
      await waitFor('the delivery held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SUB`)) >= 1);
      slack.fail({ channel: CHANNEL.channelId }, { error: 'is_archived' });
      await running.subscriptions.unmute(CHANNEL);

      await waitFor('the release gave up', async () => (await redis.zcard(`${prefix}:tw:sub:mutes`)) === 0);
      await waitFor('the held watch ended', async () => (await running.engine.list(CHANNEL)).length === 0);
      const settled = callsToChannel();
      // Several supervisor passes (every 200 ms) and retry pauses later, nobody tries again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(callsToChannel()).toBe(settled);
      const summaries = slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === CHANNEL.channelId && call.body['thread_ts'] === undefined && /muted/i.test(String(call.body['text'])));
      expect(summaries).toHaveLength(1);
    } finally {
      await stack?.stop();
      stack = null;
      await slack.stop();
    }
  });

  test('given Slack answering 503 to a channel when it is unmuted, then the summary is kept and retried, and posted once when Slack recovers', async () => {
    const slack = await startFakeSlack();
    try {
      const slackNotifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: null, appToken: null });
      stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier: slackNotifier, now: () => clock.now(), deliveryRetry: { minMs: 5, maxMs: 50 } });
      const running = stack;
      const summaryCalls = (): typeof slack.calls => slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === CHANNEL.channelId && call.body['thread_ts'] === undefined && /muted/i.test(String(call.body['text'])));
      const redisTask = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'preparing' }, { afterMs: 1000, status: 'running' }] });
      await running.engine.watch({ refs: [{ kind: 'redis', id: redisTask }], channel: CHANNEL, requestedBy: 'U1' });
      await waitFor('card posted pending', () => slack.callsOf('chat.postMessage').some((call) => call.body['channel'] === CHANNEL.channelId && call.body['thread_ts'] === undefined && /Pending/.test(String(call.body['text']))));

      await running.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
      clock.advance(1000);
      await waitFor('the delivery held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SUB`)) >= 1);
      slack.fail({ channel: CHANNEL.channelId }, { status: 503 });
      await running.subscriptions.unmute(CHANNEL);
      await waitFor('the summary refused several times', () => summaryCalls().filter((call) => call.status === 503).length >= 5);
      slack.clearRules();

      await waitFor('the release finished', async () => (await redis.zcard(`${prefix}:tw:sub:mutes`)) === 0);
      const posted = summaryCalls().filter((call) => call.answer?.['ok'] === true);
      expect(posted).toHaveLength(1);
      expect(String(posted[0]?.body['text'])).toContain(redisTask);
      // The summary told the change: the thread does not tell it again.
      await waitFor('card edited to running', () => slack.callsOf('chat.update').some((call) => call.answer?.['ok'] === true && /Running/.test(String(call.body['text']))));
      expect(slack.callsOf('chat.postMessage').filter((call) => call.answer?.['ok'] === true && call.body['thread_ts'] !== undefined)).toEqual([]);
    } finally {
      await stack?.stop();
      stack = null;
      await slack.stop();
    }
  });

  test('given a restart during a subscription, then no task is missed or repeated', async () => {
    let running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', requestedBy: 'U1' });
    clock.advance(1000);
    const first = plantCdn('https://www.example.com/1.js', clock.now());
    clock.advance(1000);
    await waitFor('first card', () => notifier.of({ type: 'card', taskId: first }).length === 1);

    await running.stop();
    stack = null;
    // While the bot is down: one task inside the overlap of the last window, one after it.
    const inOverlap = plantCdn('https://www.example.com/2.js', clock.now() - 500);
    clock.advance(30_000);
    const whileDown = plantCdn('https://www.example.com/3.js', clock.now());
    clock.advance(1000);

    running = await start();
    await waitFor('cards after restart', () => notifier.of({ type: 'card', taskId: inOverlap }).length === 1 && notifier.of({ type: 'card', taskId: whileDown }).length === 1);
    await sweptToNow();
    await sweptToNow();
    const cards = notifier.of({ type: 'card' }).map((event) => event.taskId);
    expect(cards.sort()).toEqual([first, inOverlap, whileDown].sort());
    expect((await running.subscriptions.list(CHANNEL)).map((subscription) => subscription.number)).toEqual([1]);
  });

  test('given the subscription engine started after the watch engine, then every queue keeps the capped event stream', async () => {
    const running = await start();
    // The subscriptions' own sweep queue is used, so its meta write has surely gone out.
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'tcss', requestedBy: 'U1' });
    await waitFor('subscription sweep ran', async () => (await redis.hget(`${prefix}:tw:sub:record:${(await running.subscriptions.list(CHANNEL))[0]?.subscriptionId}`, 'baselined')) === '1');
    // BullMQ trims each queue's event stream to the length in its meta hash; whichever Queue
    // object opened last wrote it, so every opener of a queue must ask for the same cap.
    for (const queue of ['watch-notify', 'watch-poll', 'subscription-poll']) {
      expect(await redis.hget(`${prefix}:${queue}:meta`, 'opts.maxLenEvents')).toBe(String(EVENTS_KEPT));
    }
  });

  test('given subscriptions listed and removed by number, then the numbers follow creation order', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', domain: 'a.example.com', requestedBy: 'U1' });
    await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'tcss', requestedBy: 'U1' });
    const again = await running.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', domain: 'a.example.com', requestedBy: 'U2' });
    expect(again.number).toBe(1);
    expect((await running.subscriptions.list(CHANNEL)).map((subscription) => [subscription.number, subscription.kind])).toEqual([
      [1, 'cdn'],
      [2, 'tcss'],
    ]);
    expect((await running.subscriptions.unsubscribe(CHANNEL, 1))?.kind).toBe('cdn');
    expect(await running.subscriptions.unsubscribe(CHANNEL, 5)).toBeNull();
    expect((await running.subscriptions.list(CHANNEL)).map((subscription) => [subscription.number, subscription.kind])).toEqual([[1, 'tcss']]);
    expect(await running.subscriptions.unsubscribeAll(CHANNEL)).toBe(1);
    expect(await running.subscriptions.list(CHANNEL)).toEqual([]);
  });
});
