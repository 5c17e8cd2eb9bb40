/**
 * Every watch and subscription limit on every surface where it applies, through the whole
 * process: `startTaskwatch` with the limits set as settings (`WATCH_LIMIT_PER_CHANNEL`, ...),
 * the real Bolt receiver against the fake Slack, the real discord.js client against the fake
 * Discord, `POST /api/watches` over HTTP, a real redis-server and the cloud sandbox.
 *
 * For each limit, one process with that limit small; on each surface, watches up to the limit
 * are started, then one more is refused. Asserted for the refused one: the refusal text (which
 * limit, how to make room), the API's status (403 for a count, 429 and Retry-After for a rate),
 * one audit line with reason `limit_exceeded`, and that it never reached the cloud: the engine
 * polls the allowed watches after the refusal, and the sandbox was never asked for the refused
 * task; nor was a card posted for it.
 *
 * The per-minute windows live in Redis and start with a requester's first watch, which each
 * case makes itself (its own user, its own token process); a case ends within the test timeout
 * (30 s), well inside one 60 s window, so no window can end between filling it and the refusal.
 */
import { PassThrough } from 'node:stream';
import type { Environment } from '../../../src/config';
import type { RunningTaskwatch } from '../../../src/main';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { fakeDiscordSettings, fakeSlackSettings, sandboxTencentSettings, startWholeTaskwatch } from '../../support/whole-process';
import { bodyOf, isFollowUp } from '../discord/discord-harness';

const SIGNING_SECRET = 'limits-signing-secret-0123456789';
const API_TOKEN = 'limits-api-token-0123456789abcdef0123';
const WAIT_MS = 10_000;

/** The fake Discord's guild: a channel per role a case gives it. */
const DISCORD_GUILD = {
  id: '1200000000000000001',
  name: 'Limits',
  channels: [
    { id: '1300000000000000001', name: 'first' },
    { id: '1300000000000000002', name: 'second' },
  ],
};

type SurfaceName = 'Slack' | 'Discord' | 'API';
type Role = 'first' | 'second';

/** What a surface answered to one command or request. */
interface Answer {
  /** The text the person (or the pipeline's log) sees. */
  readonly text: string;
  /** The HTTP status (API only). */
  readonly status: number | null;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown> | null;
}

/** One audit line as the process writes it. */
type AuditLine = Record<string, unknown>;

/** One running taskwatch with its fakes. */
interface Stack {
  readonly slack: FakeSlack;
  readonly discord: FakeDiscord;
  readonly sandbox: CloudSandbox;
  readonly running: RunningTaskwatch;
  readonly auditLines: AuditLine[];
  stop(): Promise<void>;
}

let fixture: RedisFixture;

beforeAll(async () => {
  fixture = await startRedisFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

/** Starts taskwatch on Slack, Discord and the API with `limits` (settings by name) over the defaults. */
async function startStack(limits: Environment): Promise<Stack> {
  const [slack, discord, sandbox] = await Promise.all([startFakeSlack(), startFakeDiscord({ guilds: [DISCORD_GUILD] }), CloudSandbox.start()]);
  const environment: Environment = {
    REDIS_URL: fixture.server.url,
    ...fakeSlackSettings(slack, SIGNING_SECRET),
    ...fakeDiscordSettings(discord),
    API_TOKEN,
    ...sandboxTencentSettings(sandbox),
    // Quick polls, so that "the engine polled since the refusal" comes within a second.
    WATCH_INTERVAL_MS: '200',
    WATCH_MAX_INTERVAL_MS: '400',
    ...limits,
  };
  // With Slack and Discord and no terminal chat, audit lines are standard output's only content.
  const stdout = new PassThrough();
  const auditLines: AuditLine[] = [];
  let pending = '';
  stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') auditLines.push(JSON.parse(line) as AuditLine);
  });
  const running = await startWholeTaskwatch(environment, { stdout });
  await discord.waitForGatewaySession(WAIT_MS);
  return {
    slack,
    discord,
    sandbox,
    running,
    auditLines,
    stop: async () => {
      await running.stop();
      await Promise.all([slack.stop(), discord.close(), sandbox.stop()]);
      // The next process starts from an empty Redis: no watches, counts or windows of this one.
      await fixture.redis.flushall();
    },
  };
}

