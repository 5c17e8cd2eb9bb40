/**
 * What a Discord channel sees of a watch (issue 15), end to end: the real discord.js client and
 * the adapter's notifier against the fake Discord, the real watch and subscription engines on a
 * real redis-server, the real providers against the cloud sandbox on a manual clock. Asserted is
 * what Discord stores and was sent: the card's first post shows the checked state (or why there
 * is none), progress alone edits the card, an item failure and every state change is one thread
 * message, `progress=thread` hears each step, and a mute ends in one summary.
 */
import type { SubscriptionEngine } from '../../../src/jobs/engines/subscription-engine';
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { ApiMessage, RecordedDiscordCall } from '../../fakes/discord/fake-discord';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { startStack, type TestStack } from '../subscriptions/subscription-setup';
import { bodyOf, embedsOf, isFollowUp, originalReply, startDiscordHarness, textOf, waitFor, type DiscordHarness, type LooseEmbed } from './discord-harness';

let redis: TestRedis;
let harness: DiscordHarness;

beforeAll(async () => {
  redis = await startTestRedis({ appendOnly: false });
});

afterAll(async () => {
  await redis?.stop();
});

/** Message text with Discord's markdown escapes removed, as a reader sees it. */
function rendered(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function fieldsOf(embed: LooseEmbed | undefined): Record<string, string> {
  return Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, rendered(field.value)]));
}

