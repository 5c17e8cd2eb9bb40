/**
 * The composition point of the provider layer: turns configured accounts into one provider per
 * kind and account, built lazily and reused, so SDK clients and their keep-alive connections
 * live as long as the registry.
 */
import type http from 'node:http';
import { DEFAULT_ACCOUNT, findAccount, type CloudAccount, type TaskwatchConfig } from '../config';
import { createAlibabaAgent } from './alibaba-client';
import { ProviderError } from './errors';
import type { ProviderContext } from './provider-context';
import type { ProviderParts } from './provider-factory';
import type { RateBudget } from './rate-budget';
import { createTencentAgent } from './tencent-client';
import { type CloudName, type ProviderRegistry, type TaskKind, type TaskProvider } from './types';
import { CLOUD_OF_KIND, kindRequiresRegion, providerFactory } from './kinds';

/** What the registry needs from the configuration. */
export type ProviderRegistryConfig = Pick<TaskwatchConfig, 'accounts' | 'rateLimits' | 'providerTimeoutMs'>;

/** What the registry needs besides configuration. */
export interface ProviderRegistryDependencies {
  /** Shared by every provider; pass a Redis-backed budget to share quotas across processes. */
  readonly rateBudget: RateBudget;
  /** Epoch milliseconds for `observedAt`; default `Date.now`. */
  readonly now?: () => number;
}

/** A {@link ProviderRegistry} that owns network resources. */
export interface ClosableProviderRegistry extends ProviderRegistry {
  /**
   * Drops idle keep-alive connections. Idle sockets never keep the process alive, so calling
   * this is optional; tests and shutdown use it to leave nothing open.
   */
  close(): void;
}

/**
 * Creates the provider registry. Each kind's provider is built by the factory its provider file
 * exports (see `kinds.ts`), with the account of the kind's cloud.
 */
export function createProviderRegistry(config: ProviderRegistryConfig, dependencies: ProviderRegistryDependencies): ClosableProviderRegistry {
  const now = dependencies.now ?? Date.now;
  const providers = new Map<string, TaskProvider>();
  const agents = new Map<string, http.Agent>();

  const contextFor = (accountName: string, perSecond: number): ProviderContext => ({
    accountName,
    rateBudget: dependencies.rateBudget,
    perSecond,
    timeoutMs: config.providerTimeoutMs,
    now,
  });

  const agentFor = (cloud: CloudName, accountName: string, create: () => http.Agent): http.Agent => {
    const key = `${cloud}|${accountName}`;
    const existing = agents.get(key);
    if (existing) return existing;
    const agent = create();
    agents.set(key, agent);
    return agent;
  };

  /** The account's cloud, its shared agent and a context with its cloud's quota: what any kind's factory needs. */
  const partsFor = (account: CloudAccount): ProviderParts =>
    account.cloud === 'tencent'
      ? { cloud: 'tencent', account, agent: agentFor('tencent', account.name, () => createTencentAgent(account.endpoint)), context: contextFor(account.name, config.rateLimits.tencentPerSecond) }
      : { cloud: 'alibaba', account, agent: agentFor('alibaba', account.name, () => createAlibabaAgent(account.endpoint)), context: contextFor(account.name, config.rateLimits.dcdnPerSecond) };

  return {
    get(kind: TaskKind, accountName: string = DEFAULT_ACCOUNT): TaskProvider {
      const key = `${kind}|${accountName}`;
      const cached = providers.get(key);
      if (cached) return cached;
      const cloud = CLOUD_OF_KIND[kind];
      const account = findAccount(config, cloud, accountName);
      if (!account) throw notConfigured(cloud, accountName);
      const provider = providerFactory(kind)(partsFor(account));
      providers.set(key, provider);
      return provider;
    },

    accountNames(cloud: CloudName): string[] {
      return config.accounts.filter((account) => account.cloud === cloud).map((account) => account.name);
    },

    defaultRegion(kind: TaskKind, accountName: string = DEFAULT_ACCOUNT): string | null {
      // Region-less APIs never use a region, so reporting one would only mislead.
      if (!kindRequiresRegion(kind)) return null;
      return findAccount(config, CLOUD_OF_KIND[kind], accountName)?.region ?? null;
    },

    close(): void {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
      providers.clear();
    },
  };
}

function notConfigured(cloud: CloudName, accountName: string): ProviderError {
  const account = accountName !== DEFAULT_ACCOUNT ? { account: accountName.slice(0, 40) } : {};
  return new ProviderError({ code: 'not_configured', facts: { fact: 'no_credentials', cloud, ...account }, retryable: false });
}