/** A chat user or the API token, in a channel, on one surface. */
interface Surface {
  readonly name: SurfaceName;
  /** Starts a watch of `ids` (cdn) as the `user` in the `channel`. */
  watch(stack: Stack, ids: readonly string[], user: Role, channel: Role): Promise<Answer>;
  /** Subscribes the `channel` (chat only). */
  subscribe?(stack: Stack, kind: 'cdn' | 'tcss', channel: Role): Promise<Answer>;
  /** Who and where the audit line names. */
  readonly who: (user: Role) => string;
  readonly where: (channel: Role) => string;
  readonly action: string;
}

const SLACK_USERS: Record<Role, string> = { first: 'U0LIMITFIRST', second: 'U0LIMITSECOND' };
const SLACK_CHANNELS: Record<Role, string> = { first: 'C0LIMITFIRST', second: 'C0LIMITSECOND' };
const DISCORD_USERS: Record<Role, string> = { first: '1400000000000000001', second: '1400000000000000002' };
const DISCORD_CHANNELS: Record<Role, string> = { first: DISCORD_GUILD.channels[0]!.id, second: DISCORD_GUILD.channels[1]!.id };
/** The API posts to Slack channels of its own, so its watches never count in the Slack cases' channels. */
const API_CHANNELS: Record<Role, string> = { first: 'slack:C0APIFIRST', second: 'slack:C0APISECOND' };

