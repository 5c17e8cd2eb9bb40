/**
 * The Discord notifier on its own against the fake Discord's REST API: cards, threads found
 * again after a restart, rate limits and Discord's size limits (the fake refuses oversized
 * messages with 400, as Discord does).
 */
import { createDiscordNotifier } from '../../../src/chat/discord/discord-notifier';
import { NotifierRateLimitedError, NotifierTargetGoneError, type ChannelAddress, type TransitionNotice } from '../../../src/jobs/notifier';
import type { TaskStatus } from '../../../src/providers/types';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';
import { taskStatus } from '../../support/task-status';

let fake: FakeDiscord;
let channel: ChannelAddress;

beforeAll(async () => {
  fake = await startFakeDiscord();
  channel = { platform: 'discord', channelId: fake.guilds[0]!.channels[0]!.id };
});

afterAll(async () => {
  await fake?.close();
});

function notifier() {
  return createDiscordNotifier({ token: fake.token, apiUrl: fake.apiUrl });
}

function status(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return taskStatus({ kind: 'cdn', id: '1533031853231313311', rawStatus: 'process', progress: 40, summary: { fact: 'written', text: 'Prefetching' }, observedAt: new Date().toISOString(), ...overrides });
}

function notice(current: TaskStatus): TransitionNotice {
  return { previous: status({ state: 'pending', rawStatus: 'pending' }), current, skippedStates: [], changedItems: [], endReason: null, endFacts: null, durationMs: null };
}

