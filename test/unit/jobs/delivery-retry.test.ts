import { deliveryRetryDelayMs } from '../../../src/jobs/delivery/delivery-processor';

describe('delivery retry back-off', () => {
  test('given failures in a row to one channel, then the pause doubles from the first and stops growing at the longest', () => {
    const retry = { minMs: 1000, maxMs: 300_000 };
    expect([1, 2, 3, 4].map((failures) => deliveryRetryDelayMs(failures, retry))).toEqual([1000, 2000, 4000, 8000]);
    expect(deliveryRetryDelayMs(9, retry)).toBe(256_000);
    expect(deliveryRetryDelayMs(10, retry)).toBe(300_000);
    // An outage of days never overflows into a pause of its own.
    expect(deliveryRetryDelayMs(10_000, retry)).toBe(300_000);
  });
});
