import { loadAccountSetup } from '../../../src/accounts/account-setup';
import type { CloudAccount } from '../../../src/config';

const ENV_ACCOUNT: CloudAccount = { name: 'default', cloud: 'tencent', secretId: 'AKIDenvironment0000', secretKey: 'environment-secret-key-0000', region: null, endpoint: null };

function files(contents: Record<string, string>): { exists: (path: string) => boolean; readFile: (path: string) => string } {
  return {
    exists: (path) => path in contents,
    readFile: (path) => {
      const text = contents[path];
      if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return text;
    },
  };
}

describe('loadAccountSetup', () => {
  it('given no TASKWATCH_CONFIG and no taskwatch.yml, then the environment accounts are used and everything is allowed', () => {
    const result = loadAccountSetup({ config: { accounts: [ENV_ACCOUNT], accountsFile: null }, env: {}, ...files({}) });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.setup.path).toBeNull();
    expect(result.setup.accounts).toEqual([ENV_ACCOUNT]);
    const stranger = { platform: 'slack' as const, channelId: 'C0ANY', userId: 'U0ANYONE', groups: [] };
    expect(result.setup.policy.authorize(stranger, 'watch', 'tencent', 'default')).toEqual({ allowed: true });
  });

  it('given taskwatch.yml in the working directory, then its accounts follow the environment ones', () => {
    const yaml = 'accounts:\n  staging:\n    provider: tencent\n    secretId: { env: STAGING_ID }\n    secretKey: { env: STAGING_KEY }\n';
    const result = loadAccountSetup({
      config: { accounts: [ENV_ACCOUNT], accountsFile: null },
      env: { STAGING_ID: 'AKIDstaging0000', STAGING_KEY: 'staging-secret-key-0000' },
      ...files({ 'taskwatch.yml': yaml }),
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.setup.path).toBe('taskwatch.yml');
    expect(result.setup.accounts.map((account) => account.name)).toEqual(['default', 'staging']);
  });

  it('given a file account named default for a cloud the environment configures, then it is a problem', () => {
    const yaml = 'accounts:\n  default:\n    provider: tencent\n    secretId: { env: OTHER_ID }\n    secretKey: { env: OTHER_KEY }\n';
    const result = loadAccountSetup({
      config: { accounts: [ENV_ACCOUNT], accountsFile: '/etc/taskwatch.yml' },
      env: { OTHER_ID: 'AKIDother0000', OTHER_KEY: 'other-secret-key-0000' },
      ...files({ '/etc/taskwatch.yml': yaml }),
    });
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('The Tencent Cloud account "default" is defined twice')] });
  });

  it('given TASKWATCH_CONFIG naming a missing file, then it is a problem, not single-account mode', () => {
    const result = loadAccountSetup({ config: { accounts: [ENV_ACCOUNT], accountsFile: '/etc/missing.yml' }, env: {}, ...files({}) });
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('/etc/missing.yml cannot be read (ENOENT)')] });
  });
});
