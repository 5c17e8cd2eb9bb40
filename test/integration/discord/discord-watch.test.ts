/**
 * Watching through Discord end to end: the real discord.js client against the fake Discord,
 * the real providers against the cloud sandbox (manual clock), and the real watch engine on a
 * real redis-server, posting through the adapter's Discord notifier.
 */
import { MessageFlags } from 'discord.js';
import { STATE_COLOURS } from '../../../src/chat/discord/embeds';
import { THREAD_PERMISSION_HINT } from '../../../src/chat/discord/discord-notifier';
import type { ApiMessage, RecordedDiscordCall } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { bodyOf, buttonsOf, embedsOf, isFollowUp, originalReply, waitFor as waitUntil } from './discord-harness';

let harness: DiscordWorld;

// A world per test: its own Redis, fake Discord, sandbox and engine.
beforeEach(async () => {
  harness = await startDiscordWorld();
});

afterEach(async () => {
  await harness?.stop();
});

/** Waits like `waitUntil`; on a timeout, shows what the engine asked of the notifier. */
async function waitFor<T>(what: string, check: () => T | null | undefined | false | Promise<T | null | undefined | false>): Promise<T> {
  return waitUntil(what, check).catch((error: unknown) => {
    console.log(`notifier calls:\n${harness.notifierLog.join('\n')}\nDiscord calls:\n${harness.fake.calls.map((call) => `${call.method} ${call.path.slice(0, 60)} ${call.status}`).join('\n')}`);
    throw error;
  });
}

/** Message text with Discord's markdown escapes removed, as a reader sees it. */
function rendered(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** A DCDN task: Pending now, Refreshing at 1 s, Complete at 2 s on the sandbox clock. */
function plantDcdnTask(): string {
  return harness.sandbox.addTask({
    kind: 'dcdn',
    items: [
      {
        name: 'http://example.com/assets/',
        steps: [
          { afterMs: 0, status: 'Pending', percent: 0 },
          { afterMs: 1000, status: 'Refreshing', percent: 50 },
          { afterMs: 2000, status: 'Complete', percent: 100 },
        ],
      },
    ],
  });
}

function fieldsOf(message: ApiMessage): Record<string, string> {
  return Object.fromEntries((embedsOf(message)[0]?.fields ?? []).map((field) => [field.name, field.value]));
}

/** Starts `/task-status watch` for one task; resolves to the card (the reply) and the confirmation text. */
async function watchBySlashCommand(options: Record<string, string>): Promise<{ card: ApiMessage; confirmation: string; token: string }> {
  const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options });
  const card = await originalReply(harness.fake, interaction);
  const followUp = await harness.fake.waitForCall(isFollowUp(harness.fake, interaction), 10_000);
  expect(Number(bodyOf(followUp)['flags']) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  return { card, confirmation: rendered(String(bodyOf(followUp)['content'])), token: interaction.token };
}

function cardEdits(card: ApiMessage): RecordedDiscordCall[] {
  return harness.fake.calls.filter((call) => call.method === 'PATCH' && call.path === `/channels/${card.channel_id}/messages/${card.id}`);
}

/** Waits until the card (as Discord stores it) shows `state`. */
async function cardShows(card: ApiMessage, state: string): Promise<ApiMessage> {
  return waitFor(`card shows ${state}`, () => {
    const current = harness.fake.messages.get(card.id);
    return current && fieldsOf(current)['State'] === state ? current : null;
  });
}

/**
 * Waits for the engine's first look at the task (it adds the Watch field to the card). Only
 * changes after that look are posted in the thread, so the clock must not move before it.
 */
async function engineHasSeen(card: ApiMessage): Promise<void> {
  await waitFor('the engine to fill in the card', () => fieldsOf(harness.fake.messages.get(card.id)!)['Watch']);
}

/** Non-ephemeral messages in the card's thread (a message's thread has the message's ID). */
function threadMessages(card: ApiMessage): ApiMessage[] {
  return harness.fake.messagesIn(card.id);
}

