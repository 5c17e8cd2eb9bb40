/**
 * CDN purge tasks through the whole process: `taskwatch start` (through `startTaskwatch`) with
 * Slack against the fake Slack and a cloud sandbox on real time, reached by the real SDK. The
 * kind was added as one provider file, its sandbox API and tests; here it is queried, watched
 * to its end, and subscribed to, like every other kind.
 */
import type { RunningTaskwatch } from '../../../src/main';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS } from '../../../src/sandbox/types';
import { TASK_KINDS } from '../../../src/providers/types';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { fakeSlackSettings, sandboxTencentSettings, startWholeTaskwatch } from '../../support/whole-process';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
const API_TOKEN = 'api-token-for-purge-tests-0123456789';

describe('CDN purge tasks through the whole process', () => {
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
      API_TOKEN,
      WATCH_INTERVAL_MS: '300',
      WATCH_MAX_INTERVAL_MS: '1000',
    });
  }, 30_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all([slack?.stop(), sandbox?.stop(), redis?.stop()]);
  });

  const command = async (text: string, channel: string): Promise<void> => {
    const answer = await postSlashCommand(`http://127.0.0.1:${running.httpPort}/slack/events`, { text, response_url: slack.newResponseUrl(), channel_id: channel }, { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);
  };
  const bodyOf = (call: RecordedCall): string => JSON.stringify(call.body);
  const inChannel = (call: RecordedCall, channel: string): boolean => (call.body as Record<string, unknown>)['channel'] === channel;

  it('given a purge with one URL done and one in progress, when it is queried, then the reply shows the task under way and each URL', async () => {
    const id = sandbox.addTask({
      kind: 'purge',
      items: [
        { name: 'https://www.example.com/a.css', steps: [{ afterMs: 0, status: 'done' }] },
        { name: 'https://www.example.com/b.css', steps: [{ afterMs: 0, status: 'process' }] },
      ],
    });
    await command(`purge ${id}`, 'C0PURGEQUERY');
    const reply = await slack.waitForCall((call) => bodyOf(call).includes(id), 10_000);
    expect(bodyOf(reply)).toMatch(/Running \(process\)/);
    expect(bodyOf(reply)).toContain('https://www.example.com/b.css');
    expect(sandbox.calls.some((call) => call.action === 'DescribePurgeTasks' && call.params['TaskId'] === id)).toBe(true);
    expect(bodyOf(reply)).not.toContain(SANDBOX_DEMO_CREDENTIALS[0]?.secret ?? 'never');
  });

  it('given a watched purge, when it finishes, then its card is posted and its end is told in the channel', async () => {
    const channel = 'C0PURGEWATCH';
    const id = sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/c.css', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 2_000, status: 'done' }] }] });
    await command(`watch purge ${id}`, channel);
    const card = await slack.waitForCall((call) => call.method === 'chat.postMessage' && inChannel(call, channel) && bodyOf(call).includes(id), 10_000);
    const cardIndex = slack.calls.indexOf(card);
    const told = await waitFor(
      'the end of the purge told in the channel',
      () => slack.calls.slice(cardIndex + 1).find((call) => inChannel(call, channel) && /succeeded/i.test(bodyOf(call))),
      15_000,
    );
    expect(['chat.postMessage', 'chat.update']).toContain(told.method);
  });

  it('given a subscription to failed purges, when a purge fails and another succeeds, then only the failed one gets a card', async () => {
    const channel = 'C0PURGESUB';
    await command('subscribe purge status=fail', channel);
    await waitFor('the first purge listing', () => sandbox.calls.some((call) => call.action === 'DescribePurgeTasks' && call.params['StartTime'] !== undefined), 10_000);
    const succeeded = sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/ok/', steps: [{ afterMs: 0, status: 'done' }] }], attributes: { PurgeType: 'path', FlushType: 'flush' } });
    const failed = sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/broken/', steps: [{ afterMs: 0, status: 'fail' }] }], attributes: { PurgeType: 'path', FlushType: 'flush' } });
    await slack.waitForCall((call) => call.method === 'chat.postMessage' && inChannel(call, channel) && bodyOf(call).includes(failed), 15_000);
    // Two more listings after the card: the succeeded purge had every chance to be announced.
    const listings = sandbox.calls.filter((call) => call.action === 'DescribePurgeTasks').length;
    await waitFor('two more purge listings', () => sandbox.calls.filter((call) => call.action === 'DescribePurgeTasks').length >= listings + 2, 10_000);
    expect(slack.calls.some((call) => inChannel(call, channel) && bodyOf(call).includes(succeeded))).toBe(false);

    await command('subscriptions', channel);
    const listed = await slack.waitForCall((call) => bodyOf(call).includes('new CDN purge tasks'), 10_000);
    expect(bodyOf(listed)).toContain('status fail');
  }, 40_000);

  it('given the watch API, then a purge watch is accepted, and an unknown kind is refused with the kind list that includes purge', async () => {
    const post = (body: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${running.httpPort}/api/watches`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` }, body: JSON.stringify(body) });
    const id = sandbox.addTask({ kind: 'purge' });
    const accepted = await post({ kind: 'purge', ids: [id], channel: 'slack:C0PURGEAPI' });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ watches: [{ kind: 'purge', taskId: id, channel: 'slack:C0PURGEAPI' }] });
    await slack.waitForCall((call) => call.method === 'chat.postMessage' && inChannel(call, 'C0PURGEAPI') && bodyOf(call).includes(id), 10_000);

    const refused = await post({ kind: 'purj', ids: [id], channel: 'slack:C0PURGEAPI' });
    expect(refused.status).toBe(400);
    const refusal = JSON.stringify(await refused.json());
    expect(refusal).toContain(`must be one of ${TASK_KINDS.join(', ')}`);
    expect(refusal).toMatch(/must be one of [a-z, ]*\bpurge\b/);
  });

  it('given a purge subscription filtered by a prefetch-only status, then the reply names the purge statuses and nothing is subscribed', async () => {
    const channel = 'C0PURGEBAD';
    await command('subscribe purge status=invalid', channel);
    const reply = await slack.waitForCall((call) => bodyOf(call).includes('is not a CDN purge status'), 10_000);
    expect(bodyOf(reply)).toContain('fail, done, process');
    await command('subscriptions', channel);
    await slack.waitForCall((call) => bodyOf(call).includes('This channel has no subscriptions'), 10_000);
  });
});
