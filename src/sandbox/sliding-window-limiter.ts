/**
 * A per-key sliding one-second window, as the clouds enforce their per-second quotas.
 * It runs on real time because the SDKs' bursts happen in real time, whatever clock
 * drives the task lifecycles.
 */

const WINDOW_MS = 1000;

/** Admits at most `limitPerSecond` calls per key in any rolling second. */
export class SlidingWindowLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(
    private readonly limitPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limitPerSecond) || limitPerSecond < 1) {
      throw new RangeError(`A rate limit must be a whole number of calls per second, at least 1; got ${limitPerSecond}.`);
    }
  }

  /** The configured limit. */
  get limit(): number {
    return this.limitPerSecond;
  }

  /**
   * Admits one call for `key` if the window has room and returns true; otherwise returns
   * false. Refused calls do not count, so a client that backs off gets through again.
   */
  tryAdmit(key: string): boolean {
    const now = this.now();
    const recent = (this.admitted.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (recent.length >= this.limitPerSecond) {
      this.admitted.set(key, recent);
      return false;
    }
    recent.push(now);
    this.admitted.set(key, recent);
    if (this.admitted.size > 1000) this.prune(now);
    return true;
  }

  /** Forgets every admitted call. */
  reset(): void {
    this.admitted.clear();
  }

  private prune(now: number): void {
    for (const [key, times] of this.admitted) {
      if (times.every((at) => now - at >= WINDOW_MS)) this.admitted.delete(key);
    }
  }
}
