/**
 * Time as a dependency, so that the sandbox's task lifecycles and the watch engine's
 * schedules can be driven deterministically in tests and in real time elsewhere.
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to. Without an argument it starts at the real time of its
 * construction, so that it agrees with every part of a test that runs on the real clock (a child
 * process, Redis TTLs, SDK signatures) on whatever day the test runs. Pass a start only to a test
 * whose every part judges time by this clock.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number = Math.floor(Date.now() / 1000) * 1000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('ManualClock.advance takes a non-negative number of milliseconds');
    this.current += ms;
  }

  /** Sets the clock to an absolute epoch-millisecond time. */
  set(epochMs: number): void {
    this.current = epochMs;
  }
}
