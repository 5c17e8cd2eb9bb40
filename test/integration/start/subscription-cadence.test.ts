/**
 * A subscription follows the watch cadence: `taskwatch start` (through `startTaskwatch`) with a
 * CDN subscription made in Slack, against the fake Slack and a cloud sandbox on real time. A
 * task submitted after the subscription's first listing is announced by the next one, which
 * comes `WATCH_INTERVAL_MS` later (it came 30 s later, whatever the setting).
 *
 * Judged by events and by the engine's own schedule, never by elapsed time (see
 * `test/support/subscription-cadence.ts`): the card comes with the first or second listing after
 * the task, listings are never closer than the cadence, and the pause a sweep schedules is never
 * longer. The waits' bounds only keep a broken cadence from hanging.
 */
import type { RunningTaskwatch } from '../../../src/main';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { cdnListings, listingGaps, scheduledSweepDelay } from '../../support/subscription-cadence';
import { waitFor } from '../../support/wait';
import { fakeSlackSettings, sandboxTencentSettings, startWholeTaskwatch } from '../../support/whole-process';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
const CHANNEL = 'C0SUBSCRIBE';
const WATCH_INTERVAL_MS = 1000;

describe('subscription cadence', () => {
  let redis: TestRedis;
  let slack: FakeSlack;
  let sandbox: CloudSandbox;
  let running: RunningTaskwatch;

  beforeAll(async () => {
    [redis, slack, sandbox] = await Promise.all([startTestRedis(), startFakeSlack(), CloudSandbox.start()]);
    running = await startWholeTaskwatch({
      REDIS_URL: redis.url,
      ...fakeSlackSettings(slack, SIGNING_SECRET),
      ...sandboxTencentSettings(sandbox),
      WATCH_INTERVAL_MS: String(WATCH_INTERVAL_MS),
      WATCH_MAX_INTERVAL_MS: '5000',
    });
  }, 30_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all([slack?.stop(), sandbox?.stop(), redis?.stop()]);
  });

  it('given a CDN subscription, when a task is submitted after its first listing, then the task gets its card at the next listing', async () => {
    const answer = await postSlashCommand(
      `http://127.0.0.1:${running.httpPort}/slack/events`,
      { text: 'subscribe cdn', response_url: slack.newResponseUrl(), channel_id: CHANNEL },
      { signingSecret: SIGNING_SECRET },
    );
    expect(answer.status).toBe(200);
    await waitFor('the first listing', () => cdnListings(sandbox).length > 0, 10_000);

    const taskId = sandbox.addTask({
      kind: 'cdn',
      items: [{ name: 'https://www.example.com/new.js', steps: [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 60_000, status: 'done', percent: 100 }] }],
    });
    const listedBefore = cdnListings(sandbox).length;

    // Counted as the card arrives (the fake calls the predicate as it records the call).
    let listedAtCard = Number.NaN;
    const isCard = (call: RecordedCall): boolean => {
      const card = call.method === 'chat.postMessage' && JSON.stringify(call.body).includes(taskId);
      if (card) listedAtCard = cdnListings(sandbox).length;
      return card;
    };
    const card = await slack.waitForCall(isCard, 60_000);
    expect(JSON.stringify(card.body)).toContain(CHANNEL);
    // One listing may have been under way when the task was submitted, and its window may end just
    // before the task's creation second; the one after sees it.
    expect(listedAtCard - listedBefore).toBeGreaterThanOrEqual(1);
    expect(listedAtCard - listedBefore).toBeLessThanOrEqual(3);

    // The cadence is the setting: never sooner between listings, never a longer pause scheduled.
    const gaps = listingGaps(cdnListings(sandbox));
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(WATCH_INTERVAL_MS);
    expect(await scheduledSweepDelay(redis.url)).toBeLessThanOrEqual(WATCH_INTERVAL_MS);
  }, 90_000);
});
