/**
 * Subscriptions are re-authorized: a subscription stored in Redis keeps posting a channel's
 * cards only while the current rules allow that channel, subscriber and account. Real
 * redis-server, the real providers against the cloud sandbox (manual clock), BullMQ sweeps, the
 * real access policy and audit log; "a restart with an edited accounts file" is a new stack with
 * a new policy on the same Redis.
 */
import type Redis from 'ioredis';
import { AccessPolicy } from '../../../src/accounts/access-policy';
import type { AccountAccess } from '../../../src/accounts/accounts-file';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { subscriptionAuthorizer } from '../../../src/accounts/subscription-access';
import { parseAccessSubject } from '../../../src/accounts/access-subject';
import type { CloudAccount } from '../../../src/config';
import { subscriptionGroupIdOf } from '../../../src/jobs/subscriptions/subscription-records';
import type { SubscriptionAuthorizer } from '../../../src/jobs/subscriptions/subscription-service';
import { subscriptionListText } from '../../../src/commands/messages';
import { channelNoticeText } from '../../../src/chat/render/channel-notice-text';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { sandboxAccountsWithRefused } from '../../support/engine-settings';
import { MemoryNotifier, startStack, waitFor, type TestStack } from './subscription-setup';
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { startFakeSlack, type FakeSlackHold } from '../../fakes/slack/fake-slack';

const SUBSCRIBED = { platform: 'slack', channelId: 'CSUB' } as const;
const HEARTBEAT = { platform: 'slack', channelId: 'COK' } as const;
const CDN_GROUP = subscriptionGroupIdOf({ kind: 'cdn', account: 'default', region: null });

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

/** The access rule of the sandbox's Tencent `default` account: these Slack channels, and these users (null: anyone). */
function rule(channels: readonly string[], users: readonly string[] | null = null): AccountAccess {
  return {
    cloud: 'tencent',
    account: 'default',
    channels: { slack: channels, discord: [] },
    users: users === null ? null : users.map((entry) => {
      const parsed = parseAccessSubject(entry);
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.value;
    }),
  };
}

