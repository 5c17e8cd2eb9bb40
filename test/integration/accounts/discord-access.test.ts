/**
 * Access through the real Discord adapter (discord.js against the fake Discord, real providers
 * against the cloud sandbox): a member's role IDs reach the access policy, so a rule naming
 * `discord-role:<id>` lets members of that role in and keeps others out.
 */
import { createAuditLog } from '../../../src/accounts/audit-log';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/chat/discord/discord-adapter';
import type { ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { productionAccount } from './production-account';
import { ManualClock } from '../../../src/util/clock';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';

const ONCALL_ROLE = '1400000000000000001';
const GUILD = '1200000000000000009';
const CHANNEL = '1300000000000000009';
const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionDISCORD00000000', secret: 'production-tencent-secret-discord' };

describe('access through the Discord adapter', () => {
  let fake: FakeDiscord;
  let sandbox: CloudSandbox;
  let providers: ClosableProviderRegistry;
  let adapter: DiscordAdapter;
  const auditLines: string[] = [];

  beforeAll(async () => {
    fake = await startFakeDiscord({ guilds: [{ id: GUILD, name: 'Ops', channels: [{ id: CHANNEL, name: 'deploys' }], roles: [{ id: ONCALL_ROLE, name: 'oncall' }] }] });
    sandbox = await CloudSandbox.start({ clock: new ManualClock(Date.now()), credentials: [PRODUCTION] });
    const production = productionAccount({
      credential: PRODUCTION,
      sandboxUrl: sandbox.url,
      region: 'ap-guangzhou',
      access: [`discordChannels: ["${CHANNEL}"]`, `users: ["discord-role:${ONCALL_ROLE}"]`],
      defaultChannel: `discord:${CHANNEL}`,
    });
    providers = production.createProviders();
    const access = { policy: production.policy, audit: createAuditLog((line) => auditLines.push(line)) };
    adapter = createDiscordAdapter({ config: { token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl }, services: { providers, access } });
    await adapter.start();
    await fake.waitForGatewaySession(10_000);
  });

  afterAll(async () => {
    await adapter?.stop();
    providers?.close();
    await sandbox?.stop();
    await fake?.close();
  });

  it('given a member of the allowed role, then the query runs with the channel default account', async () => {
    const task = sandbox.addTask({ kind: 'dts', owner: PRODUCTION.id, region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }] });
    const interaction = await fake.slashCommand({ guildId: GUILD, channelId: CHANNEL, userId: '1500000000000000001', roles: [ONCALL_ROLE], subcommand: 'query', options: { kind: 'dts', ids: task } });
    const edit = await fake.waitForCall((call) => call.method === 'PATCH' && call.path.includes(interaction.token) && JSON.stringify(call.body).includes(task), 10_000);
    expect(JSON.stringify(edit.body)).toContain('running');
    expect(sandbox.calls.filter((call) => call.params['AsyncRequestId'] === task).map((call) => call.credentialId)).toEqual([PRODUCTION.id]);
  });

  it('given a member without the role, then the query is refused privately and no cloud call is made', async () => {
    const task = sandbox.addTask({ kind: 'dts', owner: PRODUCTION.id, region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }] });
    const callsBefore = sandbox.calls.length;
    const interaction = await fake.slashCommand({ guildId: GUILD, channelId: CHANNEL, userId: '1500000000000000002', subcommand: 'query', options: { kind: 'dts', ids: task } });
    const reply = await fake.waitForCall((call) => call.path.includes(interaction.token) && JSON.stringify(call.body).includes('not allowed'), 10_000);
    expect(JSON.stringify(reply.body)).toContain('production');
    expect(sandbox.calls.length).toBe(callsBefore);
    expect(auditLines.some((line) => line.includes('"outcome":"refused"') && line.includes('1500000000000000002'))).toBe(true);
  });

  it('given a command the parser refuses, then the mistake is audited as invalid_command, with the user and channel but not the typed IDs', async () => {
    const interaction = await fake.slashCommand({ guildId: GUILD, channelId: CHANNEL, userId: '1500000000000000003', roles: [ONCALL_ROLE], subcommand: 'query', options: { kind: 'redis', ids: 'not-an-integer' } });
    await fake.waitForCall((call) => call.path.includes(interaction.token) && call.method === 'PATCH', 10_000);
    const line = auditLines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry['who'] === 'discord:1500000000000000003');
    expect(line).toEqual(expect.objectContaining({ platform: 'discord', where: `discord:${CHANNEL}`, action: 'query', kind: 'redis', outcome: 'refused', reason: 'invalid_command' }));
    expect(auditLines.join('\n')).not.toContain('not-an-integer');
  });
});