describe('cards and threads', () => {
  test('given a notifier restarted between two thread replies, then both land in the one thread started from the card', async () => {
    const cardId = await notifier().postCard(channel, { status: status() });
    await notifier().postThreadReply(channel, cardId, notice(status()), { broadcast: false });
    // A fresh notifier knows nothing of the thread: Discord refuses a second one (160004) and
    // the thread's ID is the card's.
    await notifier().postThreadReply(channel, cardId, notice(status({ state: 'succeeded', rawStatus: 'done' })), { broadcast: false });

    const threadCalls = fake.calls.filter((call) => call.path === `/channels/${channel.channelId}/messages/${cardId}/threads`);
    expect(threadCalls.map((call) => call.status)).toEqual([201, 400]);
    expect(fake.messagesIn(cardId)).toHaveLength(2);
  });

  test('given a card inside a thread, then replies go under it in that thread, without a permission hint', async () => {
    const sender = notifier();
    const outer = await sender.postCard(channel, { status: status() });
    await sender.postThreadReply(channel, outer, notice(status()), { broadcast: false });
    const thread: ChannelAddress = { platform: 'discord', channelId: outer };
    const inner = await sender.postCard(thread, { status: status() });
    await sender.postThreadReply(thread, inner, notice(status()), { broadcast: false });

    const threadCalls = fake.calls.filter((call) => call.path === `/channels/${outer}/messages/${inner}/threads`);
    expect(threadCalls.map((call) => call.status)).toEqual([400]);
    const underInner = fake.messagesIn(outer).filter((message) => message.message_reference?.['message_id'] === inner);
    expect(underInner).toHaveLength(1);
    expect(underInner[0]?.content).toBe('');
  });

  test('given the card\'s thread was archived after a quiet day, then it is unarchived and the reply lands there', async () => {
    const sender = notifier();
    const cardId = await sender.postCard(channel, { status: status() });
    await sender.postThreadReply(channel, cardId, notice(status()), { broadcast: false });
    fake.channels.get(cardId)!.thread_metadata!.archived = true;
    await sender.postThreadReply(channel, cardId, notice(status({ state: 'succeeded', rawStatus: 'done' })), { broadcast: false });

    const posts = fake.calls.filter((call) => call.path === `/channels/${cardId}/messages` || call.path === `/channels/${cardId}`);
    expect(posts.map((call) => `${call.method} ${call.status}`)).toEqual(['POST 200', 'POST 400', 'PATCH 200', 'POST 200']);
    expect(fake.messagesIn(cardId)).toHaveLength(2);
    expect(fake.channels.get(cardId)!.thread_metadata!.archived).toBe(false);
  });

  test('given broadcast, then the reply also appears in the channel under the card', async () => {
    const cardId = await notifier().postCard(channel, { status: status() });
    await notifier().postThreadReply(channel, cardId, notice(status({ state: 'failed', rawStatus: 'fail' })), { broadcast: true });
    expect(fake.messagesIn(cardId)).toHaveLength(1);
    expect(fake.messagesIn(channel.channelId).filter((message) => message.message_reference?.['message_id'] === cardId)).toHaveLength(1);
  });

  test('given a card with 500 URLs and long texts, then Discord accepts it and the list ends with "and N more"', async () => {
    const items = Array.from({ length: 500 }, (_, index) => ({
      name: `https://example.com/${'very-long-path/'.repeat(8)}${index}.js`,
      state: 'running' as const,
      rawStatus: 'process',
      progress: 50,
      message: 'x'.repeat(300),
    }));
    const big = status({ items, summary: { fact: 'written', text: 'm'.repeat(5000) }, id: 'a'.repeat(128), requestId: 'r'.repeat(300) });
    const cardId = await notifier().postCard(channel, { status: big });
    const card = fake.messages.get(cardId)!;
    const fields = (card.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    const urls = fields.find((field) => field.name === 'URLs (500)');
    expect(urls?.value).toMatch(/…and \d+ more$/);
    await notifier().updateCard(channel, cardId, { status: big, watch: { watchId: 'w', startedAt: big.observedAt, deadlineAt: big.observedAt, nextCheckAt: null, endReason: 'deadline' } });
    expect(fake.calls.at(-1)?.status).toBe(200);
  });
});

describe('channel notices', () => {
  test('given a suspended subscription notice, then one channel message says which account and why, pinging nobody', async () => {
    const id = await notifier().postNotice(channel, { type: 'subscription_suspended', kind: 'tcss', account: 'staging', reason: 'unknown_account' });
    const posted = fake.messages.get(id);
    // Discord markdown is escaped as for every text reply.
    expect(posted?.content).toContain('The subscription to new TCSS refresh tasks of the account "staging" is suspended');
    expect(posted?.content).toContain('that account is no longer configured');
    const call = fake.calls.find((recorded) => recorded.method === 'POST' && recorded.path === `/channels/${channel.channelId}/messages` && JSON.stringify(recorded.body).includes('suspended'));
    expect(call?.body).toMatchObject({ allowed_mentions: { parse: [] } });
  });
});

describe('mute summaries', () => {
  test('given a mute summary with user text, then one channel message lists every line, escaped and pinging nobody', async () => {
    const id = await notifier().postSummary(channel, {
      mutedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T11:00:00.000Z',
      changes: [
        { kind: 'cdn', id: '1', from: 'running', to: 'succeeded', rawStatus: 'done', endReason: 'terminal' },
        // Raw statuses are the cloud's words: they could hold anything.
        { kind: 'dts', id: 'x', from: 'running', to: 'failed', rawStatus: '@everyone *failed*', endReason: 'terminal' },
      ],
      newTasks: [],
    });
    const posted = fake.messages.get(id);
    expect(posted?.content).toContain('While this channel was muted');
    expect(posted?.content).toContain('cdn 1');
    expect(posted?.content).toContain('dts x');
    expect(posted?.content).not.toContain('*failed*');
    const call = fake.calls.find((recorded) => recorded.method === 'POST' && recorded.path === `/channels/${channel.channelId}/messages` && JSON.stringify(recorded.body).includes('muted'));
    expect((call?.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
  });
});

describe('rate limits', () => {
  test('given Discord answers 429 to a card edit, then the notifier throws NotifierRateLimitedError with the wait', async () => {
    const sender = notifier();
    const cardId = await sender.postCard(channel, { status: status() });
    fake.rateLimit({ method: 'PATCH', path: `/channels/${channel.channelId}/messages/${cardId}`, times: 1, retryAfterSeconds: 2 });
    const failure = await sender.updateCard(channel, cardId, { status: status() }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotifierRateLimitedError);
    expect((failure as NotifierRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });
});

describe('targets gone for good', () => {
  test('given a deleted channel or a deleted card, then the notifier says the target is gone for good, so the engine stops trying', async () => {
    const sender = notifier();
    const gone: ChannelAddress = { platform: 'discord', channelId: '999999999999999999' };
    await expect(sender.postCard(gone, { status: status() })).rejects.toEqual(new NotifierTargetGoneError('channel_not_found'));
    await expect(sender.updateCard(channel, '999999999999999998', { status: status() })).rejects.toEqual(new NotifierTargetGoneError('card_deleted'));
  });
});
