/**
 * Slack and Discord in one process: `startTaskwatch` with both configured, each platform's real
 * client library against its local fake, the cloud sandbox's demo tasks behind the providers.
 */
import type { RunningTaskwatch } from '../../../src/main';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { fakeDiscordSettings, fakeSlackSettings, startWholeTaskwatch } from '../../support/whole-process';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
const DEMO_DTS_ID = 'cafebabe-2026-4000-8000-000000000001';

describe('Slack and Discord in one process', () => {
  let redis: TestRedis;
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let running: RunningTaskwatch;

  beforeAll(async () => {
    [redis, slack, discord] = await Promise.all([startTestRedis(), startFakeSlack(), startFakeDiscord()]);
    running = await startWholeTaskwatch({ REDIS_URL: redis.url, ...fakeSlackSettings(slack, SIGNING_SECRET), ...fakeDiscordSettings(discord) });
  }, 30_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all([slack?.stop(), discord?.close(), redis?.stop()]);
  });

  it('given a query in each platform, then each is answered on its own platform with the task state', async () => {
    const answer = await postSlashCommand(
      `http://127.0.0.1:${running.httpPort}/slack/events`,
      { text: `dts ${DEMO_DTS_ID}`, response_url: slack.newResponseUrl(), channel_id: 'C0SLACK' },
      { signingSecret: SIGNING_SECRET },
    );
    expect(answer.status).toBe(200);
    const posted = await slack.waitForCall((call) => call.method === 'chat.postMessage' && JSON.stringify(call.body).includes(DEMO_DTS_ID), 10_000);
    expect(JSON.stringify(posted.body)).toContain('running');

    await discord.waitForGatewaySession(10_000);
    await discord.slashCommand({ subcommand: 'query', options: { kind: 'dts', ids: DEMO_DTS_ID } });
    const edited = await discord.waitForCall((call) => call.method === 'PATCH' && call.path.includes('@original') && JSON.stringify(call.body).includes(DEMO_DTS_ID), 10_000);
    expect(JSON.stringify(edited.body)).toContain('running');
  });

  it('given a Discord subscribe then subscriptions, then the subscription service behind both platforms lists it', async () => {
    await discord.waitForGatewaySession(10_000);
    const channelId = discord.guilds[0]!.channels[0]!.id;
    const subscribe = await discord.slashCommand({ subcommand: 'subscribe', channelId, options: { kind: 'cdn', status: 'fail,invalid' } });
    await discord.waitForCall((call) => call.path.includes(subscribe.token) && JSON.stringify(call.body).toLowerCase().includes('subscri'), 10_000);
    const list = await discord.slashCommand({ subcommand: 'subscriptions', channelId });
    const listed = await discord.waitForCall((call) => call.path.includes(list.token) && JSON.stringify(call.body).includes('fail'), 10_000);
    expect(JSON.stringify(listed.body)).toMatch(/1\W/);
  });

  it('given both adapters connected, then /readyz reports each of them ready', async () => {
    const response = await fetch(`http://127.0.0.1:${running.httpPort}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ checks: { redis: true, slack: true, discord: true } });
  });
});
