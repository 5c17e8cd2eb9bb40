/**
 * Access through the real Discord adapter (discord.js against the fake Discord, real providers
 * against the cloud sandbox): a member's role IDs reach the access policy, so a rule naming
 * `discord-role:<id>` lets members of that role in and keeps others out.
 */
import { AccessPolicy } from '../../../src/accounts/access-policy';
import { parseAccountsFile } from '../../../src/accounts/accounts-file';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/chat/discord/discord-adapter';
import type { CloudAccount } from '../../../src/config';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
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
    const file = parseAccountsFile(
      `
accounts:
  production:
    provider: tencent
    secretId: { env: PRODUCTION_SECRET_ID }
    secretKey: { env: PRODUCTION_SECRET_KEY }
    region: ap-guangzhou
    endpoint: ${sandbox.url}
    access:
      discordChannels: ["${CHANNEL}"]
      users: ["discord-role:${ONCALL_ROLE}"]
channels:
  "discord:${CHANNEL}": { account: production }
`,
      { env: { PRODUCTION_SECRET_ID: PRODUCTION.id, PRODUCTION_SECRET_KEY: PRODUCTION.secret }, readFile: () => '', accountsFilePath: '/etc/taskwatch.yml' },
    );
    if (!file.ok) throw new Error(file.problems.join('\n'));
    const accounts: CloudAccount[] = [...file.value.accounts];
    providers = createProviderRegistry({ accounts, rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 5000 }, { rateBudget: new InMemoryRateBudget() });
    const access = { policy: new AccessPolicy(file.value, accounts), audit: createAuditLog((line) => auditLines.push(line)) };
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
});