describe('watch from the slash command', () => {
  test('given a watched task that changes state twice, then a thread on the reply gets one message per change and the reply is edited in place to the end state', async () => {
    const id = plantDcdnTask();
    const { card, confirmation } = await watchBySlashCommand({ kind: 'dcdn', ids: id });
    expect(confirmation).toMatch(/Watching 1 task/);
    expect(card.flags & MessageFlags.Ephemeral).toBe(0);
    expect(fieldsOf(card)['State']).toBe('Pending');
    await engineHasSeen(card);

    harness.clock.advance(1000);
    await waitFor('first thread reply', () => threadMessages(card).length >= 1);
    await cardShows(card, 'Running');
    harness.clock.advance(1000);
    await waitFor('second thread reply', () => threadMessages(card).length >= 2);
    const final = await cardShows(card, 'Succeeded');

    // One thread, started on the reply, through the channel API.
    const threadCalls = harness.fake.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${card.channel_id}/messages/${card.id}/threads`);
    expect(threadCalls.map((call) => call.status)).toEqual([201]);
    const replies = threadMessages(card).map((message) => rendered(embedsOf(message)[0]?.title ?? ''));
    expect(replies).toEqual([expect.stringMatching(/Pending → .*Running/), expect.stringMatching(/Running → .*Succeeded/)]);
    expect(embedsOf(final)[0]?.color).toBe(STATE_COLOURS.succeeded);
    expect(rendered(fieldsOf(final)['Watch'] ?? '')).toMatch(/finished/);
    // The card is the reply itself: no other card was posted in the channel.
    expect(harness.fake.messagesIn(card.channel_id).map((message) => message.id)).toEqual([card.id]);
    for (const edit of cardEdits(card)) expect(bodyOf(edit)['allowed_mentions']).toEqual({ parse: [] });
  });

  test('given a watch that outlives its interaction token, then later edits go through the channel-message API and still land', async () => {
    const id = plantDcdnTask();
    const { card, token } = await watchBySlashCommand({ kind: 'dcdn', ids: id });
    await engineHasSeen(card);
    harness.fake.expireInteractionTokens();
    const webhookCallsBefore = harness.fake.calls.filter((call) => call.path.includes(token)).length;

    harness.clock.advance(2000);
    await cardShows(card, 'Succeeded');
    expect(cardEdits(card).at(-1)?.status).toBe(200);
    // Nothing tried the dead token.
    expect(harness.fake.calls.filter((call) => call.path.includes(token)).length).toBe(webhookCallsBefore);
  });

  test('given a watched task, then list shows it, and unwatch stops it and marks the card', async () => {
    const id = plantDcdnTask();
    const { card } = await watchBySlashCommand({ kind: 'dcdn', ids: id });
    await engineHasSeen(card);

    const list = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'list' }));
    expect(list.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(rendered(list.content)).toContain(`dcdn ${id}`);

    const unwatch = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'unwatch', options: { kind: 'dcdn', ids: id } }));
    expect(unwatch.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(rendered(unwatch.content)).toBe('Stopped watching 1 task.');
    await waitFor('card says unwatched', () => /on request/.test(rendered(fieldsOf(harness.fake.messages.get(card.id)!)['Watch'] ?? '')));

    const empty = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'list' }));
    expect(rendered(empty.content)).toMatch(/No task is being watched/);
  });

  test('given a watch of two tasks, then the reply shows both and each task gets its own card', async () => {
    const first = plantDcdnTask();
    const second = plantDcdnTask();
    const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: `${first},${second}` } });
    const reply = await originalReply(harness.fake, interaction);
    expect(embedsOf(reply).map((embed) => rendered(embed.title ?? ''))).toEqual([expect.stringContaining(first), expect.stringContaining(second)]);
    const followUp = await harness.fake.waitForCall(isFollowUp(harness.fake, interaction), 10_000);
    expect(rendered(String(bodyOf(followUp)['content']))).toMatch(/Watching 2 tasks/);
    const cards = harness.fake.messagesIn(reply.channel_id).filter((message) => message.id !== reply.id);
    expect(cards.map((card) => rendered(embedsOf(card)[0]?.title ?? ''))).toEqual([expect.stringContaining(first), expect.stringContaining(second)]);
  });

  test('given unwatch with all set, then every watch in the channel stops', async () => {
    await watchBySlashCommand({ kind: 'dcdn', ids: plantDcdnTask() });
    await watchBySlashCommand({ kind: 'dcdn', ids: plantDcdnTask() });
    const reply = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'unwatch', options: { all: true } }));
    expect(rendered(reply.content)).toBe('Stopped watching 2 tasks in this channel.');
  });
});

describe('buttons', () => {
  test('given a query reply, then Watch makes that message the card and Stop watching ends the watch', async () => {
    const id = plantDcdnTask();
    const reply = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'dcdn', ids: id } }));

    const watch = await harness.fake.buttonClick({ customId: buttonsOf(reply)['Watch']!, messageId: reply.id });
    const watched = await originalReply(harness.fake, watch);
    expect(watched.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(rendered(watched.content)).toMatch(/Watching 1 task/);
    await engineHasSeen(reply);

    harness.clock.advance(1000);
    await waitFor('thread reply under the query reply', () => threadMessages(reply).length >= 1);
    await cardShows(reply, 'Running');

    const stop = await harness.fake.buttonClick({ customId: buttonsOf(reply)['Stop watching']!, messageId: reply.id });
    const stopped = await originalReply(harness.fake, stop);
    expect(rendered(stopped.content)).toBe('Stopped watching 1 task.');
    expect(harness.fake.messagesIn(reply.channel_id).map((message) => message.id)).toEqual([reply.id]);
  });
});

describe('thread permission missing', () => {
  test('given the bot may not create threads, then state changes are replied under the card in the channel and the permission hint is given once', async () => {
    harness.fake.denyThreadCreation();
    const { card } = await watchBySlashCommand({ kind: 'dcdn', ids: plantDcdnTask() });
    const underCard = (): ApiMessage[] =>
      harness.fake.messagesIn(card.channel_id).filter((message) => message.message_reference?.['message_id'] === card.id);
    await engineHasSeen(card);

    harness.clock.advance(1000);
    await waitFor('first reply under the card', () => underCard().length >= 1);
    harness.clock.advance(1000);
    await waitFor('second reply under the card', () => underCard().length >= 2);
    await cardShows(card, 'Succeeded');

    const [first, second] = underCard();
    expect(first?.content).toBe(THREAD_PERMISSION_HINT);
    expect(second?.content).toBe('');
    expect(THREAD_PERMISSION_HINT).toMatch(/Create Public Threads/);
    expect(THREAD_PERMISSION_HINT).toMatch(/Send Messages in Threads/);
    expect([first, second].map((message) => rendered(embedsOf(message!)[0]?.title ?? ''))).toEqual([
      expect.stringMatching(/Pending → .*Running/),
      expect.stringMatching(/Running → .*Succeeded/),
    ]);
    // No thread exists; the refusal was not retried for every message.
    expect(harness.fake.channels.has(card.id)).toBe(false);
    const attempts = harness.fake.calls.filter((call) => call.path === `/channels/${card.channel_id}/messages/${card.id}/threads`);
    expect(attempts.map((call) => call.status)).toEqual([403]);
  });
});

describe('rate limits', () => {
  test('given Discord answers 429 to a thread message, then the engine retries that message later and it is posted exactly once', async () => {
    const id = plantDcdnTask();
    const { card } = await watchBySlashCommand({ kind: 'dcdn', ids: id });
    harness.fake.rateLimit({ method: 'POST', path: `/channels/${card.id}/messages`, times: 1, retryAfterSeconds: 0.2 });
    await engineHasSeen(card);

    harness.clock.advance(1000);
    await waitFor('thread reply after the 429', () => threadMessages(card).length >= 1);
    const posts = harness.fake.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${card.id}/messages`);
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
    await cardShows(card, 'Running');
    expect(threadMessages(card)).toHaveLength(1);
  });
});

