import { AccessPolicy, refusalMessage, type AccessAction, type Principal } from '../../../src/accounts/access-policy';
import { loadAccountsFile, mergeAccounts, type AccountsFile } from '../../../src/accounts/accounts-file';
import type { CloudAccount } from '../../../src/config';

const PIPELINE_TOKEN = 'pipeline-token-0123456789abcdef0123';
const ENV = { ID: 'AKIDexample00000000000000000000', KEY: 'example-secret-key-0000000000000', PIPELINE_API_TOKEN: PIPELINE_TOKEN };

const YAML = `
accounts:
  production:
    provider: tencent
    secretId: { env: ID }
    secretKey: { env: KEY }
    access:
      slackChannels: [C0PROD]
      discordChannels: ["112233445566778899"]
      users: [U0ALICE, "@oncall", discord:223344556677889900, discord-role:998877665544332211]
  staging:
    provider: tencent
    secretId: { env: ID }
    secretKey: { env: KEY }
  lockdown:
    provider: tencent
    secretId: { env: ID }
    secretKey: { env: KEY }
    access:
      slackChannels: [C0PROD]
  production-dcdn:
    provider: alibaba
    accessKeyId: { env: ID }
    accessKeySecret: { env: KEY }
    access:
      users: [U0ALICE]
channels:
  slack:C0PROD: { tencent: production, alibaba: production-dcdn }
  slack:C0STAGING: { account: staging }
apiTokens:
  pipeline:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [production, staging]
    channels: [slack:C0PROD, slack:C0STAGING]
`;

