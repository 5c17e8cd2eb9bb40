/**
 * A subscription follows the watch cadence: `taskwatch start` (through `startTaskwatch`) with a
 * CDN subscription made in Slack, against the fake Slack and a cloud sandbox on real time. A
 * task submitted after the subscription's first listing is announced by the next one, which
 * comes `WATCH_INTERVAL_MS` later (it came 30 s later, whatever the setting).
 */
import type { RunningTaskwatch } from '../../../src/main';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { fakeSlackSettings, sandboxTencentSettings, startWholeTaskwatch } from '../../support/whole-process';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
const CHANNEL = 'C0SUBSCRIBE';

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
      WATCH_INTERVAL_MS: '1000',
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
    await waitFor('the first listing', () => sandbox.calls.some((call) => call.action === 'DescribePushTasks'), 10_000);

    const taskId = sandbox.addTask({
      kind: 'cdn',
      items: [{ name: 'https://www.example.com/new.js', steps: [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 60_000, status: 'done', percent: 100 }] }],
    });

    // Bounded well below the old fixed 30 s and well above the 1 s cadence.
    const card = await slack.waitForCall((call) => call.method === 'chat.postMessage' && JSON.stringify(call.body).includes(taskId), 15_000);
    expect(JSON.stringify(card.body)).toContain(CHANNEL);
  }, 40_000);
});