/** Slack sends `&`, `<` and `>` as entities in mrkdwn; Slack shows them as the characters. */
const slackText = (text: unknown): string => String(text ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** discord.js escapes markdown with backslashes; Discord shows the characters. */
const discordText = (text: unknown): string => String(text ?? '').replace(/\\(.)/g, '$1');

async function slackCommand(stack: Stack, text: string, user: Role, channel: Role): Promise<Answer> {
  const responseUrl = stack.slack.newResponseUrl();
  const answer = await postSlashCommand(
    `http://127.0.0.1:${stack.running.httpPort}/slack/events`,
    { text, response_url: responseUrl, channel_id: SLACK_CHANNELS[channel], user_id: SLACK_USERS[user] },
    { signingSecret: SIGNING_SECRET },
  );
  expect(answer.status).toBe(200);
  const reply = await stack.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
  return { text: slackText(reply.body['text']), status: null, retryAfter: null, body: null };
}

async function discordCommand(stack: Stack, subcommand: string, options: Record<string, string>, user: Role, channel: Role): Promise<Answer> {
  const interaction = await stack.discord.slashCommand({ subcommand, options, channelId: DISCORD_CHANNELS[channel], userId: DISCORD_USERS[user] });
  // A watch answers with a follow-up (the public reply is the card); other commands edit their private reply.
  const reply = await stack.discord.waitForCall(
    (call) => isFollowUp(stack.discord, interaction)(call) || (subcommand !== 'watch' && call.method === 'PATCH' && call.path.includes(`/${interaction.token}/messages/@original`)),
    WAIT_MS,
  );
  return { text: discordText(bodyOf(reply)['content']), status: null, retryAfter: null, body: null };
}

const SURFACES: Readonly<Record<SurfaceName, Surface>> = {
  Slack: {
    name: 'Slack',
    watch: (stack, ids, user, channel) => slackCommand(stack, `watch cdn ${ids.join(' ')}`, user, channel),
    subscribe: (stack, kind, channel) => slackCommand(stack, `subscribe ${kind}`, 'first', channel),
    who: (user) => `slack:${SLACK_USERS[user]}`,
    where: (channel) => `slack:${SLACK_CHANNELS[channel]}`,
    action: 'watch',
  },
  Discord: {
    name: 'Discord',
    watch: (stack, ids, user, channel) => discordCommand(stack, 'watch', { kind: 'cdn', ids: ids.join(' ') }, user, channel),
    subscribe: (stack, kind, channel) => discordCommand(stack, 'subscribe', { kind }, 'first', channel),
    who: (user) => `discord:${DISCORD_USERS[user]}`,
    where: (channel) => `discord:${DISCORD_CHANNELS[channel]}`,
    action: 'watch',
  },
  API: {
    name: 'API',
    // One token: both "users" are the pipeline.
    watch: async (stack, ids, _user, channel) => {
      const response = await fetch(`http://127.0.0.1:${stack.running.httpPort}/api/watches`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
        body: JSON.stringify({ kind: 'cdn', ids, channel: API_CHANNELS[channel] }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      return { text: String(body['message'] ?? ''), status: response.status, retryAfter: response.headers.get('retry-after'), body };
    },
    who: () => 'api:api',
    where: (channel) => API_CHANNELS[channel],
    action: 'api.watches',
  },
};

/** A CDN task that keeps running, so its watch stays active for the whole case. */
const runningTask = (sandbox: CloudSandbox): string =>
  sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://www.example.com/limits', steps: [{ afterMs: 0, status: 'process', percent: 10 }] }] });

const mentions = (value: unknown, id: string): boolean => JSON.stringify(value ?? null).includes(id);

/**
 * Asserts that `refusedId` never reached the cloud nor a chat: waits until the engine has polled
 * the allowed tasks after `mark` (a sweep ran since the refusal, which would have included the
 * refused task had it been started), then finds no call naming it. With few CDN watches a sweep
 * asks for each by `TaskId`; with more in one account and region (here, once a second surface has
 * filled its share) it lists their time window once (`StartTime`/`EndTime`, no IDs), and that
 * listing is the poll.
 */
async function expectNeverStarted(stack: Stack, refusedId: string, allowedIds: readonly string[], mark: number): Promise<void> {
  const pollsAllowed = (call: (typeof stack.sandbox.calls)[number]): boolean =>
    call.action === 'DescribePushTasks' && (allowedIds.some((id) => mentions(call.params, id)) || (call.params['StartTime'] !== undefined && call.params['TaskId'] === undefined));
  await waitFor('a poll of the allowed watches after the refusal', () => stack.sandbox.calls.slice(mark).some(pollsAllowed), WAIT_MS);
  expect(stack.sandbox.calls.filter((call) => mentions(call.params, refusedId))).toEqual([]);
  expect(stack.slack.calls.filter((call) => call.method !== 'response_url' && mentions(call.body, refusedId))).toEqual([]);
  expect(stack.discord.calls.filter((call) => mentions(call.body, refusedId))).toEqual([]);
}

/** What a watch limit refuses, and how each surface says so. */
interface WatchLimitCase {
  readonly name: string;
  /** The settings that make it small; every other limit keeps its default. */
  readonly settings: Environment;
  readonly max: number;
  /** Who fills the limit where, and who is then refused where: the other dimension differs, so only this limit can be the reason. */
  readonly fill: { readonly user: Role; readonly channel: Role };
  readonly refused: { readonly user: Role; readonly channel: Role };
  /** The chat refusal. */
  readonly chat: string | RegExp;
  /** The API's answer. */
  readonly api: { readonly status: 403 | 429; readonly limit: string; readonly message: string | RegExp };
}

const ROOM_IN_CHAT = "See this channel's watches with /task-status list and end some with /task-status unwatch, or wait for them to end.";
const ROOM_IN_API = 'Watches end by themselves when their tasks end; to make room now, end some in the channel (/task-status list, then /task-status unwatch).';

const WATCH_LIMITS: readonly WatchLimitCase[] = [
  {
    name: 'active watches per channel',
    settings: { WATCH_LIMIT_PER_CHANNEL: '2' },
    max: 2,
    // Another user in the same channel: the channel's count, not the user's.
    fill: { user: 'first', channel: 'first' },
    refused: { user: 'second', channel: 'first' },
    chat: `This channel already has its limit of 2 active watches. ${ROOM_IN_CHAT}`,
    api: { status: 403, limit: 'active_per_channel', message: `The channel already has its limit of 2 active watches. ${ROOM_IN_API}` },
  },
  {
    name: 'active watches per user or token',
    settings: { WATCH_LIMIT_PER_USER: '2', WATCH_LIMIT_PER_TOKEN: '2' },
    max: 2,
    // The same user in another channel: the user's count, not the channel's.
    fill: { user: 'first', channel: 'first' },
    refused: { user: 'first', channel: 'second' },
    chat: `You already have your limit of 2 active watches. ${ROOM_IN_CHAT}`,
    api: { status: 403, limit: 'active_per_token', message: `This token already has its limit of 2 active watches. ${ROOM_IN_API}` },
  },
  {
    name: 'new watches per minute per user or token',
    settings: { WATCH_RATE_PER_USER: '3', WATCH_RATE_PER_TOKEN: '3' },
    max: 3,
    fill: { user: 'first', channel: 'first' },
    refused: { user: 'first', channel: 'second' },
    chat: /^You may start at most 3 watches a minute\. Try again in \d+ s\.$/,
    api: { status: 429, limit: 'new_per_minute_per_token', message: /^This token may start at most 3 watches a minute\. Retry after \d+ s\.$/ },
  },
];

describe.each(WATCH_LIMITS)('past the limit of $name', (limit) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(limit.settings);
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it.each(['Slack', 'Discord', 'API'] as const)('through %s, the watch is refused with the limit and how to make room, audited, and never reaches the cloud', async (surfaceName) => {
    const surface = SURFACES[surfaceName];
    const allowed = Array.from({ length: limit.max }, () => runningTask(stack.sandbox));
    const refusedId = runningTask(stack.sandbox);

    const filled = await surface.watch(stack, allowed, limit.fill.user, limit.fill.channel);
    if (surfaceName === 'API') expect(filled.status).toBe(201);
    else expect(filled.text).toMatch(/^Watching/);

    const refused = await surface.watch(stack, [refusedId], limit.refused.user, limit.refused.channel);
    const mark = stack.sandbox.calls.length;
    if (surfaceName === 'API') {
      expect(refused.status).toBe(limit.api.status);
      expect(refused.body).toEqual({
        error: 'limit_exceeded',
        limit: limit.api.limit,
        max: limit.max,
        message: expect.stringMatching(typeof limit.api.message === 'string' ? `^${limit.api.message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$` : limit.api.message),
        ...(limit.api.status === 429 ? { retryAfterSeconds: expect.any(Number) } : {}),
      });
      if (limit.api.status === 429) {
        const seconds = Number(refused.retryAfter);
        expect(seconds).toBeGreaterThanOrEqual(1);
        expect(seconds).toBeLessThanOrEqual(60);
        expect(refused.body?.['retryAfterSeconds']).toBe(seconds);
      } else {
        expect(refused.retryAfter).toBeNull();
      }
    } else {
      expect(refused.text).toMatch(typeof limit.chat === 'string' ? new RegExp(`^${limit.chat.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) : limit.chat);
    }

    expect(stack.auditLines.filter((line) => line['reason'] === 'limit_exceeded' && mentions(line['ids'], refusedId))).toEqual([
      expect.objectContaining({
        audit: true,
        who: surface.who(limit.refused.user),
        where: surface.where(limit.refused.channel),
        action: surface.action,
        kind: 'cdn',
        ids: [refusedId],
        outcome: 'refused',
        reason: 'limit_exceeded',
      }),
    ]);
    await expectNeverStarted(stack, refusedId, allowed, mark);
  });
});

describe('past the limit of subscriptions per channel', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ SUBSCRIPTION_LIMIT_PER_CHANNEL: '1' });
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it.each(['Slack', 'Discord'] as const)('through %s, another subscribe is refused with how to make room, audited, and never lists the cloud', async (surfaceName) => {
    const surface = SURFACES[surfaceName];
    const subscribe = surface.subscribe as NonNullable<Surface['subscribe']>;
    expect((await subscribe(stack, 'cdn', 'first')).text).toMatch(/^Subscribed/);

    const refused = await subscribe(stack, 'tcss', 'first');
    const mark = stack.sandbox.calls.length;
    expect(refused.text).toBe('This channel already has its limit of 1 subscriptions. See them with /task-status subscriptions and remove one with /task-status unsubscribe <n>.');
    expect(stack.auditLines.filter((line) => line['reason'] === 'limit_exceeded' && line['where'] === surface.where('first'))).toEqual([
      expect.objectContaining({ audit: true, who: surface.who('first'), action: 'subscribe', kind: 'tcss', outcome: 'refused', reason: 'limit_exceeded' }),
    ]);
    // The allowed CDN subscription lists the cloud again after the refusal; the refused TCSS one never does.
    await waitFor('a listing by the allowed subscription after the refusal', () => stack.sandbox.calls.slice(mark).some((call) => call.action === 'DescribePushTasks'), WAIT_MS);
    expect(stack.sandbox.calls.filter((call) => call.action === 'DescribeUnfinishRefreshTask')).toEqual([]);
  });
});
