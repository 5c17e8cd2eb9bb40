/**
 * `/task-status stats` end to end: the real Slack adapter (Bolt against the fake Slack), the
 * real Discord adapter (discord.js against the fake Discord) and the terminal chat, reading
 * durations remembered in a real redis-server, with the accounts file's access rules applied.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import express from 'express';
import { MessageFlags } from 'discord.js';
import type Redis from 'ioredis';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/chat/discord/discord-adapter';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../../src/chat/slack/slack-adapter';
import { TerminalChat } from '../../../src/chat/terminal/terminal-chat';
import { runCommandText } from '../../../src/commands/handle-command';
import type { CommandServices } from '../../../src/commands/types';
import { DurationStore } from '../../../src/jobs/durations/duration-store';
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import type { ClosableProviderRegistry } from '../../../src/providers/registry';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { postSlashCommand } from '../../fakes/slack/signed-requests';
import { uniqueQueueName } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { originalReply } from '../discord/discord-harness';
import { productionAccount } from '../accounts/production-account';

const SIGNING_SECRET = 'test-signing-secret-stats-5e6f7a8b';
const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionSTATS0000000000', secret: 'production-tencent-secret-stats-0' };
const ONCALL_ROLE = '1400000000000000021';
const GUILD = '1200000000000000029';
const DISCORD_CHANNEL = '1300000000000000029';
const WAIT_MS = 10_000;

const FLUSH: DurationGroup = { kind: 'redis', account: 'production', subtype: 'FLUSH_INSTANCE', size: null };
const PREFETCH: DurationGroup = { kind: 'cdn', account: 'production', subtype: 'mainland', size: '2-10' };
/** Durations of an account nobody here may query: they must never show. */
const STAGING: DurationGroup = { kind: 'redis', account: 'staging', subtype: 'FLUSH_INSTANCE', size: null };

let fixture: RedisFixture;
let redis: Redis;
let services: CommandServices;
let providers: ClosableProviderRegistry;
const auditLines: string[] = [];

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ redis } = fixture);
  const durations = new DurationStore(redis, uniqueQueueName('stats'));
  // production FLUSH_INSTANCE: 1, 2, 3 and 10 min, the last one failed.
  for (const [index, minutes] of [1, 2, 3, 10].entries()) {
    await durations.record(FLUSH, `redis-flush${index}`, { taskId: String(18_210 + index), durationMs: minutes * 60_000, failed: minutes === 10, endedAt: index });
  }
  await durations.record(PREFETCH, 'cdn-prefetch0', { taskId: '1533031853231313311', durationMs: 45_000, failed: false, endedAt: 1 });
  await durations.record(STAGING, 'redis-staging0', { taskId: '99', durationMs: 1_000, failed: false, endedAt: 1 });

  const production = productionAccount({
    credential: PRODUCTION,
    sandboxUrl: 'http://127.0.0.1:9',
    access: ['slackChannels: [C0PROD]', `discordChannels: ["${DISCORD_CHANNEL}"]`, `users: [U0ALICE, "discord-role:${ONCALL_ROLE}"]`],
    defaultChannel: 'slack:C0PROD',
  });
  providers = production.createProviders();
  services = { providers, durations, access: { policy: production.policy, audit: createAuditLog((line) => auditLines.push(line)) } };
});

afterAll(async () => {
  providers?.close();
  await fixture?.stop();
});

const FLUSH_LINE = 'redis FLUSH_INSTANCE on production: 4 ended tasks, median 2m, 95% within 10m, 25% failed; slowest recent: redis 18213, 10m (failed)';

