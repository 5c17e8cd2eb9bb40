/**
 * Thread messages whose task state did not change read for people in Discord (issue 15): the
 * real watch engine on a real redis-server posting through the adapter's notifier (discord.js
 * REST) to the fake Discord, the sandbox on the harness's manual clock. Such messages used to be
 * titled "🔄 Running → 🔄 Running": an item that failed inside a running task, and an ending by
 * unwatch or deadline. Now the state is said once, and the failed item is counted and named.
 */
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { ApiMessage } from '../../fakes/discord/fake-discord';
import { startDiscordWorld, type DiscordWorld } from '../../support/discord-world';
import { embedsOf, waitFor } from './discord-harness';

/** The watches' deadline, on the manual clock. */
const DEADLINE_MS = 600_000;

let harness: DiscordWorld;
let engine: WatchEngine;

beforeAll(async () => {
  harness = await startDiscordWorld({ watch: { deadlineMs: DEADLINE_MS } });
  engine = harness.engine as WatchEngine;
});

afterAll(async () => {
  await harness?.stop();
});

/** Text with Discord's markdown escapes removed, as a reader sees it. */
const rendered = (text: string): string => text.replace(/\\(.)/g, '$1');

/** A thread message's embed as a reader sees it: title, description and field values, one per line. */
function readable(message: ApiMessage): string {
  const embed = embedsOf(message)[0];
  return [embed?.title ?? '', embed?.description ?? '', ...(embed?.fields ?? []).map((field) => `${field.name}: ${field.value}`)].map(rendered).join('\n');
}

const channel = (): { platform: 'discord'; channelId: string } => ({ platform: 'discord', channelId: harness.channelId });

/** The card of a task in the channel, once posted. */
async function cardOf(taskId: string): Promise<ApiMessage> {
  return waitFor('the card', () => harness.fake.messagesIn(harness.channelId).find((message) => rendered(embedsOf(message)[0]?.title ?? '').includes(taskId)));
}

/** Messages in a card's thread (a message's thread has the message's ID). */
const threadOf = (card: ApiMessage): ApiMessage[] => harness.fake.messagesIn(card.id);

async function queueDrained(): Promise<void> {
  await waitFor('notify queue drained', async () => {
    const counts = await engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
    return counts !== undefined && Object.values(counts).every((count) => count === 0);
  });
}

test('given a CDN prefetch in which one of three URLs fails while the task still runs, then its one thread message is titled "Still running" and says "1 of 3 URLs failed: <the URL>"', async () => {
  const running = [{ afterMs: 0, status: 'process', percent: 10 }];
  const id = harness.sandbox.addTask({
    kind: 'cdn',
    items: [
      { name: 'https://www.example.com/a.js', steps: running },
      { name: 'https://www.example.com/broken.js', steps: [...running, { afterMs: 30_000, status: 'fail', percent: 0 }] },
      { name: 'https://www.example.com/c.js', steps: running },
    ],
  });
  await engine.watch({ refs: [{ kind: 'cdn', id }], channel: channel(), requestedBy: 'U1' });
  const card = await cardOf(id);

  harness.clock.advance(30_000);
  await waitFor('the message about the URL', () => threadOf(card).length >= 1);
  await queueDrained();
  const thread = threadOf(card);
  expect(thread).toHaveLength(1);
  const embed = embedsOf(thread[0] as ApiMessage)[0];
  expect(rendered(embed?.title ?? '')).toBe(`🔄 Still running: CDN prefetch ${id}`);
  expect(rendered(embed?.description ?? '').split('\n')[0]).toBe('1 of 3 URLs failed: https://www.example.com/broken.js');
  expect(readable(thread[0] as ApiMessage)).not.toContain('Running → ');
});

test('given a watch stopped on request while the task runs, then its ending message shows the state once and why the watch ended', async () => {
  const id = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: channel(), requestedBy: 'U1' });
  const card = await cardOf(id);

  await engine.unwatch(channel(), [{ kind: 'redis', id, region: 'ap-guangzhou' }]);
  await waitFor('the ending message', () => threadOf(card).length >= 1);
  await queueDrained();
  const [ending] = threadOf(card);
  expect(rendered(embedsOf(ending as ApiMessage)[0]?.title ?? '')).toBe(`🔄 Running: Redis task ${id}`);
  expect(readable(ending as ApiMessage)).toContain('Watch ended: Watching stopped on request.');
  expect(readable(ending as ApiMessage)).not.toContain('→');
});

test('given a watch that reaches its deadline while the task runs, then its ending message shows the state once and says the deadline ended it', async () => {
  const id = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: channel(), requestedBy: 'U1' });
  const card = await cardOf(id);

  harness.clock.advance(DEADLINE_MS + 1000);
  await waitFor('the ending message', () => threadOf(card).length >= 1);
  await queueDrained();
  const thread = threadOf(card);
  expect(thread).toHaveLength(1);
  expect(rendered(embedsOf(thread[0] as ApiMessage)[0]?.title ?? '')).toBe(`🔄 Running: Redis task ${id}`);
  expect(readable(thread[0] as ApiMessage)).toMatch(/Watch ended: .*deadline/);
  expect(readable(thread[0] as ApiMessage)).not.toContain('→');
});
