/**
 * Watch and subscription limits through the chat surfaces: the real Bolt app against the fake
 * Slack (slash command and Watch button) and the real discord.js client against the fake
 * Discord with the real watch engine, the quota counted in a real redis-server, the cloud
 * sandbox. Past a limit: a short refusal naming the limit and how to make room, an audit line
 * with reason limit_exceeded, and no cloud call for the refused tasks.
 */
import { MessageFlags } from 'discord.js';
import { AccessPolicy } from '../../../src/accounts/access-policy';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { WATCH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { encodeSelection } from '../../../src/chat/slack/button-value';
import type { CommandServices } from '../../../src/commands/types';
import type { ChannelAddress } from '../../../src/jobs/notifier';
import type { SubscribeRequest, SubscriptionService, SubscriptionSummary } from '../../../src/jobs/subscriptions/subscription-service';
import { WatchQuota, type WatchLimits } from '../../../src/jobs/watch-quota';
import { WatchStore } from '../../../src/jobs/watch-life/watch-store';
import { blockActionPayload, postInteraction, postSlashCommand } from '../../fakes/slack/signed-requests';
import { RecordingWatchService } from '../../support/recording-watch-service';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { bodyOf, isFollowUp, startDiscordHarness, type DiscordHarness } from '../discord/discord-harness';
import { SIGNING_SECRET, startSlackHarness, textOfMessage, type SlackHarness } from '../slack/slack-harness';

const UNLIMITED: WatchLimits = { activePerChannel: 1000, activePerUser: 1000, activePerToken: 1000, newPerMinutePerUser: 1000, newPerMinutePerToken: 1000 };
const WAIT_MS = 10_000;

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: RedisFixture['redis'];

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

/** Subscriptions kept in memory: what the limit counts is the channel's list. */
class ListedSubscriptions implements SubscriptionService {
  readonly requests: SubscribeRequest[] = [];
  async subscribe(request: SubscribeRequest): Promise<SubscriptionSummary> {
    this.requests.push(request);
    return { subscriptionId: `s${this.requests.length}`, number: this.requests.length, channel: request.channel, kind: request.kind, account: 'default', region: null, domain: null, statuses: [], createdBy: request.requestedBy, createdAt: new Date().toISOString() };
  }
  async list(channel: ChannelAddress): Promise<SubscriptionSummary[]> {
    return this.requests
      .filter((request) => request.channel.channelId === channel.channelId)
      .map((request, index) => ({ subscriptionId: `s${index}`, number: index + 1, channel, kind: request.kind, account: 'default', region: null, domain: null, statuses: [], createdBy: request.requestedBy, createdAt: '' }));
  }
  async unsubscribe(): Promise<null> {
    return null;
  }
  async unsubscribeAll(): Promise<number> {
    return 0;
  }
  async mute(): Promise<never> {
    throw new Error('not used');
  }
  async unmute(): Promise<never> {
    throw new Error('not used');
  }
  async muteState(): Promise<null> {
    return null;
  }
}

const limitRefusals = (lines: readonly string[]): Array<Record<string, unknown>> =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['reason'] === 'limit_exceeded');