describe('stats through the Slack adapter', () => {
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  let server: Server;
  let eventsUrl: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    const httpApp = express();
    adapter = createSlackAdapter({ config: { botToken: slack.botToken, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl }, services, httpApp });
    await adapter.start();
    server = await new Promise<Server>((resolve) => {
      const listening = httpApp.listen(0, '127.0.0.1', () => resolve(listening));
    });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  });

  afterAll(async () => {
    await adapter?.stop();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await slack?.stop();
  });

  async function ask(text: string, userId: string): Promise<Record<string, unknown>> {
    const responseUrl = slack.newResponseUrl();
    await postSlashCommand(eventsUrl, { text, response_url: responseUrl, channel_id: 'C0PROD', user_id: userId }, { signingSecret: SIGNING_SECRET });
    return (await slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS)).body;
  }

  it('given an allowed user in a channel whose default account is production, then only they see every production group, and nothing of staging', async () => {
    const body = await ask('stats', 'U0ALICE');
    expect(body['response_type']).toBe('ephemeral');
    const text = JSON.stringify(body);
    expect(text).toContain(FLUSH_LINE);
    expect(text).toContain('cdn mainland, 2-10 URLs on production: 1 ended task, median 45s');
    expect(text).not.toContain('staging');
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('given a user the account refuses, then stats is refused as a query would be, and the refusal is audited', async () => {
    const body = await ask('stats redis', 'U0MALLORY');
    expect(body['response_type']).toBe('ephemeral');
    expect(JSON.stringify(body)).toContain('You are not allowed to query tasks with the Tencent Cloud account named \\"production\\"');
    expect(JSON.stringify(body)).not.toContain('FLUSH_INSTANCE');
    const last = JSON.parse(auditLines[auditLines.length - 1] as string) as Record<string, unknown>;
    expect(last).toMatchObject({ who: 'slack:U0MALLORY', action: 'stats', kind: 'redis', account: 'production', outcome: 'refused', reason: 'user_not_allowed' });
  });

  it('given a mistyped kind, then the asker is told which kinds there are', async () => {
    const body = await ask('stats rdis', 'U0ALICE');
    expect(JSON.stringify(body)).toContain('Unknown task kind \\"rdis\\". Did you mean \\"redis\\"?');
  });
});

describe('stats through the Discord adapter', () => {
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    fake = await startFakeDiscord({ guilds: [{ id: GUILD, name: 'Ops', channels: [{ id: DISCORD_CHANNEL, name: 'deploys' }], roles: [{ id: ONCALL_ROLE, name: 'oncall' }] }] });
    adapter = createDiscordAdapter({ config: { token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl }, services });
    await adapter.start();
    await fake.waitForGatewaySession(10_000);
  });

  afterAll(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  async function ask(userId: string, roles: string[], options: Record<string, string>): Promise<{ flags: number; content: string }> {
    const interaction = await fake.slashCommand({ guildId: GUILD, channelId: DISCORD_CHANNEL, userId, roles, subcommand: 'stats', options });
    const reply = await originalReply(fake, interaction, WAIT_MS);
    // As a reader sees it: Discord markdown escapes removed.
    return { flags: Number(reply.flags), content: String(reply.content).replace(/\\(.)/g, '$1') };
  }

  it('given a member of the allowed role, then the stats of one kind come only to them', async () => {
    const body = await ask('1500000000000000021', [ONCALL_ROLE], { kind: 'redis', account: 'production' });
    expect(body.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(body.content).toContain(FLUSH_LINE);
    expect(body.content).not.toContain('cdn mainland');
  });

  it('given a member without the role, then stats is refused privately', async () => {
    const body = await ask('1500000000000000022', [], { account: 'production' });
    expect(body.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(body.content).toContain('not allowed to query tasks with the Tencent Cloud account named');
    expect(body.content).not.toContain('FLUSH');
  });
});

describe('stats in the terminal chat', () => {
  it('given the terminal (always allowed), then stats prints the groups of the named account', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const chat = new TerminalChat({ input, output, services, runCommand: runCommandText });
    chat.start();
    try {
      input.write('/task-status stats account=production\n');
      await waitFor('the stats reply', () => printed.includes('slowest recent'));
      expect(printed).toContain(FLUSH_LINE);
      expect(printed).not.toContain('staging');
      expect(printed).not.toContain(PRODUCTION.secret);
    } finally {
      chat.stop();
    }
  });
});
