/**
 * A subscription follows the watch cadence in Discord too (issue 15): `taskwatch start` (through
 * `startTaskwatch`) with a CDN subscription made by `/task-status subscribe` in the fake Discord,
 * the real discord.js client, the cloud sandbox on real time. A task submitted after the
 * subscription's first listing gets its card by the next listing, which comes
 * `WATCH_INTERVAL_MS` later (it came 30 s later, whatever the setting), and that card's first post
 * shows the task's checked state.
 *
 * A listing posts its cards before the next listing of its group is scheduled (one job per
 * group, rescheduled when a run ends), so "by the next listing" is asserted by counting listings,
 * whatever the machine's speed. The cadence itself is judged by the engine's own schedule (see
 * `test/support/subscription-cadence.ts`): listings are never closer than `WATCH_INTERVAL_MS`,
 * and the pause a sweep schedules is never longer. The waits' bounds only keep a broken cadence
 * from hanging.
 */
import type { RunningTaskwatch } from '../../../src/main';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeDiscord, type FakeDiscord, type RecordedDiscordCall } from '../../fakes/discord/fake-discord';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { cdnListings, listingGaps, scheduledSweepDelay } from '../../support/subscription-cadence';
import { waitFor } from '../../support/wait';
import { fakeDiscordSettings, sandboxTencentSettings, startWholeTaskwatch } from '../../support/whole-process';

const WATCH_INTERVAL_MS = 1000;

describe('subscription cadence in Discord', () => {
  let redis: TestRedis;
  let discord: FakeDiscord;
  let sandbox: CloudSandbox;
  let running: RunningTaskwatch;

  beforeAll(async () => {
    [redis, discord, sandbox] = await Promise.all([startTestRedis(), startFakeDiscord(), CloudSandbox.start()]);
    running = await startWholeTaskwatch({
      REDIS_URL: redis.url,
      ...fakeDiscordSettings(discord),
      ...sandboxTencentSettings(sandbox),
      WATCH_INTERVAL_MS: String(WATCH_INTERVAL_MS),
      WATCH_MAX_INTERVAL_MS: '5000',
    });
  }, 30_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all([discord?.close(), sandbox?.stop(), redis?.stop()]);
  });

  const listings = (): number => cdnListings(sandbox).length;

  it('given a CDN subscription, when a task is submitted after its first listing, then the next listing posts its card with the checked state', async () => {
    const channelId = (discord.guilds[0] as FakeDiscord['guilds'][number]).channels[0]?.id as string;
    await discord.slashCommand({ subcommand: 'subscribe', channelId, options: { kind: 'cdn' } });
    await waitFor('the first listing', () => listings() > 0, 10_000);

    const taskId = sandbox.addTask({
      kind: 'cdn',
      items: [{ name: 'https://www.example.com/new.js', steps: [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 60_000, status: 'done', percent: 100 }] }],
    });
    const listedBefore = listings();

    // Counted as the card arrives (the fake calls the predicate as it records the call).
    let listedAtCard = Number.NaN;
    const isCard = (call: RecordedDiscordCall): boolean => {
      const card = call.method === 'POST' && call.path === `/channels/${channelId}/messages` && JSON.stringify(call.body).includes(taskId);
      if (card) listedAtCard = listings();
      return card;
    };
    const card = await discord.waitForCall(isCard, 60_000);
    // One listing may have been under way when the task was submitted, and its window may end just
    // before the task's creation second; the one after sees it.
    expect(listedAtCard - listedBefore).toBeGreaterThanOrEqual(1);
    expect(listedAtCard - listedBefore).toBeLessThanOrEqual(3);
    const body = JSON.stringify(card.body);
    expect(body).toContain('Running');
    expect(body).not.toMatch(/Unknown|Waiting for the first check|no status/);

    // The cadence is the setting: never sooner between listings, never a longer pause scheduled.
    const gaps = listingGaps(cdnListings(sandbox));
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(WATCH_INTERVAL_MS);
    expect(await scheduledSweepDelay(redis.url)).toBeLessThanOrEqual(WATCH_INTERVAL_MS);
  }, 90_000);
});
