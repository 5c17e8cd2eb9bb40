/**
 * The ending of a watch is said once in Discord: `/task-status watch` through discord.js against
 * the fake Discord, the real watch engine on a real redis-server, the sandbox on the harness's
 * manual clock. A thread reply that ends a watch used to carry the ending's sentence twice.
 */
import type { ApiMessage } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { embedsOf, originalReply, waitFor } from './discord-harness';

let harness: DiscordWorld;

beforeAll(async () => {
  harness = await startDiscordWorld();
});

afterAll(async () => {
  await harness?.stop();
});

/** Readable text of a message: content and embeds, Discord's markdown escapes removed. */
function textOf(message: ApiMessage): string {
  return `${message.content ?? ''} ${JSON.stringify(embedsOf(message))}`.replace(/\\+(.)/g, '$1');
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

test('given a watched task that succeeds, then its ending reply in the thread says "watching stopped" once', async () => {
  const id = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }, { afterMs: 60_000, status: 'succeed' }] });
  const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'redis', ids: id, region: 'ap-guangzhou' } });
  const card = await originalReply(harness.fake, interaction);
  await waitFor('the engine to fill in the card', () => textOf(harness.fake.messages.get(card.id) ?? card).includes('Watching'));

  harness.clock.advance(60_000);
  const endings = (): ApiMessage[] => harness.fake.messagesIn(card.id).filter((message) => textOf(message).includes('watching stopped'));
  await waitFor('the ending reply', () => endings().length > 0);
  const [ending] = endings();
  expect(occurrences(textOf(ending!), 'The task succeeded; watching stopped.')).toBe(1);
  expect(textOf(ending!)).toContain('Total duration: 1m');
  expect(textOf(ending!)).not.toContain(harness.fake.token);
});
