/**
 * Connects metrics to the command core and the providers without either knowing about
 * prom-client: an observer for command outcomes, and a registry decorator that times calls.
 */
import type { CommandObserver } from '../commands/types';
import { isProviderError } from '../providers/errors';
import type { RateBudget } from '../providers/rate-budget';
import type { DescribeOptions, ProviderRegistry, TaskProvider, WindowListQuery } from '../providers/types';
import type { TaskwatchMetrics } from './metrics';

/** Counts every command by platform, command, kind and outcome. */
export function commandMetricsObserver(metrics: Pick<TaskwatchMetrics, 'commands'>): CommandObserver {
  return {
    commandCompleted(outcome) {
      metrics.commands.inc({ platform: outcome.platform, command: outcome.command, kind: outcome.kind ?? 'none', outcome: outcome.outcome });
    },
  };
}

/**
 * Wraps a registry so each `describe`, and each page of a window listing (`listWindow`), is
 * counted by API and result code (`ok` or the ProviderError code) and timed. A describe that
 * the provider splits into several API calls (DCDN beyond 10 IDs, CDN beyond 100 URLs) counts once.
 */
export function instrumentProviderRegistry(registry: ProviderRegistry, metrics: Pick<TaskwatchMetrics, 'providerCalls' | 'providerLatency' | 'throttles'>): ProviderRegistry {
  const wrapped = new WeakMap<TaskProvider, TaskProvider>();
  const instrument = (provider: TaskProvider): TaskProvider => {
    const existing = wrapped.get(provider);
    if (existing) return existing;
    const counted = async <T>(call: () => Promise<T>): Promise<T> => {
      const stopTimer = metrics.providerLatency.startTimer({ api: provider.api });
      try {
        const result = await call();
        metrics.providerCalls.inc({ api: provider.api, result: 'ok' });
        return result;
      } catch (error) {
        const code = isProviderError(error) ? error.code : 'internal';
        metrics.providerCalls.inc({ api: provider.api, result: code });
        if (code === 'throttled') metrics.throttles.inc({ api: provider.api });
        throw error;
      } finally {
        stopTimer();
      }
    };
    const listWindow = provider.listWindow;
    // The prototype keeps any other provider-specific method reachable.
    const proxy: TaskProvider = Object.create(provider, {
      describe: { value: (ids: readonly string[], options?: DescribeOptions) => counted(() => provider.describe(ids, options)) },
      // Each page of a window listing is one API call, counted like a describe of the same API.
      ...(typeof listWindow === 'function'
        ? { listWindow: { value: (query: WindowListQuery, options?: { signal?: AbortSignal }) => counted(() => listWindow.call(provider, query, options)) } }
        : {}),
    }) as TaskProvider;
    wrapped.set(provider, proxy);
    return proxy;
  };
  return {
    get: (kind, account) => instrument(registry.get(kind, account)),
    accountNames: (cloud) => registry.accountNames(cloud),
    defaultRegion: (kind, account) => registry.defaultRegion(kind, account),
  };
}

/**
 * Wraps the shared rate budget so each admitted call, and the time it waited, is counted per
 * quota bucket. A bucket's key is `<api>|<region>|<credential ID>`; the credential ID is turned
 * into the account's name (`accountOfCredential`), so no key ID ever becomes a metric label.
 */
export function instrumentRateBudget(budget: RateBudget, metrics: Pick<TaskwatchMetrics, 'rateBudgetCalls' | 'rateBudgetWait'>, accountOfCredential: (credentialId: string) => string | undefined): RateBudget {
  return {
    async acquire(key, perSecond, signal) {
      const [api = 'unknown', region = '-', credentialId = ''] = key.split('|');
      const labels = { api, region, account: accountOfCredential(credentialId) ?? 'unknown' };
      const started = Date.now();
      await budget.acquire(key, perSecond, signal);
      metrics.rateBudgetCalls.inc(labels);
      metrics.rateBudgetWait.inc(labels, (Date.now() - started) / 1000);
    },
  };
}