/** The calls that posted a top-level message in the harness's channel (cards, summaries), oldest first. */
function channelPosts(): RecordedDiscordCall[] {
  return harness.fake.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${harness.channelId}/messages` && call.status === 200);
}

/** The card message of a task in the channel, as Discord stores it now. */
function cardOf(taskId: string): ApiMessage | undefined {
  return harness.fake.messagesIn(harness.channelId).find((message) => rendered(embedsOf(message)[0]?.title ?? '').includes(taskId));
}

/** Messages in a card's thread (a message's thread has the message's ID). */
function threadOf(card: ApiMessage): ApiMessage[] {
  return harness.fake.messagesIn(card.id);
}

async function queueDrained(engine: WatchEngine): Promise<void> {
  await waitFor('notify queue drained', async () => {
    const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
    return counts !== undefined && Object.values(counts).every((count) => count === 0);
  });
}

const dcdnProgressSteps = [
  { afterMs: 0, status: 'Refreshing', percent: 30 },
  { afterMs: 1000, status: 'Refreshing', percent: 70 },
  { afterMs: 2000, status: 'Complete', percent: 100 },
];

describe('Discord cards and threads', () => {
  beforeEach(async () => {
    harness = await startDiscordHarness({ redisUrl: redis.url });
  });

  afterEach(async () => {
    await harness?.stop();
  });

  const channel = (): { platform: 'discord'; channelId: string } => ({ platform: 'discord', channelId: harness.channelId });

  test('given a watch started outside a command (the API, a subscription), then the card is first posted with the checked state and no thread message follows the check', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/a.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
    const [summary] = await (harness.engine as WatchEngine).watch({ refs: [{ kind: 'dcdn', id }], channel: channel(), requestedBy: 'api:deploy' });
    expect(summary?.state).toBe('pending');
    const [first] = channelPosts();
    const embed = embedsOf(bodyOf(first as RecordedDiscordCall))[0];
    expect(rendered(embed?.title ?? '')).toContain(id);
    expect(fieldsOf(embed)['State']).toBe('Pending');
    expect(JSON.stringify(bodyOf(first as RecordedDiscordCall))).not.toMatch(/Unknown|Waiting for the first check/);
    // The check was the task's first observation: the next sweeps find nothing new to say.
    const checks = (): number => harness.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById').length;
    await waitFor('the first poll after the check', () => checks() >= 2);
    await queueDrained(harness.engine as WatchEngine);
    expect(threadOf(cardOf(id) as ApiMessage)).toEqual([]);
  });

  test('given the cloud throttling the check before the card, then the card says so instead of a state, and the first poll fills it in without a thread message', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/b.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
    harness.sandbox.injectFault({ cloud: 'alibaba', action: 'DescribeDcdnRefreshTaskById', type: 'throttle', count: 1 });
    await (harness.engine as WatchEngine).watch({ refs: [{ kind: 'dcdn', id }], channel: channel(), requestedBy: 'api:deploy' });
    const embed = embedsOf(bodyOf(channelPosts()[0] as RecordedDiscordCall))[0];
    expect(fieldsOf(embed)['State']).toBe('Not checked yet');
    expect(rendered(embed?.description ?? '')).toMatch(/throttling/);
    expect(JSON.stringify(embed)).not.toMatch(/Unknown/);
    await waitFor('card edited to Pending', () => fieldsOf(embedsOf(cardOf(id) ?? {})[0])['State'] === 'Pending');
    await queueDrained(harness.engine as WatchEngine);
    expect(threadOf(cardOf(id) as ApiMessage)).toEqual([]);
  });

  test('given a DCDN refresh whose progress alone moves (30% -> 70%), then the card is edited and the thread hears only the ending', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/progress.png', steps: dcdnProgressSteps }] });
    await (harness.engine as WatchEngine).watch({ refs: [{ kind: 'dcdn', id }], channel: channel(), requestedBy: 'U1' });
    expect(JSON.stringify(bodyOf(channelPosts()[0] as RecordedDiscordCall))).toContain('30%');
    harness.clock.advance(1000);
    await waitFor('card at 70%', () => JSON.stringify(cardOf(id)?.embeds ?? []).includes('70%'));
    await queueDrained(harness.engine as WatchEngine);
    expect(threadOf(cardOf(id) as ApiMessage)).toEqual([]);
    harness.clock.advance(1000);
    await waitFor('the ending', () => threadOf(cardOf(id) as ApiMessage).length >= 1);
    await queueDrained(harness.engine as WatchEngine);
    const thread = threadOf(cardOf(id) as ApiMessage);
    expect(thread).toHaveLength(1);
    expect(rendered(embedsOf(thread[0] as ApiMessage)[0]?.title ?? '')).toMatch(/Succeeded/);
  });

  test('given a CDN prefetch in which one URL fails while the other still runs, then one thread message names the failed URL', async () => {
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/ok.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 1000, status: 'process', percent: 60 }] },
        { name: 'https://www.example.com/broken.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 1000, status: 'fail', percent: 0 }] },
      ],
    });
    await (harness.engine as WatchEngine).watch({ refs: [{ kind: 'cdn', id }], channel: channel(), requestedBy: 'U1' });
    expect(fieldsOf(embedsOf(bodyOf(channelPosts()[0] as RecordedDiscordCall))[0])['State']).toBe('Running');
    harness.clock.advance(1000);
    await waitFor('a thread message', () => threadOf(cardOf(id) as ApiMessage).length >= 1);
    await queueDrained(harness.engine as WatchEngine);
    const thread = threadOf(cardOf(id) as ApiMessage);
    expect(thread).toHaveLength(1);
    expect(rendered(textOf(thread[0] as ApiMessage))).toContain('https://www.example.com/broken.js');
  });

  test('given /task-status watch with progress set to thread, then each progress step is a thread message, and the ending too', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/every-step.png', steps: dcdnProgressSteps }] });
    const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: id, progress: 'thread' } });
    const card = await originalReply(harness.fake, interaction);
    await harness.fake.waitForCall(isFollowUp(harness.fake, interaction), 10_000);
    expect(fieldsOf(embedsOf(card)[0])['State']).toBe('Running');
    await waitFor('the engine filled in the card', () => fieldsOf(embedsOf(harness.fake.messages.get(card.id) ?? {})[0])['Watch']);
    harness.clock.advance(1000);
    await waitFor('a progress message', () => threadOf(card).length >= 1);
    harness.clock.advance(1000);
    await waitFor('the ending', () => threadOf(card).length >= 2);
    await queueDrained(harness.engine as WatchEngine);
    const thread = threadOf(card).map((message) => rendered(textOf(message)));
    expect(thread).toHaveLength(2);
    expect(thread[0]).toContain('70%');
    expect(thread[1]).toMatch(/Succeeded/);
  });
});

describe('Discord and a mute', () => {
  let stack: TestStack;
  let prefix: string;

  beforeEach(async () => {
    // The adapter only: the stack below runs both engines with the adapter's notifier.
    harness = await startDiscordHarness();
    prefix = uniqueQueueName('discord-mute');
    stack = await startStack({ redisUrl: redis.url, prefix, sandboxUrl: harness.sandbox.url, notifier: harness.adapter.notifier, now: () => harness.clock.now() });
  });

  afterEach(async () => {
    await stack?.stop();
    await harness?.stop();
  });

  test('given a mute in which a subscription found a TCSS refresh that started and finished, and a watched task changed, then one summary names both with their latest states and nothing else is posted', async () => {
    const channel = { platform: 'discord' as const, channelId: harness.channelId };
    const subscriptions: SubscriptionEngine = stack.subscriptions;
    const watched = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/w.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }, { afterMs: 1000, status: 'Refreshing', percent: 50 }] }] });
    await stack.engine.watch({ refs: [{ kind: 'dcdn', id: watched }], channel, requestedBy: 'U1' });
    await subscriptions.subscribe({ channel, kind: 'tcss', requestedBy: 'U1' });
    await waitFor('the subscription looked once', () => harness.sandbox.calls.some((call) => call.action === 'DescribeUnfinishRefreshTask'));
    await subscriptions.mute(channel, 3_600_000, 'U1');
    const postsBefore = channelPosts().length;

    const refresh = harness.sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }, { afterMs: 1000, status: 'Task_Finish' }] });
    await waitFor('the refresh noted while muted', async () => (await stack.redis.llen(`${prefix}:tw:sub:held-new:discord:${harness.channelId}`)) === 1);
    harness.clock.advance(1000);
    await waitFor('the watched change held', async () => (await stack.redis.scard(`${prefix}:tw:sub:held-watches:discord:${harness.channelId}`)) >= 1);
    expect(channelPosts()).toHaveLength(postsBefore);

    await subscriptions.unmute(channel);
    await waitFor('the summary', () => channelPosts().length > postsBefore);
    const card = cardOf(watched) as ApiMessage;
    await waitFor('the watched card edited to Running', () => fieldsOf(embedsOf(harness.fake.messages.get(card.id) ?? {})[0])['State'] === 'Running');
    await waitFor('the release finished', async () => (await subscriptions.muteState(channel)) === null && (await stack.redis.zcard(`${prefix}:tw:sub:mutes`)) === 0);
    await queueDrained(stack.engine);

    const after = channelPosts().slice(postsBefore);
    expect(after).toHaveLength(1);
    const summary = rendered(textOf(bodyOf(after[0] as RecordedDiscordCall)));
    expect(summary).toContain(`New tcss task ${refresh}: succeeded`);
    expect(summary).toContain(`dcdn ${watched}: pending -> running`);
    expect(summary.split(refresh)).toHaveLength(2);
    // Nothing else about either task: no card for the refresh, no thread message on the watched card.
    expect(cardOf(refresh)).toBeUndefined();
    expect(threadOf(card)).toEqual([]);
  });
});
