/**
 * The shared input shapes are defined once: a region or an account name is accepted by the chat
 * grammar, the HTTP API and the accounts file alike, or refused by all three.
 */
import { parseAccountsFile } from '../../../src/accounts/accounts-file';
import { parseCommand } from '../../../src/commands/parse-command';
import { validateWatchRequest } from '../../../src/http/watch-api';
import type { ProviderRegistry } from '../../../src/providers/types';
import { channelPlatformNames } from '../../../src/chat/platforms';

const REGIONS: ReadonlyArray<readonly [string, boolean]> = [
  ['ap-guangzhou', true],
  ['cn-hangzhou', true],
  ['ap-shanghai-fsi', true],
  ['na-siliconvalley', true],
  ['guangzhou', false],
  ['ap_guangzhou', false],
  ['a-b', false],
  ['ap-guangzhou-1-2-3', false],
];

const ACCOUNTS: ReadonlyArray<readonly [string, boolean]> = [
  ['production', true],
  ['prod.eu_2-b', true],
  ['9lives', true],
  ['a'.repeat(64), true],
  ['a'.repeat(65), false],
  ['-leading-dash', false],
  ['with space', false],
  ['semi;colon', false],
];

/** A registry that knows every account and no default region: only the shapes are judged. */
const registry = { get: () => ({}), defaultRegion: () => null } as unknown as ProviderRegistry;

function grammarAccepts(option: 'region' | 'account', value: string): boolean {
  const result = parseCommand(`watch redis 18215 ${option}=${value}${option === 'account' ? ' region=ap-guangzhou' : ''}`);
  return result.ok;
}

function apiAccepts(field: 'region' | 'account', value: string): boolean {
  const checked = validateWatchRequest({ kind: 'redis', ids: ['18215'], channel: 'slack:C0123ABCD', region: 'ap-guangzhou', [field]: value }, registry, channelPlatformNames());
  return checked.ok || !(field in checked.fields);
}

function accountsFileAccepts(field: 'region' | 'account', value: string): boolean {
  const name = field === 'account' ? value : 'production';
  const region = field === 'region' ? value : 'ap-guangzhou';
  const result = parseAccountsFile(
    `accounts:\n  "${name}":\n    provider: tencent\n    secretId: { env: ID }\n    secretKey: { env: KEY }\n    region: ${region}\n`,
    { env: { ID: 'AKIDexample000000', KEY: 'key-example-000000' }, readFile: () => '', accountsFilePath: '/etc/taskwatch.yml' },
  );
  return result.ok;
}

describe('shared input shapes', () => {
  it.each(REGIONS)('given the region "%s", then the grammar, the API and the accounts file agree (accepted: %s)', (region, accepted) => {
    expect({ grammar: grammarAccepts('region', region), api: apiAccepts('region', region), accountsFile: accountsFileAccepts('region', region) }).toEqual({
      grammar: accepted,
      api: accepted,
      accountsFile: accepted,
    });
  });

  it.each(ACCOUNTS)('given the account name "%s", then the grammar, the API and the accounts file agree (accepted: %s)', (account, accepted) => {
    expect({ grammar: grammarAccepts('account', account), api: apiAccepts('account', account), accountsFile: accountsFileAccepts('account', account) }).toEqual({
      grammar: accepted,
      api: accepted,
      accountsFile: accepted,
    });
  });
});
