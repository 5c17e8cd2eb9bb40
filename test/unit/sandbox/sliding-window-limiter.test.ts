import { SlidingWindowLimiter } from '../../../src/sandbox/sliding-window-limiter';

describe('sandbox sliding window limiter', () => {
  it('given a limit of 3, then the 4th call within a second is refused and admitted again once the first leaves the window', () => {
    let now = 10_000;
    const limiter = new SlidingWindowLimiter(3, () => now);
    expect([limiter.tryAdmit('k'), limiter.tryAdmit('k'), limiter.tryAdmit('k'), limiter.tryAdmit('k')]).toEqual([true, true, true, false]);
    now += 999;
    expect(limiter.tryAdmit('k')).toBe(false);
    now += 1;
    // All three earlier calls were at the same instant, so all three leave the window together.
    expect([limiter.tryAdmit('k'), limiter.tryAdmit('k'), limiter.tryAdmit('k'), limiter.tryAdmit('k')]).toEqual([true, true, true, false]);
  });

  it('given different keys, then each has its own window', () => {
    const limiter = new SlidingWindowLimiter(1, () => 0);
    expect([limiter.tryAdmit('a'), limiter.tryAdmit('b'), limiter.tryAdmit('a')]).toEqual([true, true, false]);
  });

  it('given refused calls, then they do not extend the wait', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(1, () => now);
    limiter.tryAdmit('k');
    now = 500;
    expect(limiter.tryAdmit('k')).toBe(false);
    now = 1000;
    expect(limiter.tryAdmit('k')).toBe(true);
  });

  it('given a limit below 1, then construction fails with a message', () => {
    expect(() => new SlidingWindowLimiter(0)).toThrow(/at least 1/);
  });
});
