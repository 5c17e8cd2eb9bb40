import type { CloudAccount } from '../../../src/config';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry } from '../../../src/providers/registry';
import { isProviderError, type ProviderError } from '../../../src/providers/errors';
import { providerFailureText } from '../../../src/commands/messages';

const RATE_LIMITS = { tencentPerSecond: 15, dcdnPerSecond: 24 };
const TENCENT: CloudAccount = { name: 'default', cloud: 'tencent', secretId: 'AKIDexample', secretKey: 'secret', region: 'ap-beijing', endpoint: 'http://127.0.0.1:1' };

function registryWith(accounts: CloudAccount[]) {
  return createProviderRegistry({ accounts, rateLimits: RATE_LIMITS, providerTimeoutMs: 1000 }, { rateBudget: new InMemoryRateBudget() });
}

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createProviderRegistry', () => {
  it('given no Tencent account, then get(cdn) throws not_configured naming the env vars to set', () => {
    const error = errorOf(() => registryWith([]).get('cdn'));
    expect(isProviderError(error) && error.code).toBe('not_configured');
    expect(providerFailureText(error as ProviderError)).toBe('No Tencent Cloud credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY');
  });

  it('given only a Tencent account, then get(dcdn) throws not_configured naming the Alibaba env vars', () => {
    const error = errorOf(() => registryWith([TENCENT]).get('dcdn'));
    expect(isProviderError(error) && error.code).toBe('not_configured');
    expect(providerFailureText(error as ProviderError)).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('given an account name that is not configured, then the error names it', () => {
    const error = errorOf(() => registryWith([TENCENT]).get('dts', 'staging'));
    expect(isProviderError(error) && error.code).toBe('not_configured');
    expect(providerFailureText(error as ProviderError)).toContain('"staging"');
  });

  it('given a Tencent account, then each Tencent kind has its provider, built once', () => {
    const registry = registryWith([TENCENT]);
    for (const kind of ['cdn', 'dts', 'redis', 'tcss'] as const) {
      expect(registry.get(kind).kind).toBe(kind);
      expect(registry.get(kind)).toBe(registry.get(kind));
    }
    registry.close();
  });

  it('given accounts, then accountNames and defaultRegion report them; region-less kinds have no region', () => {
    const registry = registryWith([TENCENT, { ...TENCENT, name: 'staging', region: null }]);
    expect(registry.accountNames('tencent')).toEqual(['default', 'staging']);
    expect(registry.accountNames('alibaba')).toEqual([]);
    expect(registry.defaultRegion('dts')).toBe('ap-beijing');
    expect(registry.defaultRegion('redis', 'staging')).toBeNull();
    expect(registry.defaultRegion('cdn')).toBeNull();
  });

  it('given an empty ID, then describe rejects invalid_request without calling anything', async () => {
    const registry = registryWith([TENCENT]);
    await expect(registry.get('cdn').describe([''])).rejects.toMatchObject({ code: 'invalid_request' });
    registry.close();
  });
});
