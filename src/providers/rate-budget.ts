/**
 * Rate budgets keep taskwatch inside each API's documented quota. A quota key names one
 * quota bucket (API + region + credential); callers `acquire` one token before every call.
 * The in-memory budget serves one process; a Redis-backed budget with the same interface
 * (see src/jobs) shares the quota across processes.
 */
import { ProviderError } from './errors';

/** Grants permission to make one API call under a quota key. */
export interface RateBudget {
  /**
   * Resolves when one call under `key` may be made without exceeding `perSecond`.
   * Rejects with a {@link ProviderError} code `throttled` if the signal aborts first.
   */
  acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Builds the quota key for one API, region and credential. The credential is identified by
 * its public ID only (a Tencent SecretId or Alibaba AccessKeyId), never by its secret.
 */
export function quotaKey(api: string, region: string | null, credentialId: string): string {
  return `${api}|${region ?? '-'}|${credentialId}`;
}

/** Sliding one-second window per key, in this process only. */
export class InMemoryRateBudget implements RateBudget {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    const limit = Math.max(1, Math.floor(perSecond));
    for (;;) {
      if (signal?.aborted) throw budgetAbortedError();
      const now = this.now();
      const window = (this.windows.get(key) ?? []).filter((at) => now - at < 1000);
      if (window.length < limit) {
        window.push(now);
        this.windows.set(key, window);
        return;
      }
      const waitMs = 1000 - (now - (window[0] as number)) + 1;
      this.windows.set(key, window);
      await waitForBudget(waitMs, signal);
    }
  }
}

/** The error a budget wait rejects with when its signal aborts. */
export function budgetAbortedError(): ProviderError {
  return new ProviderError({ code: 'throttled', facts: { fact: 'budget_given_up' }, retryable: true });
}

/** Waits `ms` for the budget to free up; rejects with {@link budgetAbortedError} if `signal` aborts first. */
export function waitForBudget(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(budgetAbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
