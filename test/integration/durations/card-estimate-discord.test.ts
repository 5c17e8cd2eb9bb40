/**
 * The card's expectation in Discord: `/task-status watch` through discord.js against the fake
 * Discord, the real watch engine on a real redis-server, the sandbox on a manual clock. The
 * group's history is written straight into the engine's duration store (how endings get there
 * is proven in `duration-store.test.ts` and, into Slack, in `card-estimate.test.ts`).
 */
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import type { ApiMessage } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { embedsOf, originalReply, waitFor } from '../discord/discord-harness';

let harness: DiscordWorld;

beforeAll(async () => {
  harness = await startDiscordWorld();
});

afterAll(async () => {
  await harness?.stop();
});

/** The sandbox reports a DCDN object without an ObjectType as a file. */
const FILES: DurationGroup = { kind: 'dcdn', account: 'default', subtype: 'file', size: '1' };

function plantRefresh(objectType: string, createdAt?: number): string {
  return harness.sandbox.addTask({
    kind: 'dcdn',
    ...(createdAt === undefined ? {} : { createdAt }),
    attributes: { ObjectType: objectType },
    items: [{ name: `http://example.com/${objectType}/`, steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }],
  });
}

/** The Watch field of the card once the engine has filled it in, as a reader sees it. */
async function watchFieldOnceSeen(ids: string): Promise<string> {
  const interaction = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids } });
  const card = await originalReply(harness.fake, interaction);
  const field = (message: ApiMessage | undefined): string | undefined => embedsOf(message ?? {})[0]?.fields?.find((entry) => entry.name === 'Watch')?.value;
  const value = await waitFor('the engine to fill in the card', () => field(harness.fake.messages.get(card.id)));
  return value.replace(/\\(.)/g, '$1');
}

test('given 10 past refreshes of files (1 to 10 min), then a new one says usually 1-9 min, since when it has run and when it is typically done, both counted by the client of each reader; a directory, with no history, says nothing of it', async () => {
  for (const minute of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    await harness.engine!.durations.record(FILES, `dcdn-past${minute}`, { taskId: String(minute), durationMs: minute * 60_000, failed: false, endedAt: minute });
  }
  // Started 2 min before it is watched: the card counts from the cloud's start, not the watch's.
  const createdAt = harness.clock.now() - 2 * 60_000;
  const file = plantRefresh('file', createdAt);
  const field = await watchFieldOnceSeen(file);
  // DCDN CreationTime has whole seconds; the typical end is that plus the median, 5 min.
  const started = Math.floor(createdAt / 1000);
  expect(field).toContain(`⏱ usually 1-9 min (median 5 min, 10 past tasks); started <t:${started}:R>, typically done <t:${started + 300}:R>`);

  const directory = plantRefresh('directory');
  expect(await watchFieldOnceSeen(directory)).not.toContain('usually');
});
