import { formatBeijingTime, formatUtcSeconds, parseBeijingTime, parseUtcSeconds } from '../../../src/sandbox/wire-time';

describe('sandbox wire time formats', () => {
  const noonUtc = Date.UTC(2026, 10, 23, 12, 0, 5);

  it('given a UTC instant, then Beijing time is 8 hours ahead and round-trips', () => {
    expect(formatBeijingTime(noonUtc)).toBe('2026-11-23 20:00:05');
    expect(parseBeijingTime('2026-11-23 20:00:05')).toBe(noonUtc);
    expect(formatBeijingTime(Date.UTC(2026, 11, 31, 20, 0, 0))).toBe('2027-01-01 04:00:00');
  });

  it('given malformed or impossible Beijing times, then null', () => {
    expect(parseBeijingTime('2026-11-23T20:00:05')).toBeNull();
    expect(parseBeijingTime('2026-02-30 00:00:00')).toBeNull();
    expect(parseBeijingTime('2026-11-23 24:00:00')).toBeNull();
  });

  it('given a UTC instant, then the Alibaba format drops milliseconds and round-trips', () => {
    expect(formatUtcSeconds(noonUtc + 999)).toBe('2026-11-23T12:00:05Z');
    expect(parseUtcSeconds('2026-11-23T12:00:05Z')).toBe(noonUtc);
    expect(parseUtcSeconds('2026-11-23T12:00:05.000Z')).toBeNull();
    expect(parseUtcSeconds('2026-13-01T00:00:00Z')).toBeNull();
  });
});
