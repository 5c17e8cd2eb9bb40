/**
 * A card's first post shows the checked state in Discord for the two ways a Discord user starts
 * a single-task watch (issue 15): `/task-status watch` (the reply is the card) and the Watch
 * button of a query reply (that message becomes the card). The real discord.js client against
 * the fake Discord, the real watch engine on a real redis-server, the sandbox on the harness's
 * manual clock. Asserted is every body Discord was sent for the card, in order: none shows
 * "Unknown" or a placeholder, the first already shows the task's state, and the check is the
 * task's first observation (no thread message follows it).
 */
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { ApiMessage, RecordedDiscordCall } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { bodyOf, buttonsOf, embedsOf, isFollowUp, isOriginalEdit, originalReply, waitFor, type LooseEmbed } from './discord-harness';

let harness: DiscordWorld;

// A world per test: its own Redis, fake Discord, sandbox and engine.
beforeEach(async () => {
  harness = await startDiscordWorld();
});

afterEach(async () => {
  await harness?.stop();
});

const rendered = (text: string): string => text.replace(/\\(.)/g, '$1');

function fieldsOf(embed: LooseEmbed | undefined): Record<string, string> {
  return Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, rendered(field.value)]));
}

/** Every body that drew a message (its interaction edits and its channel edits), oldest first. */
function drawsOf(message: ApiMessage, interactionEdit: (call: RecordedDiscordCall) => boolean): Record<string, unknown>[] {
  return harness.fake.calls
    .filter((call) => call.status === 200 && (interactionEdit(call) || (call.method === 'PATCH' && call.path === `/channels/${message.channel_id}/messages/${message.id}`)))
    .map(bodyOf)
    .filter((body) => Array.isArray(body['embeds']) && (body['embeds'] as unknown[]).length > 0);
}

async function queueDrained(): Promise<void> {
  await waitFor('notify queue drained', async () => {
    const counts = await (harness.engine as WatchEngine).queues[1]?.getJobCounts('waiting', 'delayed', 'active');
    return counts !== undefined && Object.values(counts).every((count) => count === 0);
  });
}

const checks = (): number => harness.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById').length;

function pendingDcdnTask(): string {
  return harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/checked.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }] }] });
}

test('given /task-status watch of one task, then the reply that becomes its card is first drawn with the checked state and the thread stays empty', async () => {
  const id = pendingDcdnTask();
  const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: id } });
  const card = await originalReply(harness.fake, interaction);
  await harness.fake.waitForCall(isFollowUp(harness.fake, interaction), 10_000);
  await waitFor('the engine filled in the card', () => fieldsOf(embedsOf(harness.fake.messages.get(card.id) ?? {})[0])['Watch']);
  const before = checks();
  await waitFor('a regular check after the first', () => checks() > before);
  await queueDrained();

  const draws = drawsOf(card, isOriginalEdit(harness.fake, interaction));
  expect(draws.length).toBeGreaterThan(0);
  expect(rendered(embedsOf(draws[0] as { embeds?: unknown })[0]?.title ?? '')).toContain(id);
  expect(fieldsOf(embedsOf(draws[0] as { embeds?: unknown })[0])['State']).toBe('Pending');
  for (const draw of draws) expect(JSON.stringify(draw)).not.toMatch(/Unknown|Waiting for the first check|no status/);
  expect(harness.fake.messagesIn(card.id)).toEqual([]);
});

test('given Watch pressed on a query reply about one task, then the message is edited at once to a card with the checked state and the thread stays empty', async () => {
  const id = pendingDcdnTask();
  const reply = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'dcdn', ids: id } }));
  const editsBefore = drawsOf(reply, () => false).length;
  const checksBefore = checks();

  const watch = await harness.fake.buttonClick({ customId: buttonsOf(reply)['Watch'] as string, messageId: reply.id });
  await originalReply(harness.fake, watch);
  await waitFor('the message edited to a card', () => drawsOf(reply, () => false).length > editsBefore);
  // The button's watch checked the task before the card was drawn (the query's answer is not its first observation).
  expect(checks()).toBeGreaterThan(checksBefore);
  const [first] = drawsOf(reply, () => false).slice(editsBefore);
  const embed = embedsOf(first as { embeds?: unknown })[0];
  expect(fieldsOf(embed)['State']).toBe('Pending');
  expect(fieldsOf(embed)['Watch']).toMatch(/Watching/);

  const before = checks();
  await waitFor('a regular check after the first', () => checks() > before);
  await queueDrained();
  for (const draw of drawsOf(reply, () => false)) expect(JSON.stringify(draw)).not.toMatch(/Unknown|Waiting for the first check|no status/);
  expect(harness.fake.messagesIn(reply.id)).toEqual([]);
});
