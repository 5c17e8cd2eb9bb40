import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiTokenDigest,
  chooseAccountsFilePath,
  loadAccountsFile,
  mergeAccounts,
  type AccountsFile,
  type AccountsFileResult,
} from '../../../src/accounts/accounts-file';
import type { CloudAccount } from '../../../src/config';

const FILE_PATH = '/etc/taskwatch/taskwatch.yml';
const PIPELINE_TOKEN = 'pipeline-token-0123456789abcdef0123';
const ENV = {
  PROD_TENCENT_ID: 'AKIDprodExample0000000000000000',
  PROD_TENCENT_KEY: 'prod-tencent-secret-key-example0',
  ALI_ID: 'LTAIexample000000000',
  PIPELINE_API_TOKEN: PIPELINE_TOKEN,
};
const SECRET_FILES: Record<string, string> = {
  '/run/secrets/ali-secret': 'ali-secret-from-file-0000000\n',
  '/etc/taskwatch/secrets/staging-key': '  staging-key-from-relative-file  \n',
};

function missing(path: string): never {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

/** Loads `yaml` as the accounts file, with secret files from {@link SECRET_FILES}. */
function load(yaml: string, env: Record<string, string | undefined> = ENV): AccountsFileResult {
  return loadAccountsFile({
    path: FILE_PATH,
    env,
    readFile: (path) => (path === FILE_PATH ? yaml : (SECRET_FILES[path] ?? missing(path))),
  });
}

function loaded(yaml: string, env?: Record<string, string | undefined>): AccountsFile {
  const result = load(yaml, env);
  if (!result.ok) throw new Error(`expected the file to load, got:\n${result.problems.join('\n')}`);
  return result.value;
}

function problemsOf(yaml: string, env?: Record<string, string | undefined>): string[] {
  const result = load(yaml, env);
  if (result.ok) throw new Error('expected problems, the file loaded');
  return result.problems;
}

const PRODUCTION = `
  production:
    provider: tencent
    secretId: { env: PROD_TENCENT_ID }
    secretKey: { env: PROD_TENCENT_KEY }
    region: ap-guangzhou
`;

describe('loadAccountsFile', () => {
  it('given Tencent and Alibaba accounts with env and file references, then it resolves them into CloudAccounts exactly as config.ts types them', () => {
    const file = loaded(`
accounts:
${PRODUCTION}
    endpoint: http://127.0.0.1:9000
  staging:
    provider: tencent
    secretId: { env: PROD_TENCENT_ID }
    secretKey: { file: ./secrets/staging-key }
  dcdn:
    provider: alibaba
    accessKeyId: { env: ALI_ID }
    accessKeySecret: { file: /run/secrets/ali-secret }
    region: cn-hangzhou
`);
    expect(file.accounts).toEqual<CloudAccount[]>([
      {
        name: 'production',
        cloud: 'tencent',
        secretId: ENV.PROD_TENCENT_ID,
        secretKey: ENV.PROD_TENCENT_KEY,
        region: 'ap-guangzhou',
        endpoint: 'http://127.0.0.1:9000',
      },
      { name: 'staging', cloud: 'tencent', secretId: ENV.PROD_TENCENT_ID, secretKey: 'staging-key-from-relative-file', region: null, endpoint: null },
      { name: 'dcdn', cloud: 'alibaba', accessKeyId: ENV.ALI_ID, accessKeySecret: 'ali-secret-from-file-0000000', region: 'cn-hangzhou', endpoint: null },
    ]);
    expect(file.access).toEqual([]);
  });

  it('given an empty file, then it loads with nothing in it', () => {
    expect(loaded('')).toEqual({ accounts: [], access: [], channelDefaults: [], apiTokens: [] });
  });

  it('given a literal secret, then loading stops with a problem naming the account and field and how to reference it, without the secret', () => {
    const literal = 'Zx9LiteralSecretValue0000000000';
    const problems = problemsOf(`
accounts:
  production:
    provider: tencent
    secretId: { env: PROD_TENCENT_ID }
    secretKey: "${literal}"
`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('account "production"');
    expect(problems[0]).toContain('secretKey');
    expect(problems[0]).toContain('literal');
    expect(problems[0]).toContain('{ env: VARIABLE_NAME }');
    expect(problems[0]).toContain('{ file: /path/to/file }');
    expect(problems.join('\n')).not.toContain(literal);
    expect(problems.join('\n')).not.toContain('Zx9Literal');
  });

  it('given literal secrets of every shape (number, unquoted, API token), then none of them appears in any problem', () => {
    const problems = problemsOf(`
accounts:
  numeric:
    provider: alibaba
    accessKeyId: 8812345678901234
    accessKeySecret: unquotedAlibabaSecret123456
apiTokens:
  pipeline:
    token: literal-api-token-abcdefghijklmnop
    accounts: [numeric]
    channels: [slack:C0123ABCD]
`);
    expect(problems).toHaveLength(3);
    const text = problems.join('\n');
    for (const secret of ['8812345678901234', 'unquotedAlibabaSecret123456', 'literal-api-token-abcdefghijklmnop']) expect(text).not.toContain(secret);
    expect(problems.filter((problem) => problem.includes('literal'))).toHaveLength(3);
  });

  it('given a secret pasted as an env variable name or a file path, then neither the variable nor the path is quoted', () => {
    const problems = problemsOf(`
accounts:
  production:
    provider: tencent
    secretId: { env: AKIDpastedByMistake000000000 }
    secretKey: { file: pastedSecretNotAPath }
`);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('AKIDpastedByMistake');
    expect(problems.join('\n')).not.toContain('pastedSecretNotAPath');
  });

  it('given a { file: } reference that cannot be read or is empty, then the problem names the field, never the path, which may be a pasted secret', () => {
    SECRET_FILES['/run/secrets/empty'] = '  \n';
    const pastedPath = '/run/secrets/AKIDpastedIntoThePath0000000/prod-secret-0123456789';
    const problems = problemsOf(`
accounts:
  production:
    provider: tencent
    secretId: { file: ${pastedPath} }
    secretKey: { file: /run/secrets/empty }
apiTokens:
  pipeline:
    token: { file: ./tokens/pipelineTokenPasted0123456789abcdef }
    accounts: [production]
    channels: ["slack:C0123ABCD"]
`);
    delete SECRET_FILES['/run/secrets/empty'];
    expect(problems).toEqual([
      'account "production": secretId refers to the file named in accounts.production.secretId, which cannot be read (ENOENT). Check the path and that taskwatch may read it.',
      'account "production": secretKey refers to the file named in accounts.production.secretKey, which is empty. Put the value in it.',
      'API token "pipeline": token refers to the file named in apiTokens.pipeline.token, which cannot be read (ENOENT). Check the path and that taskwatch may read it.',
    ]);
    const text = problems.join('\n');
    for (const fragment of ['AKIDpasted', 'prod-secret', '/run/secrets', 'pipelineTokenPasted', '/etc/taskwatch/tokens']) expect(text).not.toContain(fragment);
  });

  it('given channel IDs in the wrong case or shape in channels and apiTokens, then each is refused with the ID Slack or Discord would send', () => {
    const problems = problemsOf(`
accounts:${PRODUCTION}
channels:
  "slack:c0789staging": { account: production }
  "slack:#deploys": { account: production }
  "discord:general": { account: production }
apiTokens:
  pipeline:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [production]
    channels: ["slack:c0123prod", "discord:1122334455667788990"]
`);
    expect(problems).toEqual([
      'channel "slack:c0789staging": "c0789staging" is not a Slack channel ID, which is upper-case: write slack:C0789STAGING.',
      'channel "slack:#deploys": write a channel as slack:<channel id> or discord:<channel id>, e.g. slack:C0123ABCD.',
      'channel "discord:general": "general" is not a Discord channel ID; use the 17-20 digit ID (Developer Mode, then "Copy Channel ID").',
      'API token "pipeline": the channels entry "slack:c0123prod": "c0123prod" is not a Slack channel ID, which is upper-case: write slack:C0123PROD.',
    ]);
  });

  it('given upper-case Slack IDs and Discord snowflakes in channels, then they load as written', () => {
    const file = loaded(`
accounts:${PRODUCTION}
channels:
  "slack:C0789STAGING": { account: production }
  "slack:G0456PRIVATE": { account: production }
  "discord:112233445566778899": { account: production }
`);
    expect(file.channelDefaults.map((entry) => entry.channel)).toEqual(['slack:C0789STAGING', 'slack:G0456PRIVATE', 'discord:112233445566778899']);
  });

  it('given a YAML syntax error on a line holding a secret, then the problem gives the line number and no excerpt', () => {
    const problems = problemsOf('accounts:\n  production:\n    secretKey: "unterminatedSecretValue\n    region: x\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/line \d+: this is not valid YAML/);
    expect(problems.join('\n')).not.toContain('unterminatedSecretValue');
  });

  it('given every kind of mistake at once, then every problem is listed, each saying what to do', () => {
    const problems = problemsOf(
      `
accounts:
  unknown-cloud:
    provider: aws
  no-provider:
    region: ap-guangzhou
  missing-env:
    provider: tencent
    secretId: { env: NOT_SET_ANYWHERE }
    secretKey: { file: /run/secrets/absent }
  Production:
    provider: tencent
    secretId: { env: PROD_TENCENT_ID }
    secretKey: { env: PROD_TENCENT_KEY }
  production:
    provider: tencent
    secretId: { env: PROD_TENCENT_ID }
    secretKey: { env: PROD_TENCENT_KEY }
    region: Guangzhou
    endpoint: ftp://example.com
    colour: blue
channels:
  slack:C0123ABCD: { account: nowhere }
apiTokens:
  pipeline:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [ghost]
    channels: [irc:general]
`,
      { ...ENV },
    );
    const expectations: Array<[string, RegExp]> = [
      ['unknown provider', /account "unknown-cloud": unknown provider "aws"; use tencent or alibaba/],
      ['missing provider', /account "no-provider": provider is missing; set provider: tencent/],
      ['missing env var', /account "missing-env": secretId refers to the environment variable NOT_SET_ANYWHERE, which is not set or is empty/],
      ['unreadable file', /account "missing-env": secretKey refers to the file named in accounts.missing-env.secretKey, which cannot be read \(ENOENT\)/],
      ['case-only duplicate', /accounts "Production" and "production" differ only in letter case/],
      ['bad region', /account "production": region must be a region name/],
      ['bad endpoint', /account "production": endpoint must be a base URL starting with http:\/\/ or https:\/\//],
      ['unknown field', /account "production": unknown field "colour"/],
      ['unknown channel default account', /channel "slack:C0123ABCD" account: unknown account "nowhere"; define it under accounts/],
      ['unknown token account', /API token "pipeline": unknown account "ghost"/],
      ['bad token channel', /API token "pipeline": channels entries are written slack:<channel id> or discord:<channel id>/],
    ];
    for (const [label, pattern] of expectations) {
      expect({ label, found: problems.some((problem) => pattern.test(problem)) }).toEqual({ label, found: true });
    }
    expect(problems).toHaveLength(expectations.length);
  });

  it('given the same account name twice, then the duplicate is reported with its line', () => {
    const problems = problemsOf(`accounts:\n${PRODUCTION}${PRODUCTION}`);
    expect(problems).toEqual([expect.stringMatching(/^\/etc\/taskwatch\/taskwatch.yml line 9: "production" appears twice in the same section/)]);
  });

  it('given an accounts file that cannot be read, then the problem names the path and says how to fix it', () => {
    const result = loadAccountsFile({ path: '/nowhere/taskwatch.yml', env: {}, readFile: missing });
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('The accounts file /nowhere/taskwatch.yml cannot be read (ENOENT). Check TASKWATCH_CONFIG')] });
  });

  it('given access lists with every subject syntax, then they are parsed per platform, unquoted Discord IDs keeping every digit', () => {
    const file = loaded(`
accounts:
${PRODUCTION}
    access:
      slackChannels: [C0123PROD, G0456PRIV]
      discordChannels: [112233445566778899]
      users: [U0123ALICE, W0456BOB, "@Ops", discord:223344556677889900, discord-role:998877665544332211]
`);
    expect(file.access).toEqual([
      {
        cloud: 'tencent',
        account: 'production',
        channels: { slack: ['C0123PROD', 'G0456PRIV'], discord: ['112233445566778899'] },
        users: [
          { platform: 'slack', type: 'user', id: 'U0123ALICE' },
          { platform: 'slack', type: 'user', id: 'W0456BOB' },
          { platform: 'slack', type: 'group', handle: 'ops' },
          { platform: 'discord', type: 'user', id: '223344556677889900' },
          { platform: 'discord', type: 'role', id: '998877665544332211' },
        ],
      },
    ]);
  });

  it('given ambiguous or wrong access entries, then each is refused with the syntax to use', () => {
    const problems = problemsOf(`
accounts:
${PRODUCTION}
    access:
      slackChannels: ["#ops"]
      discordChannels: [general]
      users: [112233445566778899, alice]
      admins: [U0123ALICE]
`);
    expect(problems).toEqual([
      expect.stringContaining('account "production" access: unknown field "admins"'),
      expect.stringContaining('the slackChannels entry "#ops" is not a Slack channel ID. Use the ID'),
      expect.stringContaining('the discordChannels entry "general" is not a Discord channel ID'),
      expect.stringContaining('is a bare number: write discord:112233445566778899 for a Discord user or discord-role:112233445566778899 for a Discord role'),
      expect.stringContaining('the users entry "alice" is not recognized; write a Slack user as U0123ABCD'),
    ]);
  });

  it('given an empty allow list, then it is refused rather than silently locking everyone out', () => {
    const problems = problemsOf(`accounts:\n${PRODUCTION}    access:\n      users: []\n`);
    expect(problems).toEqual([expect.stringContaining('users must be a non-empty list; leave it out to allow everyone')]);
  });

  it('given channel defaults, then they are kept per channel, and a per-cloud default must name an account of that cloud', () => {
    const good = loaded(`
accounts:
${PRODUCTION}
  dcdn:
    provider: alibaba
    accessKeyId: { env: ALI_ID }
    accessKeySecret: { file: /run/secrets/ali-secret }
channels:
  slack:C0123PROD: { account: production }
  discord:112233445566778899: { tencent: production, alibaba: dcdn }
`);
    expect(good.channelDefaults).toEqual([
      { channel: 'slack:C0123PROD', account: 'production', tencent: null, alibaba: null },
      { channel: 'discord:112233445566778899', account: null, tencent: 'production', alibaba: 'dcdn' },
    ]);
    const problems = problemsOf(`
accounts:
${PRODUCTION}
channels:
  slack:C0123PROD: { alibaba: production }
  "#general": { account: production }
  slack:C0456: {}
`);
    expect(problems).toEqual([
      expect.stringContaining('channel "slack:C0123PROD" alibaba: account "production" is a Tencent Cloud account, not a Alibaba Cloud one'),
      expect.stringContaining('channel "#general": write a channel as slack:<channel id> or discord:<channel id>'),
      expect.stringContaining('channel "slack:C0456": give a default account'),
    ]);
  });

  it('given a channel default whose account does not allow that channel, then it is a problem', () => {
    const problems = problemsOf(`
accounts:
${PRODUCTION}
    access:
      slackChannels: [C0123PROD]
channels:
  slack:C0999OTHER: { account: production }
`);
    expect(problems).toEqual([expect.stringContaining('its default account "production" does not allow this channel')]);
  });

  it('given an API token, then only its SHA-256 is kept, with its accounts and channels', () => {
    const file = loaded(`
accounts:
${PRODUCTION}
apiTokens:
  pipeline:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [production, default]
    channels: [slack:C0123PROD, discord:112233445566778899]
`);
    expect(file.apiTokens).toEqual([
      { name: 'pipeline', tokenSha256: apiTokenDigest(PIPELINE_TOKEN), accounts: ['production', 'default'], channels: ['slack:C0123PROD', 'discord:112233445566778899'] },
    ]);
    expect(JSON.stringify(file.apiTokens)).not.toContain(PIPELINE_TOKEN);
  });

  it('given a short token, a shared token and a token without bindings, then each is a problem', () => {
    const problems = problemsOf(
      `
apiTokens:
  short:
    token: { env: SHORT_TOKEN }
    accounts: [default]
    channels: [slack:C0123PROD]
  first:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [default]
    channels: [slack:C0123PROD]
  second:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [default]
    channels: [slack:C0123PROD]
  unbound:
    token: { env: OTHER_TOKEN }
`,
      { ...ENV, SHORT_TOKEN: 'abc123', OTHER_TOKEN: 'other-token-0123456789abcdefghij' },
    );
    expect(problems).toEqual([
      expect.stringContaining('API token "short": the token is shorter than 24 characters'),
      expect.stringContaining('API token "second": has the same token as "first"'),
      expect.stringContaining('API token "unbound": accounts is missing'),
      expect.stringContaining('API token "unbound": channels is missing'),
    ]);
    expect(problems.join('\n')).not.toContain('abc123');
  });

  it('given the repository example file and the variables it references, then it loads', () => {
    const example = readFileSync(join(__dirname, '../../../taskwatch.example.yml'), 'utf8');
    const env = Object.fromEntries([...example.matchAll(/env: ([A-Z0-9_]+)/g)].map((match) => [match[1] as string, `${(match[1] as string).toLowerCase()}-value-0123456789abcdef`]));
    const result = loadAccountsFile({
      path: '/etc/taskwatch/taskwatch.yml',
      env,
      readFile: (path) => (path === '/etc/taskwatch/taskwatch.yml' ? example : 'secret-from-file-0123456789'),
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.value.accounts.map((account) => `${account.cloud}:${account.name}`)).toEqual(['tencent:production', 'tencent:staging', 'alibaba:production-dcdn']);
    expect(result.value.access.length).toBeGreaterThan(0);
    expect(result.value.channelDefaults.length).toBeGreaterThan(0);
    expect(result.value.apiTokens.length).toBe(1);
  });
});

describe('mergeAccounts', () => {
  const environmentTencent: CloudAccount = { name: 'default', cloud: 'tencent', secretId: 'AKIDenv', secretKey: 'env-key', region: null, endpoint: null };
  const fileAlibabaDefault: CloudAccount = { name: 'default', cloud: 'alibaba', accessKeyId: 'LTAIfile', accessKeySecret: 'file-secret', region: null, endpoint: null };
  const fileTencentProduction: CloudAccount = { ...environmentTencent, name: 'production' };

  it('given env accounts and file accounts with different names or clouds, then all are kept, the environment first', () => {
    expect(mergeAccounts([environmentTencent], [fileTencentProduction, fileAlibabaDefault])).toEqual({
      accounts: [environmentTencent, fileTencentProduction, fileAlibabaDefault],
      problems: [],
    });
  });

  it('given a file account named default for the same cloud as the env vars, then it is a conflict naming the variables, without secrets', () => {
    const result = mergeAccounts([environmentTencent], [{ ...environmentTencent, secretKey: 'file-key-123456' }]);
    expect(result.problems).toEqual([
      'The Tencent Cloud account "default" is defined twice: by TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY and by the accounts file. Rename the file\'s account, or unset those environment variables.',
    ]);
    expect(result.accounts).toEqual([environmentTencent]);
  });
});

describe('chooseAccountsFilePath', () => {
  it('given TASKWATCH_CONFIG, then it is used even if missing (the loader then says so)', () => {
    expect(chooseAccountsFilePath('/etc/tw.yml', () => false)).toBe('/etc/tw.yml');
  });

  it('given no TASKWATCH_CONFIG, then taskwatch.yml is used only when it exists', () => {
    expect(chooseAccountsFilePath(null, (path) => path === 'taskwatch.yml')).toBe('taskwatch.yml');
    expect(chooseAccountsFilePath(null, () => false)).toBeNull();
  });
});