describe('subscriptions are re-authorized against the current rules', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let prefix: string;
  let notifier: MemoryNotifier;
  let stack: TestStack | null;
  let accounts: CloudAccount[];
  let policy: AccessPolicy;
  let auditLines: string[];
  let warnings: string[];

  // The stack reads the policy at each decision, so a test can change the rules while it runs
  // (as a change of Slack group membership would) or between two stacks (an edited accounts file).
  const authorize: SubscriptionAuthorizer = (subject) => subscriptionAuthorizer(policy)(subject);
  const setRules = (rules: readonly AccountAccess[]): void => {
    policy = new AccessPolicy({ accounts: [], access: rules, channelDefaults: [], apiTokens: [] }, accounts);
  };

  const start = async (): Promise<TestStack> => {
    const audit = createAuditLog((line) => auditLines.push(line));
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_object: Record<string, unknown>, message?: string) => warnings.push(message ?? '') };
    stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier, now: () => clock.now(), accounts, subscriptionAccess: { authorize, audit, logger } });
    return stack;
  };

  const restart = async (): Promise<TestStack> => {
    await stack?.stop();
    stack = null;
    return start();
  };

  /** Resolves once two complete sweeps of the default CDN group have listed up to the current clock. */
  const sweptToNow = async (): Promise<void> => {
    const cursorKey = `${prefix}:tw:sub:cursor:${CDN_GROUP}`;
    for (let sweep = 0; sweep < 2; sweep += 1) {
      const target = clock.now();
      await waitFor(`a sweep up to ${target}`, async () => Number((await redis.get(cursorKey)) ?? 0) >= target);
      clock.advance(1);
    }
  };

  const plantCdn = (name: string): string => {
    clock.advance(1000);
    const id = sandbox.addTask({ kind: 'cdn', createdAt: clock.now(), items: [{ name: `https://www.example.com/${name}`, steps: [{ afterMs: 0, status: 'process' }] }] });
    clock.advance(1000);
    return id;
  };

  const audited = (): Array<Record<string, unknown>> => auditLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['action'] === 'subscription.suspend');
  const cardsIn = (channelId: string, taskId: string): number => notifier.of({ type: 'card', channel: `slack:${channelId}`, taskId }).length;
  const noticesIn = (channelId: string): Array<Record<string, unknown>> => notifier.of({ type: 'notice', channel: `slack:${channelId}` }).map((event) => ({ ...event.notice }));

  beforeEach(async () => {
    clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock });
    prefix = uniqueQueueName('reauth');
    notifier = new MemoryNotifier();
    stack = null;
    auditLines = [];
    warnings = [];
    const sandboxTencent = sandboxAccountsWithRefused(sandbox.url).find((account) => account.cloud === 'tencent' && account.name === 'default') as CloudAccount;
    accounts = [...sandboxAccountsWithRefused(sandbox.url), { ...sandboxTencent, name: 'staging' }];
    setRules([rule(['CSUB', 'COK'])]);
  });

  afterEach(async () => {
    await stack?.stop();
    await sandbox?.stop();
  });

  test('given a channel removed from the account\'s slackChannels while the bot was down, then at start its subscription is suspended, the channel is told once, the audit log says so, and new tasks go elsewhere only', async () => {
    let running = await start();
    await running.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0ALICE' });
    await running.subscriptions.subscribe({ channel: HEARTBEAT, kind: 'cdn', requestedBy: 'U0ALICE' });
    const before = plantCdn('before.js');
    await waitFor('cards of the task before the change', () => cardsIn('CSUB', before) === 1 && cardsIn('COK', before) === 1);

    // The accounts file now lists only COK for the account.
    setRules([rule(['COK'])]);
    running = await restart();
    await waitFor('the suspension notice', () => noticesIn('CSUB').length === 1);
    const after = plantCdn('after.js');
    await waitFor('the card of the new task in the channel still allowed', () => cardsIn('COK', after) === 1);
    await sweptToNow();

    expect(cardsIn('CSUB', after)).toBe(0);
    expect(noticesIn('CSUB')).toEqual([{ type: 'subscription_suspended', kind: 'cdn', account: 'default', reason: 'channel_not_allowed' }]);
    expect(channelNoticeText({ type: 'subscription_suspended', kind: 'cdn', account: 'default', reason: 'channel_not_allowed' })).toBe(
      'The subscription to new CDN prefetch tasks of the account "default" is suspended: this channel may no longer use that account. Nothing more will be announced here for it. Ask a taskwatch admin about access, then subscribe again; /task-status unsubscribe removes it.',
    );
    expect(noticesIn('COK')).toEqual([]);
    expect(audited()).toEqual([
      { at: expect.any(String), who: 'slack:U0ALICE', platform: 'slack', where: 'slack:CSUB', action: 'subscription.suspend', kind: 'cdn', account: 'default', outcome: 'refused', reason: 'channel_not_allowed' },
    ]);
    const listed = await running.subscriptions.list(SUBSCRIBED);
    expect(listed).toEqual([expect.objectContaining({ number: 1, suspended: 'channel_not_allowed' })]);
    expect(subscriptionListText(listed)).toContain('(suspended: this channel may no longer use the account; subscribe again to resume)');

    // Another restart under the same rules: told once, audited once.
    running = await restart();
    const later = plantCdn('later.js');
    await waitFor('the card of a later task in the channel still allowed', () => cardsIn('COK', later) === 1);
    await sweptToNow();
    expect(cardsIn('CSUB', later)).toBe(0);
    expect(noticesIn('CSUB')).toHaveLength(1);
    expect(audited()).toHaveLength(1);

    // The admin adds the channel back and someone subscribes again: it resumes from now on.
    setRules([rule(['CSUB', 'COK'])]);
    const resumed = await running.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0BOB' });
    // It now runs on the authority of whoever subscribed again.
    expect(resumed).toMatchObject({ number: 1, suspended: null, createdBy: 'U0BOB' });
    const resumedTask = plantCdn('resumed.js');
    await waitFor('the card in the resumed channel', () => cardsIn('CSUB', resumedTask) === 1);
    await sweptToNow();
    expect(cardsIn('CSUB', resumedTask)).toBe(1);
    expect(noticesIn('CSUB')).toHaveLength(1);
  });

  test('given the subscriber removed from the account\'s users while the bot runs, then the next sweep suspends it before announcing anything', async () => {
    setRules([rule(['CSUB', 'COK'], ['U0ALICE', 'U0BOB'])]);
    const running = await start();
    await running.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0ALICE' });
    await running.subscriptions.subscribe({ channel: HEARTBEAT, kind: 'cdn', requestedBy: 'U0BOB' });
    await sweptToNow();

    setRules([rule(['CSUB', 'COK'], ['U0BOB'])]);
    const task = plantCdn('after-removal.js');
    await waitFor('the card in the channel whose subscriber is still allowed', () => cardsIn('COK', task) === 1);
    await sweptToNow();

    expect(cardsIn('CSUB', task)).toBe(0);
    expect(noticesIn('CSUB')).toEqual([{ type: 'subscription_suspended', kind: 'cdn', account: 'default', reason: 'user_not_allowed' }]);
    expect(audited()).toEqual([expect.objectContaining({ who: 'slack:U0ALICE', where: 'slack:CSUB', reason: 'user_not_allowed' })]);
  });

  test('given a group member who subscribed, then the group membership they had counts, and removing the group from users suspends it', async () => {
    setRules([rule(['CSUB', 'COK'], ['@oncall', 'U0BOB'])]);
    const running = await start();
    await running.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0CAROL', requestedByGroups: ['oncall'] });
    await running.subscriptions.subscribe({ channel: HEARTBEAT, kind: 'cdn', requestedBy: 'U0BOB' });
    const first = plantCdn('first.js');
    await waitFor('the group member\'s card', () => cardsIn('CSUB', first) === 1);

    setRules([rule(['CSUB', 'COK'], ['U0BOB'])]);
    const second = plantCdn('second.js');
    await waitFor('the heartbeat card', () => cardsIn('COK', second) === 1);
    await sweptToNow();
    expect(cardsIn('CSUB', second)).toBe(0);
    expect(noticesIn('CSUB')).toEqual([expect.objectContaining({ reason: 'user_not_allowed' })]);
  });

  test('given a second worker whose supervisor retries untold notices while the first worker\'s suspension notice is still in flight, then the channel is told once', async () => {
    const slack = await startFakeSlack();
    const slackNotifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: null, appToken: null });
    const audit = createAuditLog((line) => auditLines.push(line));
    const startWorker = (): Promise<TestStack> =>
      startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier: slackNotifier, now: () => clock.now(), accounts, subscriptionAccess: { authorize, audit } });
    const noticeCalls = (): number =>
      slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === SUBSCRIBED.channelId && /suspended/.test(String(call.body['text']))).length;
    let first: Promise<TestStack> | null = null;
    let second: TestStack | null = null;
    let held: FakeSlackHold | null = null;
    try {
      const subscribing = await startWorker();
      await subscribing.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0ALICE' });
      await subscribing.stop();

      // The channel loses the account while no worker runs. The first worker to start suspends
      // the subscription and posts the notice; Slack holds that post unanswered.
      setRules([rule(['COK'])]);
      held = slack.hold({ method: 'chat.postMessage', channel: SUBSCRIBED.channelId });
      first = startWorker();
      await held.waitUntilHeld(1, 10_000);
      // A second worker starts meanwhile: its start runs a supervisor pass, which retries every
      // notice not yet told (start resolves after that pass).
      second = await startWorker();
      held.release();
      await first;
      await waitFor('the notice settled', async () => (await redis.scard(`${prefix}:tw:sub:suspended-untold`)) === 0);

      expect(noticeCalls()).toBe(1);
      expect(audited()).toHaveLength(1);
    } finally {
      held?.release();
      await Promise.all([second?.stop(), first?.then((running) => running.stop())]);
      await slack.stop();
    }
  });

  test('given Slack refusing the suspension notice once, then the claim on it is given back and the next supervisor pass tells it, once', async () => {
    const slack = await startFakeSlack();
    const slackNotifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: null, appToken: null });
    const audit = createAuditLog((line) => auditLines.push(line));
    const noticeCalls = (status: number): number =>
      slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === SUBSCRIBED.channelId && call.status === status && /suspended/.test(String(call.body['text']))).length;
    try {
      stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier: slackNotifier, now: () => clock.now(), accounts, subscriptionAccess: { authorize, audit } });
      await stack.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0ALICE' });
      slack.fail({ method: 'chat.postMessage', channel: SUBSCRIBED.channelId }, { status: 503 }, 1);
      setRules([rule(['COK'])]);
      await waitFor('the notice told after a refusal', async () => noticeCalls(200) === 1 && (await redis.scard(`${prefix}:tw:sub:suspended-untold`)) === 0);
      expect(noticeCalls(503)).toBe(1);
      expect(await redis.exists(`${prefix}:tw:sub:suspended-telling:${(await stack.subscriptions.list(SUBSCRIBED))[0]?.subscriptionId ?? ''}`)).toBe(0);
    } finally {
      await stack?.stop();
      stack = null;
      await slack.stop();
    }
  });

  test('given a channel archived for good, then its suspension notice is tried once and dropped, not retried on every pass', async () => {
    const slack = await startFakeSlack();
    const slackNotifier = createSlackNotifier({ apiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: null, appToken: null });
    const audit = createAuditLog((line) => auditLines.push(line));
    const noticeCalls = (): number =>
      slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === SUBSCRIBED.channelId && /suspended/.test(String(call.body['text']))).length;
    try {
      stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier: slackNotifier, now: () => clock.now(), accounts, subscriptionAccess: { authorize, audit } });
      await stack.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', requestedBy: 'U0ALICE' });
      slack.fail({ method: 'chat.postMessage', channel: SUBSCRIBED.channelId }, { error: 'is_archived' });
      setRules([rule(['COK'])]);
      await waitFor('the suspension noted', async () => (await stack?.subscriptions.list(SUBSCRIBED))?.[0]?.suspended !== null && noticeCalls() >= 1);
      // Gone for good: settled, so no supervisor pass tries it again.
      await waitFor('the untold notice settled', async () => (await redis.scard(`${prefix}:tw:sub:suspended-untold`)) === 0);
      expect(noticeCalls()).toBe(1);
    } finally {
      await stack?.stop();
      stack = null;
      await slack.stop();
    }
  });

  test('given a subscription whose account no longer exists, then it is suspended once at start instead of failing every sweep', async () => {
    const running = await start();
    await running.subscriptions.subscribe({ channel: SUBSCRIBED, kind: 'cdn', account: 'staging', requestedBy: 'U0ALICE' });
    await running.subscriptions.subscribe({ channel: HEARTBEAT, kind: 'cdn', requestedBy: 'U0ALICE' });
    await sweptToNow();

    accounts = accounts.filter((account) => account.name !== 'staging');
    setRules([rule(['CSUB', 'COK'])]);
    warnings.length = 0;
    await restart();
    await waitFor('the suspension notice', () => noticesIn('CSUB').length === 1);
    await sweptToNow();
    await sweptToNow();

    expect(noticesIn('CSUB')).toEqual([{ type: 'subscription_suspended', kind: 'cdn', account: 'staging', reason: 'unknown_account' }]);
    expect(audited()).toEqual([expect.objectContaining({ where: 'slack:CSUB', account: 'staging', reason: 'unknown_account' })]);
    expect(warnings.filter((message) => message.includes('sweep failed'))).toEqual([]);
    // Its group is gone, so nothing sweeps it any more.
    expect(await redis.hexists(`${prefix}:tw:sub:groups`, subscriptionGroupIdOf({ kind: 'cdn', account: 'staging', region: null }))).toBe(0);
  });
});