describe('limits through Slack', () => {
  let harness: SlackHarness;
  const watches = new RecordingWatchService();
  const subscriptions = new ListedSubscriptions();
  const auditLines: string[] = [];

  beforeAll(async () => {
    const prefix = uniqueQueueName('limits-slack');
    const quota = new WatchQuota(redis, new WatchStore(redis, `${prefix}:tw`), `${prefix}:tw:quota`, { ...UNLIMITED, newPerMinutePerUser: 3 });
    const services: Partial<CommandServices> = {
      subscriptions,
      access: { policy: AccessPolicy.allowAll(), audit: createAuditLog((line) => auditLines.push(line)) },
      limits: { watches: quota, subscriptionsPerChannel: 1 },
    };
    harness = await startSlackHarness({ mode: 'http', watches, services });
  });

  afterAll(async () => {
    await harness.stop();
  });

  const slash = async (text: string, userId = 'U0ALICE'): Promise<string> => {
    const responseUrl = harness.slack.newResponseUrl();
    const answer = await postSlashCommand(harness.eventsUrl, { text, response_url: responseUrl, channel_id: 'C0OPS', user_id: userId }, { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);
    const reply = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    return textOfMessage(reply.body);
  };

  it('given a user past the new watches per minute, then the slash command and the Watch button are refused, audited, and reach no cloud', async () => {
    const allowed = ['1533031853231313301', '1533031853231313302', '1533031853231313303'];
    await slash(`watch cdn ${allowed.join(' ')}`);
    expect(watches.requests.map((request) => request.refs.map((ref) => ref.id))).toEqual([allowed]);

    const refused = await slash('watch cdn 1533031853231313304');
    expect(refused).toMatch(/You may start at most 3 watches a minute\. Try again in \d+ s\./);

    const value = encodeSelection({ kind: 'cdn', ids: ['1533031853231313305'] }) as string;
    const responseUrl = harness.slack.newResponseUrl();
    await postInteraction(
      harness.eventsUrl,
      blockActionPayload({ button: { blockId: 'taskwatch_actions', actionId: WATCH_ACTION_ID, value, text: 'Watch' }, channelId: 'C0OPS', messageTs: '1700000000.000200', messageBlocks: [], responseUrl, userId: 'U0ALICE' }),
      { signingSecret: SIGNING_SECRET },
    );
    const pressed = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOfMessage(pressed.body)).toMatch(/You may start at most 3 watches a minute/);

    expect(watches.requests).toHaveLength(1);
    expect(harness.sandbox.calls.filter((call) => JSON.stringify(call.params).includes('1533031853231313304') || JSON.stringify(call.params).includes('1533031853231313305'))).toEqual([]);
    expect(limitRefusals(auditLines)).toEqual([
      expect.objectContaining({ who: 'slack:U0ALICE', where: 'slack:C0OPS', action: 'watch', ids: ['1533031853231313304'], outcome: 'refused', reason: 'limit_exceeded' }),
      expect.objectContaining({ who: 'slack:U0ALICE', action: 'watch', ids: ['1533031853231313305'], reason: 'limit_exceeded' }),
    ]);
    // Another user has a minute of their own.
    await slash('watch cdn 1533031853231313306', 'U0BOB');
    expect(watches.requests).toHaveLength(2);
  });

  it('given a channel at its limit of subscriptions, then another subscribe is refused with how to make room, and audited', async () => {
    await slash('subscribe cdn');
    expect(subscriptions.requests).toHaveLength(1);
    // Slack mrkdwn sends < and > as entities; Slack shows them as the characters.
    expect(await slash('subscribe tcss')).toContain('This channel already has its limit of 1 subscriptions. See them with /task-status subscriptions and remove one with /task-status unsubscribe &lt;n&gt;.');
    expect(subscriptions.requests).toHaveLength(1);
    expect(limitRefusals(auditLines).at(-1)).toEqual(expect.objectContaining({ action: 'subscribe', kind: 'tcss', outcome: 'refused', reason: 'limit_exceeded' }));
  });
});

describe('limits through Discord', () => {
  let harness: DiscordHarness;
  const auditLines: string[] = [];

  beforeAll(async () => {
    const prefix = uniqueQueueName('limits-discord');
    const quota = new WatchQuota(redis, new WatchStore(redis, `${prefix}:tw`), `${prefix}:tw:quota`, { ...UNLIMITED, activePerUser: 2 });
    harness = await startDiscordHarness({
      redisUrl: redisServer.url,
      prefix,
      services: { access: { policy: AccessPolicy.allowAll(), audit: createAuditLog((line) => auditLines.push(line)) }, limits: { watches: quota } },
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('given a user at the limit of active watches, then /task-status watch is refused privately before any query, and audited; ending one makes room', async () => {
    const tasks = [0, 1, 2].map(() => harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/a', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }] }));
    const [first, second, third] = tasks as [string, string, string];
    const started = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: `${first} ${second}` } });
    await harness.fake.waitForCall(isFollowUp(harness.fake, started), WAIT_MS);
    await harness.engine?.list({ platform: 'discord', channelId: harness.channelId }).then((list) => expect(list).toHaveLength(2));

    const callsBefore = harness.sandbox.calls.length;
    const refused = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: third } });
    const followUp = await harness.fake.waitForCall(isFollowUp(harness.fake, refused), WAIT_MS);
    expect(Number(bodyOf(followUp)['flags']) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(String(bodyOf(followUp)['content']).replace(/\\(.)/g, '$1')).toBe(
      'You already have your limit of 2 active watches. See this channel\'s watches with /task-status list and end some with /task-status unwatch, or wait for them to end.',
    );
    // No query ran for the refused task: the limit was checked first.
    expect(harness.sandbox.calls.slice(callsBefore).filter((call) => JSON.stringify(call.params).includes(third))).toEqual([]);
    expect(limitRefusals(auditLines)).toEqual([expect.objectContaining({ platform: 'discord', action: 'watch', ids: [third], outcome: 'refused', reason: 'limit_exceeded' })]);

    await harness.engine?.unwatch({ platform: 'discord', channelId: harness.channelId }, [{ kind: 'dcdn', id: first }]);
    const again = await harness.fake.slashCommand({ subcommand: 'watch', options: { kind: 'dcdn', ids: third } });
    const confirmation = await harness.fake.waitForCall(isFollowUp(harness.fake, again), WAIT_MS);
    expect(String(bodyOf(confirmation)['content'])).toMatch(/Watching/);
  });
});