function accountsFile(): AccountsFile {
  const result = loadAccountsFile({ path: '/etc/taskwatch.yml', env: ENV, readFile: () => YAML });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

const ENVIRONMENT_DEFAULT: CloudAccount = { name: 'default', cloud: 'tencent', secretId: 'AKIDenv', secretKey: 'env-key', region: null, endpoint: null };

function policy(): AccessPolicy {
  const file = accountsFile();
  return new AccessPolicy(file, mergeAccounts([ENVIRONMENT_DEFAULT], file.accounts).accounts);
}

function slack(userId: string, channelId: string, groups: string[] = []): Principal {
  return { platform: 'slack', channelId, userId, groups };
}

function discord(userId: string, channelId: string, groups: string[] = []): Principal {
  return { platform: 'discord', channelId, userId, groups };
}

const ACTIONS: readonly AccessAction[] = ['query', 'watch', 'subscribe'];

describe('AccessPolicy.authorize', () => {
  it.each(ACTIONS)('given a Slack user outside the allow list in an allowed channel, then %s is refused as user_not_allowed', (action) => {
    expect(policy().authorize(slack('U0MALLORY', 'C0PROD'), action, 'tencent', 'production')).toEqual({ allowed: false, reason: 'user_not_allowed' });
  });

  it.each(ACTIONS)('given a Slack user on the allow list in an allowed channel, then %s is allowed', (action) => {
    expect(policy().authorize(slack('U0ALICE', 'C0PROD'), action, 'tencent', 'production')).toEqual({ allowed: true });
  });

  it.each(ACTIONS)('given a Discord user outside the allow list, then %s is refused', (action) => {
    expect(policy().authorize(discord('334455667788990011', '112233445566778899'), action, 'tencent', 'production')).toEqual({
      allowed: false,
      reason: 'user_not_allowed',
    });
  });

  it('given an allowed user in a channel not bound to the account, then the channel is refused', () => {
    expect(policy().authorize(slack('U0ALICE', 'C0RANDOM'), 'query', 'tencent', 'production')).toEqual({ allowed: false, reason: 'channel_not_allowed' });
  });

  it('given an account with only Slack channels listed, then no Discord channel may use it', () => {
    expect(policy().authorize(discord('223344556677889900', '112233445566778899'), 'query', 'tencent', 'lockdown')).toEqual({
      allowed: false,
      reason: 'channel_not_allowed',
    });
    expect(policy().authorize(slack('U0ANYONE', 'C0PROD'), 'query', 'tencent', 'lockdown')).toEqual({ allowed: true });
  });

  it('given a Slack user in the @oncall group (with or without @, any case), then they are allowed; in another group, refused', () => {
    expect(policy().authorize(slack('U0BOB', 'C0PROD', ['oncall']), 'watch', 'tencent', 'production')).toEqual({ allowed: true });
    expect(policy().authorize(slack('U0BOB', 'C0PROD', ['@OnCall']), 'watch', 'tencent', 'production')).toEqual({ allowed: true });
    expect(policy().authorize(slack('U0BOB', 'C0PROD', ['@devs']), 'watch', 'tencent', 'production')).toEqual({ allowed: false, reason: 'user_not_allowed' });
  });

  it('given a Discord member with the allowed role, then they are allowed; a Discord ID in Slack groups does not count', () => {
    expect(policy().authorize(discord('334455667788990011', '112233445566778899', ['998877665544332211']), 'subscribe', 'tencent', 'production')).toEqual({
      allowed: true,
    });
    expect(policy().authorize(discord('223344556677889900', '112233445566778899'), 'query', 'tencent', 'production')).toEqual({ allowed: true });
    // A Slack user whose ID happens to equal an allowed Discord user's is still refused: subjects are per platform.
    expect(policy().authorize(slack('223344556677889900', 'C0PROD'), 'query', 'tencent', 'production')).toEqual({ allowed: false, reason: 'user_not_allowed' });
  });

  it('given an account without an access section, then everyone everywhere may use it', () => {
    for (const action of ACTIONS) {
      expect(policy().authorize(slack('U0ANYONE', 'C0ANYWHERE'), action, 'tencent', 'staging')).toEqual({ allowed: true });
      expect(policy().authorize(discord('1', '2'), action, 'tencent', 'default')).toEqual({ allowed: true });
    }
  });

  it('given the terminal, then access lists do not apply', () => {
    const terminal: Principal = { platform: 'terminal', channelId: 'local', userId: 'ops', groups: [] };
    expect(policy().authorize(terminal, 'watch', 'tencent', 'production')).toEqual({ allowed: true });
  });

  it('given an account that is not configured for that cloud, then it is unknown_account', () => {
    expect(policy().authorize(slack('U0ALICE', 'C0PROD'), 'query', 'tencent', 'nowhere')).toEqual({ allowed: false, reason: 'unknown_account' });
    // production-dcdn is an Alibaba account, not a Tencent one.
    expect(policy().authorize(slack('U0ALICE', 'C0PROD'), 'query', 'tencent', 'production-dcdn')).toEqual({ allowed: false, reason: 'unknown_account' });
    expect(policy().authorize(slack('U0ALICE', 'C0PROD'), 'query', 'alibaba', 'default')).toEqual({ allowed: false, reason: 'unknown_account' });
  });

  it('given the account default defined in the file with access rules (no environment account), then those rules hold for it', () => {
    const yaml = `
accounts:
  default:
    provider: tencent
    secretId: { env: ID }
    secretKey: { env: KEY }
    access:
      slackChannels: [C0PROD]
      users: [U0ALICE]
`;
    const loaded = loadAccountsFile({ path: '/etc/taskwatch.yml', env: ENV, readFile: () => yaml });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const merged = mergeAccounts([], loaded.value.accounts);
    expect(merged.problems).toEqual([]);
    const restricted = new AccessPolicy(loaded.value, merged.accounts);
    expect(restricted.authorize(slack('U0ALICE', 'C0PROD'), 'query', 'tencent', 'default')).toEqual({ allowed: true });
    expect(restricted.authorize(slack('U0MALLORY', 'C0PROD'), 'query', 'tencent', 'default')).toMatchObject({ allowed: false });
    expect(restricted.authorize(slack('U0ALICE', 'C0ELSEWHERE'), 'watch', 'tencent', 'default')).toMatchObject({ allowed: false });
  });

  it('given allowAll, then every principal may use any account name', () => {
    expect(AccessPolicy.allowAll().authorize(slack('U0ANYONE', 'C0ANY'), 'watch', 'alibaba', 'whatever')).toEqual({ allowed: true });
  });
});

describe('AccessPolicy.namesSlackGroups', () => {
  it('given a users list with a Slack "@handle", then it is true; with only user IDs, roles or no lists, then false', () => {
    expect(policy().namesSlackGroups).toBe(true);
    const withoutGroups = loadAccountsFile({ path: '/etc/taskwatch.yml', env: ENV, readFile: () => YAML.replace('"@oncall", ', '') });
    if (!withoutGroups.ok) throw new Error(withoutGroups.problems.join('\n'));
    expect(new AccessPolicy(withoutGroups.value).namesSlackGroups).toBe(false);
    expect(AccessPolicy.allowAll().namesSlackGroups).toBe(false);
  });
});

describe('AccessPolicy API tokens', () => {
  it('given the configured token, then it returns the binding; a wrong, empty or prefix token returns null', () => {
    const access = policy();
    expect(access.authorizeApiToken(PIPELINE_TOKEN)).toEqual({ name: 'pipeline', accounts: ['production', 'staging'], channels: ['slack:C0PROD', 'slack:C0STAGING'] });
    expect(access.authorizeApiToken(`${PIPELINE_TOKEN}x`)).toBeNull();
    expect(access.authorizeApiToken(PIPELINE_TOKEN.slice(0, -1))).toBeNull();
    expect(access.authorizeApiToken('')).toBeNull();
    expect(AccessPolicy.allowAll().authorizeApiToken(PIPELINE_TOKEN)).toBeNull();
  });

  const api = (channelId: string, tokenName = 'pipeline'): Principal => ({ platform: 'api', channelId, userId: tokenName, groups: [] });

  it('given a watch through the API, then it is bound to the token accounts and channels and to the account channel list', () => {
    const access = policy();
    expect(access.authorize(api('slack:C0PROD'), 'watch', 'tencent', 'production')).toEqual({ allowed: true });
    expect(access.authorize(api('slack:C0STAGING'), 'watch', 'tencent', 'staging')).toEqual({ allowed: true });
    // Not one of the token's accounts.
    expect(access.authorize(api('slack:C0PROD'), 'watch', 'tencent', 'lockdown')).toEqual({ allowed: false, reason: 'user_not_allowed' });
    // Not one of the token's channels.
    expect(access.authorize(api('slack:C0OTHER'), 'watch', 'tencent', 'staging')).toEqual({ allowed: false, reason: 'channel_not_allowed' });
    // One of the token's channels, but production does not allow it.
    expect(access.authorize(api('slack:C0STAGING'), 'watch', 'tencent', 'production')).toEqual({ allowed: false, reason: 'channel_not_allowed' });
    // A token name that does not exist.
    expect(access.authorize(api('slack:C0PROD', 'forged'), 'watch', 'tencent', 'staging')).toEqual({ allowed: false, reason: 'user_not_allowed' });
  });
});

describe('AccessPolicy default accounts', () => {
  it('given per-cloud channel defaults, then each cloud gets its own; other channels have none', () => {
    const access = policy();
    expect(access.defaultAccountFor('slack:C0PROD', 'tencent')).toBe('production');
    expect(access.defaultAccountFor({ platform: 'slack', channelId: 'C0PROD' }, 'alibaba')).toBe('production-dcdn');
    expect(access.defaultAccountFor('slack:C0ELSEWHERE', 'tencent')).toBeNull();
  });

  it('given a channel-wide default with no account of that name for a cloud, then that cloud falls back to default', () => {
    const access = policy();
    expect(access.defaultAccountFor('slack:C0STAGING', 'tencent')).toBe('staging');
    expect(access.defaultAccountFor('slack:C0STAGING', 'alibaba')).toBeNull();
    expect(access.accountFor('slack:C0STAGING', 'alibaba')).toBe('default');
  });

  it('given account= in the command, then it wins over the channel default', () => {
    expect(policy().accountFor('slack:C0PROD', 'tencent', 'staging')).toBe('staging');
    expect(policy().accountFor('slack:C0PROD', 'tencent')).toBe('production');
  });
});

describe('refusalMessage', () => {
  it('given each reason, then the text is plain, names the account and what to do, and mentions no task', () => {
    expect(refusalMessage({ reason: 'user_not_allowed', action: 'watch', cloud: 'tencent', accountName: 'production' })).toBe(
      'You are not allowed to watch tasks with the Tencent Cloud account named "production". Ask a taskwatch admin to add you, or a group you belong to, to the account\'s access list.',
    );
    expect(refusalMessage({ reason: 'channel_not_allowed', action: 'query', cloud: 'alibaba', accountName: 'production-dcdn' })).toBe(
      'The Alibaba Cloud account named "production-dcdn" cannot be used in this channel. Use a channel that is allowed to, or ask a taskwatch admin to add this one to the account\'s access list.',
    );
    expect(refusalMessage({ reason: 'unknown_account', action: 'query', cloud: 'tencent', accountName: 'nowhere' })).toContain('No Tencent Cloud account named "nowhere" is configured.');
  });

  it('given an account name that could carry markup, then it is not quoted', () => {
    const text = refusalMessage({ reason: 'unknown_account', action: 'query', cloud: 'tencent', accountName: '<!channel>' });
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('with that name');
  });

  it('given a refused request for an existing and a missing task, then the decision and text are the same, since neither depends on the task', () => {
    // The policy's inputs are principal, action, cloud and account only: nothing task-specific can reach the text.
    const access = policy();
    const decisions = ['1234567', '9999999'].map(() => access.authorize(slack('U0MALLORY', 'C0PROD'), 'query', 'tencent', 'production'));
    expect(decisions[0]).toEqual(decisions[1]);
    expect(access.authorize.length).toBe(4);
  });
});
