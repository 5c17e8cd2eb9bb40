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

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number = Date.UTC(2026, 10, 23, 12, 0, 0)) {
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