describe('a Discord outage', () => {
  test('given Discord answering 503 to the card channel and its thread while the task finishes, then once it recovers the change is told once and the card shows the end', async () => {
    await harness.stop();
    // The delivery back-off in milliseconds instead of seconds, so the outage runs in seconds.
    harness = await startDiscordWorld({ watch: { deliveryRetryMs: 5, deliveryRetryMaxMs: 20 } });
    const id = plantDcdnTask();
    const { card } = await watchBySlashCommand({ kind: 'dcdn', ids: id });
    await engineHasSeen(card);
    const refused = (): number => harness.fake.calls.filter((call) => call.status === 503).length;
    harness.fake.fail({ path: new RegExp(`^/channels/(${card.channel_id}|${card.id})(/|$)`), status: 503 });

    harness.clock.advance(2000);
    // Far more refusals than the old schedule made (ten tries a job, each retried by discord.js).
    await waitFor('many refusals', () => refused() >= 150);
    expect(threadMessages(card)).toEqual([]);
    harness.fake.clearFailures();

    await cardShows(card, 'Succeeded');
    await waitFor('the thread reply', () => threadMessages(card).length >= 1);
    await waitFor('notify queue drained', async () => {
      const counts = await harness.engine?.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });
    const replies = threadMessages(card).map((message) => rendered(embedsOf(message)[0]?.title ?? ''));
    expect(replies).toEqual([expect.stringMatching(/Pending → .*Succeeded/)]);
  });
});
