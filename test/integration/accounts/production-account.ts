/**
 * The set-up the chat access tests share: an accounts file with one Tencent account,
 * "production", on the cloud sandbox, restricted by the access rules a test gives, and made the
 * default account of one channel. Parsed by the real accounts-file parser, as at start-up.
 */
import { AccessPolicy } from '../../../src/accounts/access-policy';
import { parseAccountsFile, type AccountsFile } from '../../../src/accounts/accounts-file';
import type { CloudAccount } from '../../../src/config';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import type { SandboxCredential } from '../../../src/sandbox/types';

/** What {@link productionAccount} builds. */
export interface ProductionAccount {
  readonly file: AccountsFile;
  readonly accounts: CloudAccount[];
  readonly policy: AccessPolicy;
  /** Providers for the accounts, against the sandbox; the caller closes them. */
  createProviders(): ClosableProviderRegistry;
}

/**
 * `access` holds the YAML lines under the account's `access:` (e.g. `slackChannels: [C0PROD]`);
 * `defaultChannel` is the channel whose default account is production (e.g. `slack:C0PROD`).
 */
export function productionAccount(options: {
  readonly credential: SandboxCredential;
  readonly sandboxUrl: string;
  readonly access: readonly string[];
  readonly defaultChannel: string;
  readonly region?: string;
}): ProductionAccount {
  const file = parseAccountsFile(
    [
      'accounts:',
      '  production:',
      '    provider: tencent',
      '    secretId: { env: PRODUCTION_SECRET_ID }',
      '    secretKey: { env: PRODUCTION_SECRET_KEY }',
      ...(options.region ? [`    region: ${options.region}`] : []),
      `    endpoint: ${options.sandboxUrl}`,
      '    access:',
      ...options.access.map((line) => `      ${line}`),
      'channels:',
      `  "${options.defaultChannel}": { account: production }`,
      '',
    ].join('\n'),
    { env: { PRODUCTION_SECRET_ID: options.credential.id, PRODUCTION_SECRET_KEY: options.credential.secret }, readFile: () => '', accountsFilePath: '/etc/taskwatch.yml' },
  );
  if (!file.ok) throw new Error(file.problems.join('\n'));
  const accounts: CloudAccount[] = [...file.value.accounts];
  return {
    file: file.value,
    accounts,
    policy: new AccessPolicy(file.value, accounts),
    createProviders: () =>
      createProviderRegistry({ accounts, rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 5000 }, { rateBudget: new InMemoryRateBudget() }),
  };
}
