/**
 * A stuck task in Discord: `/task-status watch` through discord.js against the fake Discord, the
 * real watch engine on a real redis-server, the sandbox and the engine on one manual clock. The
 * group's history is written straight into the engine's duration store.
 */
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import type { ApiMessage } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { embedsOf, originalReply, waitFor } from '../discord/discord-harness';

const MINUTE = 60_000;

let harness: DiscordWorld;

beforeAll(async () => {
  harness = await startDiscordWorld();
});

afterAll(async () => {
  await harness?.stop();
});

/** The sandbox reports a DCDN object without an ObjectType as a file. */
const FILES: DurationGroup = { kind: 'dcdn', account: 'default', subtype: 'file', size: '1' };

/** Readable text of a message: content and embeds, Discord's markdown escapes removed. */
function textOf(message: ApiMessage): string {
  return `${message.content ?? ''} ${JSON.stringify(embedsOf(message))}`.replace(/\\+(.)/g, '$1');
}

function watchField(card: ApiMessage): string {
  const message = harness.fake.messages.get(card.id);
  return (embedsOf(message ?? card)[0]?.fields?.find((entry) => entry.name === 'Watch')?.value ?? '').replace(/\\(.)/g, '$1');
}

test('given 10 past refreshes of files (1 to 10 min), then one refreshing for 16 min gets one stuck reply in its thread, also shown under the card, and its card is marked', async () => {
  for (const minute of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    await harness.engine!.durations.record(FILES, `dcdn-past${minute}`, { taskId: String(minute), durationMs: minute * MINUTE, failed: false, endedAt: minute });
  }
  const id = harness.sandbox.addTask({
    kind: 'dcdn',
    attributes: { ObjectType: 'file' },
    items: [{ name: 'http://example.com/file.txt', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }],
  });
  const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: id } });
  const card = await originalReply(harness.fake, interaction);
  await waitFor('the engine to fill in the card', () => watchField(card).includes('usually'));

  harness.clock.advance(16 * MINUTE);
  const stuckIn = (messages: readonly ApiMessage[]): ApiMessage[] => messages.filter((message) => textOf(message).includes('still running after'));
  await waitFor('the stuck reply in the thread', () => stuckIn(harness.fake.messagesIn(card.id)).length > 0);
  const [reply] = stuckIn(harness.fake.messagesIn(card.id));
  expect(textOf(reply!)).toContain(`DCDN refresh ${id} is still running after 16 min; 95% of 10 past dcdn file tasks of 1 object on default finished within 10 min`);
  // Broadcast: also posted in the channel, under the card.
  await waitFor('the stuck reply under the card', () => stuckIn(harness.fake.messagesIn(card.channel_id)).some((message) => message.message_reference?.['message_id'] === card.id));
  await waitFor('the card is marked', () => watchField(card).includes('⚠ running longer than usual'));

  harness.clock.advance(10 * MINUTE);
  const polled = harness.sandbox.calls.length;
  await waitFor('three more polls', () => harness.sandbox.calls.length >= polled + 3);
  expect(stuckIn(harness.fake.messagesIn(card.id))).toHaveLength(1);
});
